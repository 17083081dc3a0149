import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { post, type Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { createExposureRecorder } from '../src/feed/exposure'
import { createSnapshotStore } from '../src/feed/snapshot-store'
import { MICRO } from '../src/market/lmsr'
import { DEFAULT_MARKET_PARAMS } from '../src/market/params'
import { openMarket } from '../src/service/market'
import { rankFeed } from '../src/service/rank-feed'
import { placeTrade } from '../src/service/trade'
import { fundLedger, RANKING_PARAMS } from './helpers'

/** Markets ranking the feed on a real database with real trades: the whale case and impressions. */
const HOUR = 3_600_000
const params = { ...RANKING_PARAMS, explorationMaxTrades: 0 }
const rules = { positionCapMicro: 300n * MICRO, maxAmountMicro: 1_000_000n * MICRO }
let database: Database
const now = new Date()
let key = 0

async function buyYes(did: string, marketId: number, credits: bigint) {
  return placeTrade(
    database,
    {
      did,
      marketId,
      side: 'buy',
      outcome: 'yes',
      amountMicro: credits * MICRO,
      limit: { kind: 'max_average_price', price: 0.999 },
      idempotencyKey: `k${++key}`,
      now,
    },
    { rules },
  )
}

beforeAll(async () => {
  database = await createTestDatabase()
  await fundLedger(database, {
    now,
    treasuryMicro: 100_000n * MICRO,
    grants: {
      'did:plc:whale': 50_000n * MICRO,
      'did:plc:c1': 100n * MICRO,
      'did:plc:c2': 100n * MICRO,
      'did:plc:c3': 100n * MICRO,
    },
  })
})
afterAll(async () => {
  await database.close()
})

describe('market-ranked feed', () => {
  it('ranks a post many curators back above one a whale pumps alone, and counts impressions', async () => {
    const uris = ['whale', 'crowd', 'quiet'].map((k) => `at://did:plc:author/app.bsky.feed.post/${k}`)
    await database.db.insert(post).values(
      uris.map((uri) => ({
        uri,
        cid: 'bafy',
        authorDid: 'did:plc:author',
        text: uri,
        createdAt: new Date(now.getTime() - HOUR),
      })),
    )
    const [whaleMarket, crowdMarket] = await Promise.all(
      uris
        .slice(0, 2)
        .map(
          async (postUri) =>
            (await openMarket(database, { postUri, now, params: DEFAULT_MARKET_PARAMS })).market,
        ),
    )
    await openMarket(database, { postUri: uris[2]!, now, params: DEFAULT_MARKET_PARAMS })

    // The whale spends heavily on its own post; two others dabble so it passes the trader minimum.
    await buyYes('did:plc:whale', whaleMarket!.id, 150n)
    await buyYes('did:plc:c1', whaleMarket!.id, 1n)
    await buyYes('did:plc:c2', whaleMarket!.id, 1n)
    // Three independent curators back the other post moderately.
    for (const did of ['did:plc:c1', 'did:plc:c2', 'did:plc:c3']) await buyYes(did, crowdMarket!.id, 20n)

    await rankFeed(database, { feed: 'curia', nowMs: now.getTime(), params, depth: 100, seed: 1 })
    const recorder = createExposureRecorder(database, { flushMs: 60_000 })
    const store = createSnapshotStore(database, { feed: 'curia', onServe: recorder.record })
    const page = await store.getPage({ limit: 10, viewer: 'did:plc:reader1' })
    expect(page.items.map((i) => i.uri)).toEqual([uris[1], uris[0], uris[2]])

    // The raw price tells the opposite story: the whale's money alone moved it further.
    const prices = await database.sql<{ uri: string; q: string }[]>`
      select post_uri as uri, q_yes_micro::text as q from market order by id`
    expect(BigInt(prices.find((p) => p.uri === uris[0])!.q)).toBeGreaterThan(
      BigInt(prices.find((p) => p.uri === uris[1])!.q),
    )

    await store.getPage({ limit: 2, viewer: 'did:plc:reader2' })
    await recorder.flush()
    const exposure = await database.sql<{ uri: string; impressions: number }[]>`
      select p.uri, e.impressions::float8 as impressions from feed_exposure e join post p on p.id = e.post_id`
    const byUri = Object.fromEntries(exposure.map((e) => [e.uri, e.impressions]))
    expect(byUri).toEqual({ [uris[1]!]: 2, [uris[0]!]: 2, [uris[2]!]: 1 })
    await recorder.stop()
  })

  it('does not make a post fresh again when it is deleted and written again at the same URI', async () => {
    const dayAgo = new Date(now.getTime() - 30 * HOUR)
    const uris = ['steady', 'reborn', 'newborn'].map((k) => `at://did:plc:author2/app.bsky.feed.post/${k}`)
    await database.db.insert(post).values(
      uris.map((uri, i) => ({
        uri,
        cid: 'bafy',
        authorDid: 'did:plc:author2',
        text: uri,
        createdAt: i < 2 ? dayAgo : now,
      })),
    )
    for (const [i, postUri] of uris.entries()) {
      await openMarket(database, { postUri, now: i < 2 ? dayAgo : now, params: DEFAULT_MARKET_PARAMS })
    }
    // The indexer's answer to a delete and a new record at the same rkey: live again, with the new record's date.
    await database.sql`update post set created_at = ${now.toISOString()}::timestamptz where uri = ${uris[1]!}`

    await rankFeed(database, { feed: 'curia', nowMs: now.getTime(), params, depth: 100, seed: 1 })
    const [snapshot] = await database.sql<{ postIds: number[]; scores: number[] }[]>`
      select post_ids::float8[] as "postIds", scores::float8[] as scores from feed_snapshot
      order by id desc limit 1`
    const ids = await database.sql<{ uri: string; id: number }[]>`
      select uri, id::float8 as id from post where uri = any(${database.sql.array(uris)}::text[])`
    const score = (uri: string) =>
      snapshot!.scores[snapshot!.postIds.indexOf(ids.find((r) => r.uri === uri)!.id)]!
    // Aged by its market: 30 hours, like the post next to it, not a minute like a post that is new.
    expect(score(uris[1]!)).toBeCloseTo(score(uris[0]!), 6)
    expect(score(uris[2]!)).toBeGreaterThan(10 * score(uris[1]!))
  })

  it('publishes a snapshot whose oldest scores are below the range of a real (a long window, a short half-life)', async () => {
    // 30 hours at a half-life of 650 s: 0.5^166, about 1e-50, which PostgreSQL's real refuses as out of range.
    const short = { ...params, halfLifeMs: 650_000 }
    const result = await rankFeed(database, {
      feed: 'curia-short',
      nowMs: now.getTime(),
      params: short,
      depth: 100,
      seed: 2,
    })
    expect(result.published).toBe(true)
    const [snapshot] = await database.sql<{ scores: number[] }[]>`
      select scores::float8[] as scores from feed_snapshot where id = ${result.snapshotId!}`
    expect(snapshot!.scores).toContain(0)
  })
})
