import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database, Sql } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { planBatch } from '../src/batch'
import type { IndexOp, PostRow } from '@curia/curation/records/types'
import { openWriteConnection, readCursor, writeBatch } from '../src/write'

let database: Database
let dedicated: Sql
beforeAll(async () => {
  database = await createTestDatabase()
  dedicated = openWriteConnection(database, 'write-test')
})
afterAll(async () => {
  await dedicated.end()
  await database.close()
})
beforeEach(async () => {
  await database.sql`truncate post, engagement, author, indexer_cursor`
})

const did = 'did:plc:author'
const postUri = (n: number) => `at://${did}/app.bsky.feed.post/p${n}`
const likeUri = (n: number, by = 'did:plc:fan') => `at://${by}/app.bsky.feed.like/l${n}`
const repostUri = (n: number) => `at://did:plc:fan/app.bsky.feed.repost/r${n}`

function postRow(n: number, over: Partial<PostRow> = {}): PostRow {
  return {
    uri: postUri(n),
    cid: `bafy${n}`,
    authorDid: did,
    text: `post ${n}`,
    langs: ['en', 'en-GB'],
    facets: [{ kind: 'tag', byteStart: 0, byteEnd: 4, tag: 'post' }],
    embed: {
      kind: 'images',
      images: [{ cid: 'bafyimg', alt: 'a cat', aspectRatio: { width: 4, height: 3 } }],
    },
    replyRoot: null,
    replyParent: null,
    quoteUri: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...over,
  }
}
const create = (n: number, over: Partial<PostRow> = {}): IndexOp => ({
  op: 'post_upsert',
  row: postRow(n, over),
  candidate: true,
})
const del = (n: number): IndexOp => ({ op: 'post_delete', uri: postUri(n) })
const like = (n: number, post: number, by?: string): IndexOp => ({
  op: 'engagement_create',
  row: {
    uri: likeUri(n, by),
    kind: 'like',
    subjectUri: postUri(post),
    authorDid: by ?? 'did:plc:fan',
    createdAt: '2026-01-01T00:01:00Z',
  },
})
const unlike = (n: number, by?: string): IndexOp => ({ op: 'engagement_delete', uri: likeUri(n, by) })
const repost = (n: number, post: number): IndexOp => ({
  op: 'engagement_create',
  row: {
    uri: repostUri(n),
    kind: 'repost',
    subjectUri: postUri(post),
    authorDid: 'did:plc:fan',
    createdAt: '2026-01-01T00:01:00Z',
  },
})

const cursorKey = 'test'
// Every case runs on both ways writeBatch keeps a batch atomic: its own pipelined transaction on the indexer's
// single write connection, and sql.begin() on a pooled client.
let client: () => Sql = () => database.sql
const apply = (ops: IndexOp[], cursor?: number) =>
  writeBatch(client(), planBatch(ops), cursor === undefined ? undefined : { key: cursorKey, value: cursor })

async function posts() {
  return database.sql<
    {
      uri: string
      text: string
      langs: string[]
      like_count: number
      repost_count: number
      deleted: boolean
      embed: unknown
      facets: unknown
    }[]
  >`select uri, text, langs, like_count, repost_count, deleted_at is not null as deleted, embed, facets from post order by uri`
}
async function liveEngagement() {
  const rows = await database.sql<
    { uri: string }[]
  >`select uri from engagement where deleted_at is null order by uri`
  return rows.map((r) => r.uri)
}

describe.each([
  ['on the dedicated write connection', () => dedicated],
  ['on a pooled client', () => database.sql],
] as const)('writeBatch %s', (_name, pick) => {
  beforeAll(() => {
    client = pick
  })

  it('stores a post with langs, facets and embed as written', async () => {
    await apply([create(1)], 10)
    const [row] = await posts()
    expect(row).toMatchObject({
      uri: postUri(1),
      text: 'post 1',
      langs: ['en', 'en-GB'],
      like_count: 0,
      deleted: false,
    })
    expect(row?.facets).toEqual([{ kind: 'tag', byteStart: 0, byteEnd: 4, tag: 'post' }])
    expect(row?.embed).toEqual({
      kind: 'images',
      images: [{ cid: 'bafyimg', alt: 'a cat', aspectRatio: { width: 4, height: 3 } }],
    })
    expect(await readCursor(database.sql, cursorKey)).toBe(10)
  })

  it('round-trips text that array literals must escape, and nulls', async () => {
    const nasty = 'he said "hi" \\ {a,b} NULL, \'quoted\'\n\ttabs 🌍 ""'
    await apply([
      create(1, { text: nasty, replyRoot: null, quoteUri: 'NULL', embed: null, facets: [] }),
      create(2, { text: '' }),
    ])
    const rows = await database.sql<
      { text: string; quote_uri: string | null; reply_root: string | null; embed: unknown }[]
    >`
      select text, quote_uri, reply_root, embed from post order by uri`
    expect(rows).toEqual([
      { text: nasty, quote_uri: 'NULL', reply_root: null, embed: null },
      { text: '', quote_uri: null, reply_root: null, embed: expect.anything() as unknown },
    ])
  })

  it('round-trips facets and embeds whose strings array literals and JSON both escape', async () => {
    // Every character JSON escapes (quotes, backslashes, control characters) and some it does not (U+2028, DEL,
    // astral characters), in the jsonb columns, which travel as JSON text quoted for the array literal.
    const nasty = 'a "quote" \\ back\\slash\n\r\t\u0001\u001f \u2028 \u007f 🌍 {a,b} NULL \\"'
    const facets: PostRow['facets'] = [
      { kind: 'link', byteStart: 0, byteEnd: 1, uri: `https://e.com/${nasty}` },
      { kind: 'tag', byteStart: 1, byteEnd: 2, tag: nasty },
    ]
    const embed: PostRow['embed'] = {
      kind: 'external',
      uri: 'https://e.com/"x"',
      title: nasty,
      description: `${nasty}\n${nasty}`,
    }
    await apply([create(1, { facets, embed }), create(2, { facets: [], embed: null })])
    const rows = await posts()
    expect(rows.map((r) => [r.facets, r.embed])).toEqual([
      [facets, embed],
      [[], null],
    ])
  })

  it('is idempotent: the same batch applied twice leaves the same rows and counts', async () => {
    const batch = [
      create(1),
      create(2, { langs: [], embed: null, facets: [] }),
      like(1, 1),
      like(2, 1),
      repost(1, 2),
    ]
    const first = await apply(batch, 1)
    const before = await posts()
    const second = await apply(batch, 1)
    expect(await posts()).toEqual(before)
    expect(first).toMatchObject({ postsUpserted: 2, engagementAdded: 3 })
    expect(second).toMatchObject({ postsUpserted: 0, engagementAdded: 0 })
    expect(before.map((p) => [p.like_count, p.repost_count])).toEqual([
      [2, 0],
      [0, 1],
    ])
  })

  it('create then delete of the same post in one batch leaves no live post and counts nothing', async () => {
    await apply([create(1), like(1, 1), del(1), like(2, 1)], 5)
    const rows = await posts()
    expect(rows.filter((p) => !p.deleted)).toEqual([])
    expect(await liveEngagement()).toEqual([])
    expect(await readCursor(database.sql, cursorKey)).toBe(5)
  })

  it('counts a like once however often it is replayed, and only for an indexed post', async () => {
    await apply([create(1)])
    await apply([like(1, 1), like(2, 99 /* never indexed */)])
    await apply([like(1, 1)])
    await apply([like(1, 1), like(1, 1)])
    const [row] = await posts()
    expect(row?.like_count).toBe(1)
    expect(await liveEngagement()).toEqual([likeUri(1)])
  })

  it('a like delete decrements the right post; a like created again at its URI counts again, once', async () => {
    await apply([create(1), create(2), like(1, 1), like(2, 1), like(3, 2)])
    const outcome = await apply([unlike(1)])
    expect(outcome.engagementRemoved).toBe(1)
    expect((await posts()).map((p) => p.like_count)).toEqual([1, 1])
    await apply([unlike(1), unlike(42)]) // deleting again, or something never seen, changes nothing
    await apply([like(1, 1), unlike(1)]) // the stream replayed from before the unlike brings the unlike too
    expect((await posts()).map((p) => p.like_count)).toEqual([1, 1])
    // Deleted, then created again at the same URI: live and counted again, and a replay of that create is not.
    await apply([like(1, 1)])
    await apply([like(1, 1)])
    expect((await posts()).map((p) => p.like_count)).toEqual([2, 1])
    expect(await liveEngagement()).toEqual([likeUri(1), likeUri(2), likeUri(3)])
  })

  it('like and unlike in one batch never touch the count', async () => {
    await apply([create(1)])
    await apply([like(1, 1), unlike(1), like(2, 1)])
    expect((await posts())[0]?.like_count).toBe(1)
    expect(await liveEngagement()).toEqual([likeUri(2)])
  })

  it('a deleted post is tombstoned and loses its engagement; created again at its URI it is a new post', async () => {
    await apply([create(1, { text: 'secret' }), like(1, 1), repost(1, 1)])
    await apply([del(1)])
    // The stream replayed from before the delete brings the delete again after the create.
    await apply([create(1, { text: 'secret' }), like(2, 1), del(1)])
    const [row] = await posts()
    expect(row).toMatchObject({
      deleted: true,
      text: '',
      like_count: 0,
      repost_count: 0,
      embed: null,
      facets: [],
    })
    expect(await database.sql`select uri from engagement`).toHaveLength(0)

    // Created again at the same URI (putRecord after the delete): live, with its own content and date, none of
    // the old engagement, and only the likes that came after it.
    await apply([
      create(1, { cid: 'bafyagain', text: 'again', createdAt: '2026-02-01T00:00:00.000Z' }),
      like(3, 1),
    ])
    const [again] = await database.sql<{ text: string; likes: number; deleted: boolean; created: string }[]>`
      select text, like_count as likes, deleted_at is not null as deleted,
             to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as created from post`
    expect(again).toEqual({ text: 'again', likes: 1, deleted: false, created: '2026-02-01' })
    expect(await liveEngagement()).toEqual([likeUri(3)])
  })

  it('an update changes content but not createdAt, and a non-candidate update only touches existing rows', async () => {
    await apply([create(1)])
    await apply([
      {
        op: 'post_upsert',
        row: postRow(1, { cid: 'bafy-v2', text: 'v2', createdAt: '2030-01-01T00:00:00Z' }),
        candidate: false,
      },
      { op: 'post_upsert', row: postRow(2), candidate: false },
    ])
    const rows = await database.sql<{ uri: string; text: string; kept: boolean }[]>`
      select uri, text, created_at = '2026-01-01T00:00:00Z'::timestamptz as kept from post`
    expect(rows).toEqual([{ uri: postUri(1), text: 'v2', kept: true }])
  })

  it('keeps the latest profile and handle per author without one clobbering the other', async () => {
    await apply([
      { op: 'profile', did, displayName: 'Old', avatarCid: 'bafyold' },
      { op: 'handle', did, handle: 'old.test' },
      { op: 'profile', did, displayName: 'New', avatarCid: null },
      { op: 'handle', did, handle: 'new.test' },
    ])
    await apply([{ op: 'profile', did, displayName: 'Newer', avatarCid: 'bafynew' }])
    const rows = await database.sql`select did, handle, display_name, avatar_cid from author`
    expect(rows).toEqual([{ did, handle: 'new.test', display_name: 'Newer', avatar_cid: 'bafynew' }])
  })

  it('records an account going inactive and back; an active event for an unknown account writes nothing', async () => {
    const status = () =>
      database.sql<{ did: string; status: string | null; changed: string | null }[]>`
        select did, status, status_changed_at::text as changed from author order by did`
    await apply([
      { op: 'account_status', did: 'did:plc:stranger', status: null },
      { op: 'profile', did, displayName: 'Named', avatarCid: null },
      { op: 'account_status', did, status: 'deactivated' },
      { op: 'account_status', did, status: 'takendown' },
    ])
    const [first] = await status()
    expect(first).toMatchObject({ did, status: 'takendown' })
    expect((await status()).map((r) => r.did)).toEqual([did])
    // A replay changes nothing, not even the time of the change (the feed's cache keys on it).
    await apply([{ op: 'account_status', did, status: 'takendown' }])
    expect((await status())[0]!.changed).toBe(first!.changed)
    await apply([{ op: 'account_status', did, status: null }])
    expect((await status())[0]).toMatchObject({ did, status: null })
    const [named] = await database.sql`select display_name from author where did = ${did}`
    expect(named).toEqual({ display_name: 'Named' })
  })

  it('moves the cursor only with a committed batch: a batch that fails mid-way leaves neither rows nor cursor', async () => {
    await apply([create(1)], 100)
    // The second post's timestamp is out of range for Postgres: the statement fails after the first rows were
    // accepted by earlier statements of the same transaction.
    const bad = [create(2), like(1, 1), create(3, { createdAt: '10000000-01-01T00:00:00Z' })]
    await expect(apply(bad, 200)).rejects.toThrow()
    expect((await posts()).map((p) => [p.uri, p.like_count])).toEqual([[postUri(1), 0]])
    expect(await liveEngagement()).toEqual([])
    expect(await readCursor(database.sql, cursorKey)).toBe(100)
  })

  it('moves the cursor for a batch with nothing to write', async () => {
    await apply([], 7)
    expect(await readCursor(database.sql, cursorKey)).toBe(7)
    await apply([], 9)
    expect(await readCursor(database.sql, cursorKey)).toBe(9)
  })
})

// Two sessions at once: PGlite has one, so this runs on PostgreSQL (CI sets DATABASE_URL).
describe.skipIf(!process.env.DATABASE_URL)('a like racing a delete of its post (the retention prune)', () => {
  it('waits for the delete to commit, then stores no like for the post that is gone', async () => {
    await apply([create(1)])
    const pruner = openWriteConnection(database, 'write-test-pruner')
    try {
      let writing: ReturnType<typeof writeBatch> | undefined
      await pruner.begin(async (tx) => {
        // As retention.ts deletes a post: the row is locked and gone once this commits.
        await tx`delete from post where uri = ${postUri(1)}`
        writing = writeBatch(dedicated, planBatch([like(1, 1)]), { key: cursorKey, value: 5 })
        // The like's statement must be blocked on the post's row lock before the delete commits.
        for (let waited = 0; ; waited++) {
          const [row] = await database.sql<{ n: number }[]>`
            select count(*)::int as n from pg_stat_activity
            where application_name = 'write-test' and wait_event_type = 'Lock'`
          if (row?.n === 1) break
          if (waited > 500) throw new Error('the like never waited for the post being deleted')
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
      })
      expect((await writing!).engagementAdded).toBe(0)
      // No like row outlived its post (it would be counted nowhere, and pruned never).
      expect(await database.sql`select uri from engagement`).toHaveLength(0)
      expect(await readCursor(database.sql, cursorKey)).toBe(5)
    } finally {
      await pruner.end()
    }
  })
})
