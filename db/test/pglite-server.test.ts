import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import postgres from 'postgres'
import { openDatabase, type Database } from '../src/client'

/**
 * The embedded database as the web app and the launcher share it: several postgres.js clients, each with a pool,
 * on one PGlite session. Interleaving their protocol messages or transactions would corrupt results.
 */
let database: Database
let other: postgres.Sql

beforeAll(async () => {
  database = await openDatabase({ dataDir: 'memory://', max: 8 })
  other = postgres(database.url, { max: 8, prepare: false, onnotice: () => {} })
  await database.sql`create table counter (id int primary key, n int not null)`
  await database.sql`insert into counter values (1, 0)`
})
afterAll(async () => {
  await other.end()
  await database.close()
})

describe('embedded PGlite server', () => {
  it('answers hundreds of concurrent parameterised queries from two pools correctly', async () => {
    const results = await Promise.all(
      Array.from({ length: 400 }, (_, i) => {
        const sql = i % 2 ? database.sql : other
        return sql<{ v: number; s: string }[]>`select ${i}::int as v, ${'x'.repeat(i % 7)}::text as s`
      }),
    )
    results.forEach((rows, i) => expect(rows[0]).toEqual({ v: i, s: 'x'.repeat(i % 7) }))
  })

  it('keeps concurrent transactions whole: no lost updates, rollbacks undo only their own work', async () => {
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const sql = i % 2 ? database.sql : other
        const attempt = sql.begin(async (tx) => {
          const [row] = await tx<{ n: number }[]>`select n from counter where id = 1`
          await tx`update counter set n = ${row!.n + 1} where id = 1`
          if (i % 3 === 0) throw new Error('roll back')
        })
        await attempt.catch((err: Error) => expect(err.message).toBe('roll back'))
      }),
    )
    const [row] = await database.sql<{ n: number }[]>`select n from counter where id = 1`
    expect(row!.n).toBe(40) // 60 transactions, every third rolled back
  })

  it('rolls back the transaction of a client that disconnects mid-way, and serves the others', async () => {
    const quitter = postgres(database.url, { max: 1, prepare: false, onnotice: () => {} })
    const reserved = await quitter.reserve()
    await reserved`begin`
    await reserved`update counter set n = -1 where id = 1`
    const waiting = other<{ n: number }[]>`select n from counter where id = 1` // queued behind the open transaction
    await quitter.end({ timeout: 0 })
    const [row] = await waiting
    expect(row!.n).toBe(40)
  })
})
