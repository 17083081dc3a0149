import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { startIndexer } from '../src/indexer'
import { readCursor } from '../src/write'
import { PushSource, livePosts, memoryLogger, postCreate, refuseRow, testConfig, waitFor } from './helpers'

// The ops of one firehose commit share its seq as their cursor, and subscribeRepos resumes AFTER a cursor: committing
// seq S claims every op of commit S. So no batch may commit S while an op of that commit waits in a later batch (a
// kill -9 in between would lose it for good). A trigger refusing one row (helpers.ts refuseRow) holds the batch with
// that row; what committed before it is what a restart would resume from.

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
const uri = (rkey: string) => `at://${did}/app.bsky.feed.post/${rkey}`

describe('a firehose commit whose ops share one cursor', () => {
  it('is never split across batches with the cursor committed in between', async () => {
    const allow = await refuseRow(database.sql, 'post', 'uri', uri('c'))
    const source = new PushSource()
    const log = memoryLogger()
    const indexer = await startIndexer({
      database,
      config: testConfig({ CURIA_INDEXER_BATCH_SIZE: '2', CURIA_INDEXER_FLUSH_MS: '60000' }),
      log,
      source,
      databaseRetry: { initialMs: 20, maxMs: 50 },
    })
    try {
      // Commits at seq 8 and 9, then one commit of three posts at seq 10, then one at seq 11.
      source.push(post('p1', 8), post('p2', 9), post('a', 10), post('b', 10), post('c', 10), post('d', 11))
      await waitFor('the write holding post c to fail', () => indexer.status().database.failedAttempts > 0, {
        explain: () => ({ status: indexer.status(), log: log.lines }),
      })
      // Seq 10 cannot be claimed while c is unwritten: a restart resumes after the cursor, and would never see c.
      expect(await readCursor(database.sql, 'push')).toBe(9)
      expect(await livePosts(database.sql)).toEqual([uri('p1'), uri('p2')])

      await allow()
      await waitFor('the whole commit', async () => (await readCursor(database.sql, 'push')) === 10)
      expect(await livePosts(database.sql)).toEqual(['a', 'b', 'c', 'p1', 'p2'].map(uri))
    } finally {
      await allow()
      await indexer.stop()
    }
    expect(await readCursor(database.sql, 'push')).toBe(11)
    expect(await livePosts(database.sql)).toEqual(['a', 'b', 'c', 'd', 'p1', 'p2'].map(uri))
  })

  it('is bisected without committing its cursor until every op of it is written', async () => {
    await database.sql`alter table post add constraint no_poison check (text <> 'poison')`
    const allow = await refuseRow(database.sql, 'post', 'uri', uri('b'))
    const source = new PushSource()
    const log = memoryLogger()
    const indexer = await startIndexer({
      database,
      config: testConfig({ CURIA_INDEXER_BATCH_SIZE: '1000', CURIA_INDEXER_FLUSH_MS: '20' }),
      log,
      source,
      databaseRetry: { initialMs: 20, maxMs: 50 },
    })
    try {
      source.push(post('p', 9))
      await waitFor('seq 9', async () => (await readCursor(database.sql, 'push')) === 9)
      // One commit: the poison post makes the database refuse the batch, which is split between a and the rest.
      source.push(post('a', 10), post('poison', 10, 'poison'), post('b', 10))
      await waitFor('the write holding post b to fail', () => indexer.status().database.failedAttempts > 0, {
        explain: () => ({ status: indexer.status(), log: log.lines }),
      })
      expect(indexer.status().totals.skipped.write_rejected).toBe(1)
      // a and the skipped poison post are settled, but b is not: seq 10 stays unclaimed.
      expect(await readCursor(database.sql, 'push')).toBe(9)

      await allow()
      await waitFor('the whole commit', async () => (await readCursor(database.sql, 'push')) === 10)
      expect(await livePosts(database.sql)).toEqual(['a', 'b', 'p'].map(uri))
    } finally {
      await allow()
      await indexer.stop()
      await database.sql`alter table post drop constraint no_poison`
    }
  })
})
