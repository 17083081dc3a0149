import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { startIndexer } from '../src/indexer'
import type { IdentityEvent } from '../src/source/types'
import { readCursor } from '../src/write'
import { PushSource, livePosts, memoryLogger, postCreate, refuseRow, testConfig, waitFor } from './helpers'

// stop() while a batch cannot be written (the database away) gives that batch up: it is read again on restart, from
// the committed cursor. Batches commit strictly in stream order, so nothing read after it may be written either: its
// cursor would pass the batch given up. A trigger refusing one row (helpers.ts refuseRow) plays the outage for the
// batch that holds the row while the database stays there for every other batch.

let database: Database
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(async () => {
  await database.close()
})
beforeEach(async () => {
  await database.sql`truncate post, engagement, author, indexer_cursor`
})

const did = 'did:plc:alice'
const now = Date.now()
const post = (rkey: string, cursor: number, text?: string) =>
  postCreate({ did, rkey, cursor, timeMs: now, text })
const handleOf = (who: string, cursor: number): IdentityEvent => ({
  kind: 'identity',
  cursor,
  timeMs: now,
  did: who,
  handle: 'someone.test',
})

describe('stopping while a batch cannot be written', () => {
  it('writes nothing after the batch it gives up, so the restart reads them all again', async () => {
    const allow = await refuseRow(database.sql, 'author', 'did', 'did:plc:refused')
    const source = new PushSource()
    const log = memoryLogger()
    const indexer = await startIndexer({
      database,
      config: testConfig({ CURIA_INDEXER_BATCH_SIZE: '1', CURIA_INDEXER_FLUSH_MS: '10' }),
      log,
      source,
      // Long enough that the first batch is still waiting to be retried when stop() is called.
      databaseRetry: { initialMs: 60_000, maxMs: 60_000 },
    })
    try {
      source.push(handleOf('did:plc:refused', 1))
      await waitFor('the first batch to fail', () => indexer.status().database.failedAttempts > 0)
      // The next batch would be written without trouble (the database is there for it): it must not be.
      source.push(post('b', 2))
      await indexer.stop()
    } finally {
      await allow()
    }
    expect(await readCursor(database.sql, 'push')).toBeUndefined()
    expect(await livePosts(database.sql)).toEqual([])
    expect(log.lines).toContainEqual(expect.stringContaining('stopping with 2 events unwritten'))
  })

  it('does not write the second half of a bisected batch after giving up the first', async () => {
    await database.sql`alter table post add constraint no_poison check (text <> 'poison')`
    const allow = await refuseRow(database.sql, 'author', 'did', 'did:plc:refused')
    const source = new PushSource()
    const log = memoryLogger()
    const indexer = await startIndexer({
      database,
      config: testConfig({ CURIA_INDEXER_BATCH_SIZE: '1000', CURIA_INDEXER_FLUSH_MS: '10' }),
      log,
      source,
      databaseRetry: { initialMs: 60_000, maxMs: 60_000 },
    })
    try {
      // The posts are written before the handles in a batch's transaction, so the poison post fails it first and
      // it is bisected: [the refused handle] then [poison, b]. The first half then waits for the "database".
      source.push(handleOf('did:plc:refused', 1), post('poison', 2, 'poison'), post('b', 3))
      await waitFor('the first half to fail', () => indexer.status().database.failedAttempts > 0, {
        explain: () => ({ status: indexer.status(), log: log.lines }),
      })
      await indexer.stop()
    } finally {
      await allow()
      await database.sql`alter table post drop constraint no_poison`
    }
    expect(await readCursor(database.sql, 'push')).toBeUndefined()
    expect(await livePosts(database.sql)).toEqual([])
  })
})
