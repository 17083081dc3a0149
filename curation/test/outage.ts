/**
 * Taking the database away under the curation layer, for the outage tests. Real faults, no mocks:
 *
 * - `openKiller` (`useKiller` for a suite): pg_terminate_backend on PostgreSQL, and ALLOW_CONNECTIONS, from
 *   connections of its own (named, and never killed). PGlite is one in-process session with no backends to kill,
 *   so the tests that use it run on PostgreSQL only. They rely on postgres.js getting its connections back after a
 *   kill, which 3.4.9 does only with `patches/postgres+3.4.9.patch` (db/test/driver-recovery.test.ts).
 * - `startCommitCutter`: a TCP relay in front of the database (PostgreSQL or PGlite's socket) that, when armed, cuts
 *   the client's connection as the server's answer to a COMMIT arrives. The transaction is committed and the client
 *   never hears so: what a network failure at that moment does.
 */
import { createServer, connect, type Socket } from 'node:net'
import postgres from 'postgres'
import { afterAll, beforeAll } from 'vitest'
import type { Database } from '@curia/db'
import { waitFor as pollUntil } from '@curia/db/testing'
import { inTransaction } from '../src/ledger/transaction'

export const onPostgres = Boolean(process.env.DATABASE_URL)

const KILLER = 'curia-outage-killer'

type Target = { pid?: number; application?: string }

export interface Killer {
  /** The test database over the killer's own connections, which no kill touches: for reading state between kills. */
  database: Database
  /**
   * Terminates the test database's backends (all but the killer's), or only the one with `pid`, or only those of
   * `application`; resolves to how many.
   */
  terminate(where?: Target): Promise<number>
  /**
   * Waits for a backend of the test database blocked on a lock while running a statement containing `text` (other
   * than `not`, one already killed), and resolves to its pid.
   */
  waitForLockWaiter(text: string, not?: number, timeoutMs?: number): Promise<number>
  /** Refuses new connections to the test database (ALLOW_CONNECTIONS false: a server going down), or allows them. */
  refuseConnections(refuse: boolean): Promise<void>
  /** Takes row locks with `lockSql` in a transaction of its own and holds them until the returned function runs. */
  hold(lockSql: string): Promise<() => Promise<void>>
  /**
   * Terminates the test database's backends (as `terminate`), again and again, `pauseMs` apart, until the returned
   * `stop` (which resolves to how many were killed in all).
   */
  storm(pauseMs: number, where?: Target): { stop(): Promise<number> }
  close(): Promise<void>
}

export async function openKiller(database: Database): Promise<Killer> {
  const admin = postgres(database.url, {
    max: 3,
    onnotice: () => {},
    connection: { application_name: KILLER },
  })
  // As @curia/db's client does: the first statement teaches postgres.js the array types later ones bind.
  await admin`select 1`
  const terminate = async (where: Target = {}) => {
    const rows = await admin<{ killed: boolean }[]>`
      select pg_terminate_backend(pid) as killed from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and application_name <> ${KILLER}
        and (${where.pid ?? null}::int is null or pid = ${where.pid ?? null}::int)
        and (${where.application ?? null}::text is null or application_name = ${where.application ?? null}::text)`
    return rows.filter((r) => r.killed).length
  }
  return {
    database: { ...database, sql: admin },
    terminate,
    async waitForLockWaiter(text, not, timeoutMs) {
      const what = `a backend waiting on a lock in "${text}"`
      return waitFor(
        what,
        async () => {
          const [row] = await admin<{ pid: number }[]>`
          select pid from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and position(${text} in query) > 0
            and pid <> ${not ?? 0}`
          return row?.pid
        },
        { timeoutMs },
      )
    },
    async refuseConnections(refuse) {
      // From the server's own database: PostgreSQL will not take the setting from a session of the database itself.
      const server = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} })
      try {
        const name = new URL(database.url).pathname.slice(1)
        await server.unsafe(`alter database ${name} allow_connections ${refuse ? 'false' : 'true'}`)
      } finally {
        await server.end({ timeout: 5 })
      }
    },
    async hold(lockSql) {
      let release!: () => void
      const released = new Promise<void>((r) => (release = r))
      let locked!: () => void
      const lockTaken = new Promise<void>((r) => (locked = r))
      const holding = admin.begin(async (tx) => {
        await tx.unsafe(lockSql)
        locked()
        await released
      })
      await Promise.race([lockTaken, holding])
      return async () => {
        release()
        await holding
      }
    },
    storm(pauseMs, where) {
      let stopped = false
      let killed = 0
      const loop = (async () => {
        while (!stopped) {
          killed += await terminate(where)
          await new Promise((r) => setTimeout(r, pauseMs))
        }
      })()
      return {
        async stop() {
          stopped = true
          await loop
          return killed
        },
      }
    },
    close: () => admin.end({ timeout: 5 }),
  }
}

/** A killer on `database()` for the enclosing suite: opened before its tests, closed after; the accessor returns it. */
export function useKiller(database: () => Database): () => Killer {
  let killer: Killer | undefined
  beforeAll(async () => {
    killer = await openKiller(database())
  })
  afterAll(async () => {
    await killer?.close()
  })
  return () => killer!
}

/** CommandComplete for COMMIT: 'C', length 11, "COMMIT\0". */
const COMMIT_COMPLETE = Buffer.from([0x43, 0, 0, 0, 11, ...Buffer.from('COMMIT'), 0])

export interface CommitCutter {
  /** `database` as seen through the relay: the same server, its own pool of `max` connections. */
  database: Database
  /** Cuts the connection that receives a COMMIT's answer, once, after letting `skip` such answers through. */
  arm(skip?: number): void
  /** Commits whose answer was cut so far. */
  cuts(): number
  close(): Promise<void>
}

export async function startCommitCutter(database: Database, max: number): Promise<CommitCutter> {
  const target = new URL(database.url)
  let armed = false
  let skip = 0
  let cuts = 0
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname)
    const close = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    sockets.add(client).add(upstream)
    client.on('data', (chunk) => upstream.write(chunk))
    upstream.on('data', (chunk) => {
      if (armed && chunk.includes(COMMIT_COMPLETE) && skip-- === 0) {
        armed = false
        cuts++
        close()
        return
      }
      client.write(chunk)
    })
    for (const s of [client, upstream]) s.on('close', close).on('error', close)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = new URL(database.url)
  url.port = String((server.address() as { port: number }).port)
  // The pool as @curia/db's client opens it (unnamed statements on PGlite's shared session), types warmed.
  const sql = postgres(url.toString(), {
    max,
    onnotice: () => {},
    ...(database.embedded ? { prepare: false } : {}),
  })
  await sql`select 1`
  return {
    database: { ...database, sql, url: url.toString(), close: () => sql.end({ timeout: 0 }) },
    arm(letThrough = 0) {
      armed = true
      skip = letThrough
    },
    cuts: () => cuts,
    async close() {
      // No grace period: postgres.js 3.4.9 never lets a cut connection end cleanly (it keeps its last query).
      await sql.end({ timeout: 0 })
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** `@curia/db/testing`'s poller with this file's generous limit (no timing is asserted). */
export const waitFor = <T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  opts: { timeoutMs?: number; explain?: () => unknown } = {},
): Promise<T> => pollUntil(what, probe, { timeoutMs: 60_000, ...opts })

/**
 * Opens `max` transactions that each hold their connection until all of them have one: resolves only if every
 * connection of the pool works (reconnected after a kill; not lost to the pool, not failing every statement).
 */
export async function expectEveryConnectionWorks(database: Database, max: number): Promise<void> {
  let opened = 0
  let together = 0
  let release!: () => void
  const allOpen = new Promise<void>((resolve) => {
    release = () => {
      together ||= opened
      resolve()
    }
  })
  const deadline = setTimeout(() => release(), 45_000)
  try {
    await Promise.all(
      Array.from({ length: max }, () =>
        inTransaction(database, async (tx) => {
          await tx`select 1`
          if (++opened === max) release()
          await allOpen
        }),
      ),
    )
  } finally {
    clearTimeout(deadline)
  }
  if (together < max)
    throw new Error(`only ${together} of the pool's ${max} connections could open a transaction`)
}
