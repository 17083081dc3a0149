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
