import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { author, post, type Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { createSnapshotStore } from '@curia/curation/feed/snapshot-store'
import { isCurationError } from '@curia/curation/errors'
import { MICRO, price } from '@curia/curation/market/lmsr'
import { DEFAULT_MARKET_PARAMS } from '@curia/curation/market/params'
import { grantStartingCredits, setupLedger } from '@curia/curation/service/ledger'
import { openMarket } from '@curia/curation/service/market'
import { placeTrade } from '@curia/curation/service/trade'
import type { FeedPostView } from '../lib/feed-types'
import { hydrateSkeleton, loadFeedPage } from '../server/queries/feed'

const urls = {
  blobUrlTemplate: 'http://pds.test/xrpc/com.atproto.sync.getBlob?did={did}&cid={cid}',
  avatarUrlTemplate: 'http://pds.test/xrpc/com.atproto.sync.getBlob?did={did}&cid={cid}',
}
const ALICE = 'did:plc:alice0000000000000000000'
const BOB = 'did:plc:bob00000000000000000000000'
const CID = 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy'

let database: Database
let feedN = 0

beforeAll(async () => {
  database = await createTestDatabase()
  await database.db.insert(author).values([
    { did: ALICE, handle: 'alice.test', displayName: 'Alice', avatarCid: CID },
    // Bob's profile has not been indexed: only his posts are.
  ])
})
afterAll(async () => {
  await database.close()
})

/** Inserts posts and returns their ids and URIs, in insertion order. */
async function addPosts(
  rows: {
    did: string
    text: string
    deleted?: boolean
    embed?: unknown
    quoteUri?: string
    replyParent?: string
  }[],
): Promise<{ id: number; uri: string }[]> {
  const inserted = await database.db
    .insert(post)
    .values(
      rows.map((r, i) => ({
        uri: `at://${r.did}/app.bsky.feed.post/${Date.now().toString(36)}${feedN}x${i}`,
        cid: CID,
        authorDid: r.did,
        text: r.text,
        embed: (r.embed ?? null) as never,
        quoteUri: r.quoteUri ?? null,
        replyParent: r.replyParent ?? null,
        replyRoot: r.replyParent ?? null,
        createdAt: new Date('2026-03-01T10:00:00Z'),
        deletedAt: r.deleted ? new Date() : null,
        likeCount: i,
      })),
    )
    .returning({ id: post.id, uri: post.uri })
  return inserted
}

/** Writes a snapshot the way the ranker does and returns a store reading that feed. */
async function publish(postIds: number[]) {
  feedN += 1
  const feed = `test-${feedN}`
  await database.sql`
    insert into feed_snapshot (feed, ranking, post_ids, scores)
    values (${feed}, 'test', ${database.sql.array(postIds.map(String))}::bigint[],
            ${database.sql.array(postIds.map((_, i) => String(1 / (i + 1))))}::real[])`
  return createSnapshotStore(database, { feed })
}

describe('hydrateSkeleton', () => {
  it('loads posts and authors in skeleton order, skipping deleted, missing and mismatched posts', async () => {
    const [a, b, gone, c] = await addPosts([
      { did: ALICE, text: 'first' },
      { did: BOB, text: 'second' },
      { did: ALICE, text: 'deleted', deleted: true },
      { did: BOB, text: 'third' },
    ])
    const item = (p: { id: number; uri: string }, ctx: string) => ({
      postId: p.id,
      uri: p.uri,
      feedContext: ctx,
    })
    const hydrated = await hydrateSkeleton(database.sql, [
      item(c!, 'c'),
      item(gone!, 'gone'),
      item(a!, 'a'),
      { postId: 9_999_999, uri: 'at://did:plc:none/app.bsky.feed.post/x', feedContext: 'missing' },
      { postId: b!.id, uri: 'at://did:plc:other/app.bsky.feed.post/not-b', feedContext: 'mismatch' },
      item(b!, 'b'),
      item(a!, 'a-again'),
    ])
    expect(hydrated.map((h) => [h.row.text, h.item.feedContext])).toEqual([
      ['third', 'c'],
      ['first', 'a'],
      ['second', 'b'],
    ])
    const first = hydrated[1]!.row
    expect(first).toMatchObject({
      authorDid: ALICE,
      handle: 'alice.test',
      displayName: 'Alice',
      avatarCid: CID,
    })
    expect(first.createdAt).toBe('2026-03-01T10:00:00.000Z')
    expect(hydrated[0]!.row).toMatchObject({ handle: null, displayName: null, avatarCid: null })
  })

  it('does no query for an empty skeleton', async () => {
    expect(await hydrateSkeleton(database.sql, [])).toEqual([])
  })
})

describe('loadFeedPage', () => {
  it('pages through a snapshot with the store cursor: every live post once, in rank order', async () => {
    const posts = await addPosts(
      Array.from({ length: 7 }, (_, i) => ({
        did: i % 2 ? BOB : ALICE,
        text: `ranked ${i}`,
        deleted: i === 3,
      })),
    )
    const ranked = [...posts].reverse()
    const store = await publish(ranked.map((p) => p.id))

    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await loadFeedPage({ store, sql: database.sql, urls }, { cursor, limit: 2 })
      seen.push(...page.posts.map((p) => p.text))
      cursor = page.cursor ?? undefined
      pages += 1
    } while (cursor && pages < 10)

    expect(seen).toEqual(['ranked 6', 'ranked 5', 'ranked 4', 'ranked 2', 'ranked 1', 'ranked 0'])
    expect(new Set(seen).size).toBe(seen.length)
  })

  it('presents the DTO the page renders, with blob URLs from the configured template', async () => {
    const [p] = await addPosts([
      {
        did: ALICE,
        text: 'with a picture',
        embed: { kind: 'images', images: [{ cid: CID, alt: 'A heron' }] },
      },
    ])
    const store = await publish([p!.id])
    const page = await loadFeedPage({ store, sql: database.sql, urls }, { limit: 10 })
    expect(page.cursor).toBeNull()
    expect(page.posts).toHaveLength(1)
    expect(page.posts[0]).toMatchObject({
      uri: p!.uri,
      text: 'with a picture',
      author: {
        handle: 'alice.test',
        avatarUrl: `http://pds.test/xrpc/com.atproto.sync.getBlob?did=${ALICE}&cid=${CID}`,
      },
      images: [
        { alt: 'A heron', url: `http://pds.test/xrpc/com.atproto.sync.getBlob?did=${ALICE}&cid=${CID}` },
      ],
      createdAt: '2026-03-01T10:00:00.000Z',
    })
    expect(page.posts[0]!.feedContext).toMatch(/^s\d+r0$/)
  })

  it('drops a post deleted after the snapshot was taken on the next read', async () => {
    const [keep, drop] = await addPosts([
      { did: ALICE, text: 'stays' },
      { did: BOB, text: 'will be deleted' },
    ])
    const store = await publish([keep!.id, drop!.id])
    const before = await loadFeedPage({ store, sql: database.sql, urls }, { limit: 10 })
    expect(before.posts.map((p) => p.text)).toEqual(['stays', 'will be deleted'])

    await database.sql`update post set deleted_at = now(), text = '' where id = ${drop!.id}`
    const after = await loadFeedPage({ store, sql: database.sql, urls }, { limit: 10 })
    expect(after.posts.map((p) => p.text)).toEqual(['stays'])
  })

  it('refuses a crafted cursor with the store’s bad_cursor error', async () => {
    const store = await publish([])
    for (const cursor of ['garbage', '999999:0', "1:0' or 1=1"]) {
      const err = await loadFeedPage({ store, sql: database.sql, urls }, { cursor, limit: 5 }).catch(
        (e: unknown) => e,
      )
      expect(isCurationError(err, 'bad_cursor')).toBe(true)
    }
  })
})

describe('loadFeedPage: the market line', () => {
  it('shows each post’s market (YES price and distinct traders) from the same query, and none without one', async () => {
    const [traded, quiet] = await addPosts([
      { did: ALICE, text: 'has a market' },
      { did: BOB, text: 'has none' },
    ])
    const now = new Date('2026-03-01T12:00:00Z') // the posts' day: inside their trading window
    await setupLedger(database, { treasuryFundingMicro: 10_000n * MICRO, now })
    const rules = { positionCapMicro: 300n * MICRO, maxAmountMicro: 1_000n * MICRO }
    const { market } = await openMarket(database, {
      postUri: traded!.uri,
      now,
      params: DEFAULT_MARKET_PARAMS,
    })
    for (const [i, did] of ['did:plc:tradera', 'did:plc:traderb', 'did:plc:tradera'].entries()) {
      await grantStartingCredits(database, { did, amountMicro: 100n * MICRO, now })
      await placeTrade(
        database,
        {
          did,
          marketId: market.id,
          side: 'buy',
          outcome: 'yes',
          amountMicro: 10n * MICRO,
          limit: { kind: 'max_average_price', price: 1 },
          idempotencyKey: `feed-${i}`,
          now,
        },
        { rules },
      )
    }
    const store = await publish([traded!.id, quiet!.id])
    const page = await loadFeedPage({ store, sql: database.sql, urls }, { limit: 10 })
    const [withMarket, without] = page.posts
    const [row] = await database.sql<{ b: string; y: string; n: string }[]>`
      select liquidity_micro::text as b, q_yes_micro::text as y, q_no_micro::text as n from market where id = ${market.id}`
    expect(withMarket!.market).toEqual({
      marketId: market.id,
      status: 'open',
      traderCount: 2,
      yesPrice: price({ b: BigInt(row!.b), qYes: BigInt(row!.y), qNo: BigInt(row!.n) }, 'yes'),
    })
    expect(withMarket!.market!.yesPrice).toBeGreaterThan(0.5)
    expect(without!.market).toBeNull()
    expect(without!.path).toBe(`/post/${BOB}/${quiet!.uri.split('/').pop()}`)
  })
})

describe('loadFeedPage: quotes and replies', () => {
  it('shows the posts quoted and replied to that Curia has, and their authors, only while live and active', async () => {
    const CAROL = 'did:plc:carol000000000000000000000'
    await database.db.insert(author).values({ did: CAROL, handle: 'carol.test', displayName: 'Carol' })
    const [byAlice, byBob, byCarol] = await addPosts([
      { did: ALICE, text: 'the original, by Alice' },
      { did: BOB, text: 'by Bob, whose profile Curia has not read' },
      { did: CAROL, text: 'by Carol' },
    ])
    const unindexed = `at://${ALICE}/app.bsky.feed.post/3kneverseen`
    const [quotesAlice, quotesBob, quotesCarol, quotesUnindexed, repliesAlice, repliesBob, repliesCarol] =
      await addPosts(
        [
          { did: BOB, text: 'look at this', quoteUri: byAlice!.uri },
          { did: ALICE, text: 'and this', quoteUri: byBob!.uri },
          { did: BOB, text: 'and Carol', quoteUri: byCarol!.uri },
          { did: BOB, text: 'and a ghost', quoteUri: unindexed },
          { did: BOB, text: 'replying to Alice', replyParent: byAlice!.uri },
          { did: ALICE, text: 'replying to Bob', replyParent: byBob!.uri },
          { did: ALICE, text: 'replying to Carol', replyParent: byCarol!.uri },
        ].map((r) => ({ ...r, embed: r.quoteUri ? { kind: 'record', uri: r.quoteUri } : undefined })),
      )
    const shown = [
      quotesAlice,
      quotesBob,
      quotesCarol,
      quotesUnindexed,
      repliesAlice,
      repliesBob,
      repliesCarol,
    ]
    const store = await publish(shown.map((p) => p!.id))
    const load = async () => (await loadFeedPage({ store, sql: database.sql, urls }, { limit: 10 })).posts
    /** Per post: the text of what it quotes or replies to, and that post's author's handle (or DID). */
    const referenced = (posts: FeedPostView[]) =>
      posts.map((p) => {
        const ref = p.quote ?? p.replyParent
        return [ref?.post?.text ?? null, ref?.author ? (ref.author.handle ?? ref.author.did) : null]
      })

    let posts = await load()
    expect(referenced(posts)).toEqual([
      ['the original, by Alice', 'alice.test'],
      ['by Bob, whose profile Curia has not read', BOB], // shown by DID until his profile is read
      ['by Carol', 'carol.test'],
      [null, 'alice.test'], // not indexed: her name, no post
      ['the original, by Alice', 'alice.test'],
      ['by Bob, whose profile Curia has not read', BOB],
      ['by Carol', 'carol.test'],
    ])
    expect(posts[0]!.quote).toMatchObject({
      uri: byAlice!.uri,
      author: { did: ALICE, handle: 'alice.test', displayName: 'Alice' },
      post: { createdAt: '2026-03-01T10:00:00.000Z', images: [] },
    })
    expect(posts[4]!.replyParent!.uri).toBe(byAlice!.uri)

    // Alice deletes her post and Carol's account is taken down: what they wrote is no longer shown anywhere, and
    // Carol is no longer named; Alice still is (a reply to a deleted post still says whom it answered).
    await database.sql`update post set deleted_at = now(), text = '' where id = ${byAlice!.id}`
    await database.sql`update author set status = 'takendown' where did = ${CAROL}`
    posts = await load()
    expect(referenced(posts)).toEqual([
      [null, 'alice.test'],
      ['by Bob, whose profile Curia has not read', BOB],
      [null, null],
      [null, 'alice.test'],
      [null, 'alice.test'],
      ['by Bob, whose profile Curia has not read', BOB],
      [null, null],
    ])
    // Alice's account is suspended: her own posts leave the feed, and the rest no longer name her.
    await database.sql`update author set status = 'suspended' where did = ${ALICE}`
    posts = await load()
    expect(posts.map((p) => p.text)).toEqual([
      'look at this',
      'and Carol',
      'and a ghost',
      'replying to Alice',
    ])
    expect(referenced(posts)).toEqual([
      [null, null],
      [null, null],
      [null, null],
      [null, null],
    ])
    await database.sql`update author set status = null where did = ${ALICE}`
  })
})
