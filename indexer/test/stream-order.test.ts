import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Sql } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import type { IndexOp } from '@curia/curation/records/types'
import { planBatch } from '../src/batch'
import { openWriteConnection, writeBatch } from '../src/write'

// A batch leaves what its ops applied one at a time, in stream order, leave: where the batch boundaries fall changes
// nothing. The rule per record is the stream's (batch.ts): the last op wins, so a post or like deleted and then
// created again at the same URI (putRecord) is live again, whether the delete and the create share a batch or not,
// and whether or not the delete was of something never indexed.

let database: Database
let sql: Sql
beforeAll(async () => {
  database = await createTestDatabase()
  sql = openWriteConnection(database, 'stream-order-test')
})
afterAll(async () => {
  await sql.end()
  await database.close()
})

const postUri = (n: number) => `at://did:plc:author/app.bsky.feed.post/p${n}`
const likeUri = (n: number) => `at://did:plc:fan/app.bsky.feed.like/l${n}`
const repostUri = (n: number) => `at://did:plc:fan/app.bsky.feed.repost/r${n}`

const create = (post: number, version = 0, candidate = true): IndexOp => ({
  op: 'post_upsert',
  candidate,
  row: {
    uri: postUri(post),
    cid: `bafyv${version}`,
    authorDid: 'did:plc:author',
    text: `version ${version}`,
    langs: ['en'],
    facets: [],
    embed: null,
    replyRoot: null,
    replyParent: null,
    quoteUri: null,
    createdAt: `2026-01-0${version + 1}T00:00:00.000Z`,
  },
})
const del = (post: number): IndexOp => ({ op: 'post_delete', uri: postUri(post) })
const like = (n: number, post: number): IndexOp => ({
  op: 'engagement_create',
  row: {
    uri: likeUri(n),
    kind: 'like',
    subjectUri: postUri(post),
    authorDid: 'did:plc:fan',
    createdAt: '2026-01-05T00:00:00Z',
  },
})
const repost = (n: number, post: number): IndexOp => ({
  op: 'engagement_create',
  row: {
    uri: repostUri(n),
    kind: 'repost',
    subjectUri: postUri(post),
    authorDid: 'did:plc:fan',
    createdAt: '2026-01-05T00:00:00Z',
  },
})
const unlike = (n: number): IndexOp => ({ op: 'engagement_delete', uri: likeUri(n) })
const unrepost = (n: number): IndexOp => ({ op: 'engagement_delete', uri: repostUri(n) })

/** Applies `ops` in batches that end after each index in `cuts`, from an empty database; returns what is live. */
async function applyInBatches(ops: readonly IndexOp[], cuts: ReadonlySet<number>) {
  await sql`delete from engagement`
  await sql`delete from post`
  let batch: IndexOp[] = []
  for (const [i, op] of ops.entries()) {
    batch.push(op)
    if (cuts.has(i) || i === ops.length - 1) {
      await writeBatch(sql, planBatch(batch), undefined)
      batch = []
    }
  }
  return liveState()
}

async function liveState() {
  const posts = await sql<{ uri: string; text: string; likes: number; reposts: number; created: string }[]>`
    select uri, text, like_count as likes, repost_count as reposts, created_at::text as created
    from post where deleted_at is null order by uri`
  const engagement = await sql<{ uri: string; subject: string }[]>`
    select uri, subject_uri as subject from engagement where deleted_at is null order by uri`
  // The counts are the live rows, whatever the path that led there.
  const [drift] = await sql<{ n: number }[]>`
    select count(*)::int as n from post p where p.deleted_at is null and (p.like_count, p.repost_count) <>
      (select count(*) filter (where e.kind = 'like'), count(*) filter (where e.kind = 'repost')
       from engagement e where e.subject_uri = p.uri and e.deleted_at is null)`
  return { posts, engagement, countsDrift: drift?.n }
}

const oneAtATime = (ops: readonly IndexOp[]) => applyInBatches(ops, new Set(ops.keys()))
const allInOne = (ops: readonly IndexOp[]) => applyInBatches(ops, new Set())

describe('a record deleted before it is created again', () => {
  it('gives the same result in one batch as across batches (the reviewer’s cases)', async () => {
    // A like deleted, then created again at its URI: live and counted either way.
    const likeOps = [create(1), unlike(1), like(1, 1)]
    expect(await allInOne(likeOps)).toEqual(await applyInBatches(likeOps, new Set([1])))
    expect((await allInOne(likeOps)).posts).toMatchObject([{ uri: postUri(1), likes: 1 }])
    // A post deleted (never indexed), then created at its URI: live either way.
    const postOps = [del(1), create(1)]
    expect(await allInOne(postOps)).toEqual(await oneAtATime(postOps))
    expect((await allInOne(postOps)).posts).toMatchObject([{ uri: postUri(1) }])
  })

  it('comes back with its new content, date and engagement only, in one batch as across batches', async () => {
    const ops = [create(1, 0), like(1, 1), repost(1, 1), del(1), create(1, 1), like(2, 1), unrepost(1)]
    const expected = {
      posts: [
        {
          uri: postUri(1),
          text: 'version 1',
          likes: 1,
          reposts: 0,
          created: expect.stringContaining('2026-01-02') as unknown,
        },
      ],
      engagement: [{ uri: likeUri(2), subject: postUri(1) }],
      countsDrift: 0,
    }
    expect(await allInOne(ops)).toEqual(expected)
    expect(await oneAtATime(ops)).toEqual(expected)
    expect(await applyInBatches(ops, new Set([3]))).toEqual(expected)
  })
})

describe('batch boundaries', () => {
  // Two posts, three likes and a repost over them; creates in three versions, candidates or not.
  const op = fc.oneof(
    fc
      .tuple(fc.nat(1), fc.nat(2), fc.boolean())
      .map(([post, version, candidate]) => create(post, version, candidate)),
    fc.nat(1).map(del),
    fc.tuple(fc.nat(2), fc.nat(1)).map(([n, post]) => like(n, post)),
    fc.nat(2).map(unlike),
    fc.nat(1).map((post) => repost(0, post)),
    fc.constant(unrepost(0)),
  )

  it('never change what a sequence of ops leaves', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat(9), { maxLength: 4 }),
        async (ops, cuts) => {
          const expected = await oneAtATime(ops)
          expect(expected.countsDrift).toBe(0)
          expect(await allInOne(ops)).toEqual(expected)
          expect(await applyInBatches(ops, new Set(cuts))).toEqual(expected)
        },
      ),
      { numRuns: 60 },
    )
  })
})
