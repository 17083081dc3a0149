import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { applyMigrations, openDatabase, type Database } from './client'

/**
 * A fresh, migrated database for one test file: on the PostgreSQL named by `DATABASE_URL` (a new database per
 * file, dropped on close) or, without it, an in-memory PGlite behind its socket, exactly as `npm start` runs.
 */
export async function createTestDatabase(opts: { max?: number } = {}): Promise<Database> {
  const serverUrl = process.env.DATABASE_URL
  if (!serverUrl) return openDatabase({ dataDir: 'memory://', max: opts.max ?? 4 })

  const name = `curia_test_${randomBytes(6).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  await applyMigrations(url.toString())
  const database = await openDatabase({ url: url.toString(), max: opts.max ?? 10, migrate: false })
  return {
    ...database,
    async close() {
      await database.close()
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    },
  }
}

/**
 * Polls until `check` returns a value other than undefined/false. The deadline only turns a hang into a failure
 * with a useful message; nothing asserts how long anything took.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; explain?: () => unknown } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 45_000)
  let lastError: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined && value !== false) return value
    } catch (err) {
      // A poll that fails (embedded PGlite can fail a query while another connection's fails,
      // electric-sql/pglite#1046) is retried; only the deadline decides.
      lastError = err
    }
    if (Date.now() > deadline) {
      const detail = opts.explain ? JSON.stringify(await opts.explain(), null, 1).slice(0, 4000) : ''
      const error = lastError instanceof Error ? `; last error: ${lastError.message}` : ''
      throw new Error(`timed out waiting for ${what}${detail ? `; last state: ${detail}` : ''}${error}`)
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50))
  }
}
