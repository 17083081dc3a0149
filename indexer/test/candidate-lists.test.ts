import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database, Sql } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import type { IndexOp } from '@curia/curation/records/types'
import { planBatch } from '../src/batch'
import { startIndexer } from '../src/indexer'
import type { CommitEvent } from '../src/source/types'
import { openWriteConnection, writeBatch } from '../src/write'
import { PushSource, freePort, livePosts, memoryLogger, testConfig, waitFor } from './helpers'

let database: Database
let dedicated: Sql
let closedPort: number
beforeAll(async () => {
  database = await createTestDatabase()
  dedicated = openWriteConnection(database, 'candidate-lists-test')
  // A PLC nobody listens on: the backfill's identity lookups fail at once, as when the network is down.
  closedPort = await freePort()
})
afterAll(async () => {
  await dedicated.end()
  await database.close()
})
beforeEach(async () => {
  await database.sql`truncate post, engagement, author, indexer_cursor, candidate_list_item`
})

const owner = 'did:plc:owner'
const list = `at://${owner}/app.bsky.graph.list/3kcurated`
const itemUri = (rkey: string) => `at://${owner}/app.bsky.graph.listitem/${rkey}`
const upsert = (rkey: string, subjectDid: string, listUri = list): IndexOp => ({
  op: 'list_item_upsert',
  row: { uri: itemUri(rkey), listUri, subjectDid },
})
const remove = (rkey: string): IndexOp => ({ op: 'list_item_delete', uri: itemUri(rkey) })
const stored = async () =>
  (
    await database.sql<{ uri: string; list_uri: string; subject_did: string }[]>`
      select uri, list_uri, subject_did from candidate_list_item order by uri`
  ).map((r) => `${r.uri} ${r.list_uri} ${r.subject_did}`)

describe.each([
  ['pooled client (sql.begin)', () => database.sql],
  ['single write connection (pipelined)', () => dedicated],
])('candidate list items written by writeBatch, %s', (_, client) => {
  const apply = (ops: IndexOp[]) => writeBatch(client(), planBatch(ops), undefined)

  it('stores, re-points and removes items by their URI; replays change nothing', async () => {
    const first = [upsert('i1', 'did:plc:a'), upsert('i2', 'did:plc:b')]
    expect(await apply(first)).toMatchObject({ listItemsUpserted: 2, listItemsRemoved: 0 })
    expect(await apply(first)).toMatchObject({ listItemsUpserted: 0, listItemsRemoved: 0 })
    expect(await stored()).toEqual([
      `${itemUri('i1')} ${list} did:plc:a`,
      `${itemUri('i2')} ${list} did:plc:b`,
    ])

    expect(await apply([upsert('i2', 'did:plc:c')])).toMatchObject({ listItemsUpserted: 1 })
    expect(await apply([remove('i1'), remove('unknown')])).toMatchObject({ listItemsRemoved: 1 })
    expect(await apply([remove('i1')])).toMatchObject({ listItemsRemoved: 0 })
    expect(await stored()).toEqual([`${itemUri('i2')} ${list} did:plc:c`])
  })

  it('applies the last op of a batch for an item, as one by one would', async () => {
    await apply([
      upsert('i1', 'did:plc:a'),
      remove('i1'),
      upsert('i2', 'did:plc:b'),
      remove('i2'),
      upsert('i2', 'did:plc:b'),
    ])
    expect(await stored()).toEqual([`${itemUri('i2')} ${list} did:plc:b`])
  })

  it('rolls the items back with the rest of a batch that fails', async () => {
    const bad: IndexOp = {
      op: 'post_upsert',
      candidate: true,
      row: {
        uri: 'at://did:plc:a/app.bsky.feed.post/p1',
        cid: 'bafy',
        authorDid: 'did:plc:a',
        text: 'x',
        langs: [],
        facets: [],
        embed: null,
        replyRoot: null,
        replyParent: null,
        quoteUri: null,
        createdAt: 'not a time', // refused by Postgres
      },
    }
    await expect(apply([upsert('i1', 'did:plc:a'), bad])).rejects.toThrow()
    expect(await stored()).toEqual([])
  })
})

const cid = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
let cursor = 1_000
const now = Date.now()
const commit = (
  did: string,
  collection: string,
  rkey: string,
  record: unknown,
  operation: CommitEvent['operation'] = 'create',
): CommitEvent => ({
  kind: 'commit',
  cursor: ++cursor,
  timeMs: now,
  did,
  collection,
  rkey,
  operation,
  cid,
  record,
})
const itemEvent = (rkey: string, subject: string, op: CommitEvent['operation'] = 'create') =>
  commit(
    owner,
    'app.bsky.graph.listitem',
    rkey,
    op === 'delete'
      ? undefined
      : { $type: 'app.bsky.graph.listitem', subject, list, createdAt: new Date(now).toISOString() },
    op,
  )
// German posts: only a list member's pass a policy for Japanese.
const postEvent = (did: string, rkey: string) =>
  commit(did, 'app.bsky.feed.post', rkey, {
    $type: 'app.bsky.feed.post',
    text: `post ${rkey}`,
    langs: ['de'],
    createdAt: new Date(now).toISOString(),
  })
const postUri = (did: string, rkey: string) => `at://${did}/app.bsky.feed.post/${rkey}`

describe('startIndexer with a candidate list', () => {
  const config = () =>
    testConfig({
      CURIA_CANDIDATE_LISTS: list,
      CURIA_CANDIDATE_LANGS: 'ja',
      CURIA_PLC_URL: `http://127.0.0.1:${closedPort}`,
    })

  it("follows the list's items in stream order; a delete stops new posts only; bad items are counted", async () => {
    const source = new PushSource()
    const log = memoryLogger()
    const indexer = await startIndexer({
      database,
      config: config(),
      log,
      source,
      listRetry: { initialMs: 60_000, maxMs: 60_000 },
    })
    try {
      // The backfill could not reach the owner's PLC: said plainly, and the indexer runs on.
      expect(log.lines.find((l) => l.includes(`candidate list ${list}: cannot load its members`))).toMatch(
        /retrying within \d+s/,
      )
      expect(indexer.status().candidateLists).toEqual({ lists: 1, members: 0, unloaded: [list] })

      source.push(
        postEvent('did:plc:member', 'before'), // not yet on the list
        itemEvent('i1', 'did:plc:member'),
        postEvent('did:plc:member', 'during'),
        postEvent('did:plc:stranger', 'stranger'),
        commit(owner, 'app.bsky.graph.listitem', 'bad', {
          $type: 'app.bsky.graph.listitem',
          subject: 'not a did',
          list,
          createdAt: new Date(now).toISOString(),
        }),
      )
      await waitFor('the member post', async () =>
        (await livePosts(database.sql)).includes(postUri('did:plc:member', 'during')),
      )
      expect(await stored()).toEqual([`${itemUri('i1')} ${list} did:plc:member`])
      expect(indexer.status().totals.skipped.invalid_record).toBe(1)
      expect(indexer.status().candidateLists.members).toBe(1)

      source.push(
        itemEvent('i1', '', 'delete'),
        postEvent('did:plc:member', 'after'),
        postEvent(owner, 'marker'),
      )
      await waitFor('the delete', async () => (await stored()).length === 0)
      await waitFor('the batch', () => indexer.status().pendingEvents === 0)
      expect(await livePosts(database.sql)).toEqual([postUri('did:plc:member', 'during')])
    } finally {
      await indexer.stop()
    }
  })

  it('starts from the members stored by an earlier run when the backfill cannot run', async () => {
    await writeBatch(
      database.sql,
      planBatch([
        upsert('i1', 'did:plc:member'),
        upsert('i2', 'did:plc:x', `at://${owner}/app.bsky.graph.list/3kother`),
      ]),
      undefined,
    )
    const source = new PushSource()
    const indexer = await startIndexer({
      database,
      config: config(),
      log: memoryLogger(),
      source,
      listRetry: { initialMs: 60_000, maxMs: 60_000 },
    })
    try {
      // Only the configured list's items count; a list no longer configured is forgotten.
      expect(indexer.status().candidateLists.members).toBe(1)
      expect(await stored()).toEqual([`${itemUri('i1')} ${list} did:plc:member`])
      source.push(postEvent('did:plc:member', 'p'), postEvent('did:plc:x', 'q'))
      await waitFor('the batch', () => indexer.status().totals.committed === 2)
      expect(await livePosts(database.sql)).toEqual([postUri('did:plc:member', 'p')])
    } finally {
      await indexer.stop()
    }
  })
})
