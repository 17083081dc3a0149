import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { servePglite } from './pglite-server'
import * as schema from './schema/index'

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../migrations')

export type Schema = typeof schema
export type Drizzle = PostgresJsDatabase<Schema>
export type Sql = postgres.Sql

export interface Database {
  /** Raw postgres.js: for hot paths (batched ingest) where drizzle's unprepared queries cost too much. */
  sql: Sql
  /** drizzle over the same pool, for everything else. */
  db: Drizzle
  /** A connection string another process can use (for embedded PGlite, its loopback socket). */
  url: string
  embedded: boolean
  close(): Promise<void>
}

export interface OpenDatabaseOptions {
  /** postgres:// URL. When absent Curia runs on embedded PGlite in `dataDir`. */
  url?: string | undefined
  /** Folder for embedded PGlite; `memory://` keeps it in memory. */
  dataDir?: string
  /** Pool size. */
  max?: number
  /** Apply migrations before returning (default true). */
  migrate?: boolean
  /** Application name shown in pg_stat_activity. */
  name?: string
}

/**
 * The one way Curia opens its database.
 *
 * With a URL it is postgres.js against that server. Without one it starts embedded PGlite and serves it on a
 * loopback socket (pglite-server.ts), and every user (this process and the web app's) talks postgres.js to that
 * socket: PGlite is a single session, and the server hands it to one client's whole turn (and whole transaction)
 * at a time. The owning process writes the socket's URL into the data folder so a second process finds it.
 */
export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  const max = opts.max ?? 10
  if (opts.url) return connect(opts.url, max, opts, false, async () => {})

  const dataDir = opts.dataDir ?? 'data/pglite'
  const inMemory = dataDir.startsWith('memory://')
  const lockFile = inMemory
    ? undefined
    : join(resolve(/*turbopackIgnore: true*/ dataDir), '..', 'pglite.socket.json')
  if (lockFile) {
    const owner = readOwner(lockFile)
    if (owner) return connect(owner.url, max, opts, true, async () => {})
    mkdirSync(dirname(lockFile), { recursive: true })
  }
  const pglite = await PGlite.create(inMemory ? undefined : resolve(/*turbopackIgnore: true*/ dataDir))
  const server = await servePglite(pglite)
  const url = server.url
  if (lockFile) writeFileSync(lockFile, JSON.stringify({ pid: process.pid, url }))
  return connect(url, max, opts, true, async () => {
    await server.close()
    await pglite.close()
    if (lockFile) rmSync(lockFile, { force: true })
  })
}

function readOwner(lockFile: string): { pid: number; url: string } | undefined {
  try {
    const owner = JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number; url: string }
    process.kill(owner.pid, 0) // throws when that process is gone
    return owner
  } catch {
    return undefined
  }
}

async function connect(
  url: string,
  max: number,
  opts: OpenDatabaseOptions,
  embedded: boolean,
  shutdown: () => Promise<void>,
): Promise<Database> {
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: opts.name ?? 'curia' },
    // Named prepared statements would outlive a client's turn on the shared PGlite session; keep them unnamed.
    ...(embedded ? { prepare: false } : {}),
  })
  // postgres.js learns the server's array type OIDs on its first query; an array bound before that is sent as a
  // scalar ("malformed array literal"). One round trip here means every caller can bind arrays safely.
  await sql`select 1`
  const db = drizzle(sql, { schema })
  if (opts.migrate !== false) await applyMigrations(url)
  return {
    sql,
    db,
    url,
    embedded,
    async close() {
      await sql.end({ timeout: 5 })
      await shutdown()
    },
  }
}

/** Applies committed migrations, serialised across processes by an advisory lock. */
export async function applyMigrations(url: string): Promise<void> {
  // One connection, so the session-level advisory lock and the migration share it.
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await sql`select pg_advisory_lock(7411001)`
    await migrate(drizzle(sql, { schema }), { migrationsFolder })
  } finally {
    await sql.end({ timeout: 5 })
  }
}
