import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { startIndexer } from '../src/indexer'
import type { CommitEvent, SourceEvent } from '../src/source/types'
import { readCursor } from '../src/write'
import {
  PushSource,
  TEST_CID,
  livePosts,
  memoryLogger,
  postCounts,
  postCreate,
  testConfig,
  waitFor,
} from './helpers'

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
const cid = TEST_CID
const now = Date.now()
let cursor = 1_000
const postEvent = (rkey: string, text?: string): CommitEvent =>
  postCreate({ did, rkey, cursor: ++cursor, timeMs: now, text })
const likeEvent = (rkey: string, postRkey: string): SourceEvent => ({
  kind: 'commit',
  cursor: ++cursor,
  timeMs: now,
  did: 'did:plc:bob',
  collection: 'app.bsky.feed.like',
  rkey,
  operation: 'create',
  cid,
  record: {
    $type: 'app.bsky.feed.like',
    subject: { uri: `at://${did}/app.bsky.feed.post/${postRkey}`, cid },
    createdAt: new Date(now).toISOString(),
  },
})
const uri = (rkey: string) => `at://${did}/app.bsky.feed.post/${rkey}`

describe('startIndexer', () => {
  it('skips and counts malformed events by reason, logs them rate-limited, and keeps indexing', async () => {
    const source = new PushSource()
    const log = memoryLogger()
    const indexer = await startIndexer({ database, config: testConfig(), log, source })
    source.push(
      postEvent('a'),
      { kind: 'invalid', reason: 'malformed_frame', detail: 'not JSON: {', cursor: ++cursor, timeMs: now },
      { kind: 'invalid', reason: 'malformed_frame', detail: 'not JSON: [' },
      { kind: 'invalid', reason: 'oversized_frame', detail: 'frame of 9 MB' },
      {
        ...postEvent('bad'),
        record: { $type: 'app.bsky.feed.post', text: 7, langs: ['en'], createdAt: 'x' },
      },
      { ...postEvent('bad2'), did: 'not-a-did' },
      postEvent('b'),
    )
    await waitFor('both good posts', async () => (await livePosts(database.sql)).length === 2)
    expect(await livePosts(database.sql)).toEqual([uri('a'), uri('b')])
    const status = indexer.status()
    expect(status.totals.skipped).toMatchObject({
      malformed_frame: 2,
      oversized_frame: 1,
      invalid_record: 1,
      invalid_identifier: 1,
    })
    expect(status.totals.received).toBe(7)
    // One line per reason per interval: the second malformed frame is held back.
    expect(log.lines.filter((l) => l.includes('skipped malformed_frame'))).toHaveLength(1)
    expect(log.lines.some((l) => l.includes('skipped invalid_record') && l.includes(uri('bad')))).toBe(true)
    await indexer.stop()
    expect(await readCursor(database.sql, 'push')).toBe(cursor)
  })

  it('resumes from the saved cursor', async () => {
    await database.sql`insert into indexer_cursor (source, cursor) values ('push', 4242)`
    const source = new PushSource()
    const indexer = await startIndexer({ database, config: testConfig(), log: memoryLogger(), source })
    expect(source.startCursor).toBe(4242)
    expect(indexer.status().cursor).toEqual({ key: 'push', committed: 4242 })
    await indexer.stop()
  })

  it('writes a batch as soon as it is full and the rest when stopped', async () => {
    const source = new PushSource()
    const indexer = await startIndexer({
      database,
      config: testConfig({ CURIA_INDEXER_BATCH_SIZE: '3', CURIA_INDEXER_FLUSH_MS: '60000' }),
      log: memoryLogger(),
      source,
    })
    source.push(postEvent('1'), postEvent('2'), postEvent('3'), postEvent('4'))
    await waitFor('the full batch', async () => (await livePosts(database.sql)).length === 3)
    expect(indexer.status().pendingEvents).toBe(1)
    await indexer.stop()
    expect(await livePosts(database.sql)).toHaveLength(4)
    expect(indexer.status().pendingEvents).toBe(0)
  })

  it('bisects a batch the database rejects for its data, skipping only the offending event', async () => {
    // A constraint stands in for any row Postgres refuses (a data or integrity error, SQLSTATE 22/23).
    await database.sql`alter table post add constraint no_poison check (text <> 'poison')`
    try {
      const source = new PushSource()
      const log = memoryLogger()
      const indexer = await startIndexer({
        database,
        config: testConfig({ CURIA_INDEXER_BATCH_SIZE: '1000', CURIA_INDEXER_FLUSH_MS: '20' }),
        log,
        source,
      })
      const events = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'].map((r) =>
        postEvent(r, r === 'p5' ? 'poison' : undefined),
      )
      source.push(...events, likeEvent('l1', 'p1'), likeEvent('l2', 'p5'))
      const last = cursor
      await waitFor(
        'the cursor past the batch',
        async () => (await readCursor(database.sql, 'push')) === last,
        {
          explain: () => ({ status: indexer.status(), log: log.lines }),
        },
      )
      expect(await livePosts(database.sql)).toEqual(['p1', 'p2', 'p3', 'p4', 'p6', 'p7'].map(uri))
      expect((await postCounts(database.sql))[uri('p1')]?.likes).toBe(1)
      expect(indexer.status().totals.skipped.write_rejected).toBe(1)
      expect(log.lines.some((l) => l.includes('skipped write_rejected') && l.includes(uri('p5')))).toBe(true)
      await indexer.stop()
    } finally {
      await database.sql`alter table post drop constraint no_poison`
    }
  })
})
