/**
 * Trades racing each other (issue "market layer"): 200 at once on one market, and 100 accounts across 50 markets at
 * once, directly and through the trade desk. Afterwards the ledger invariant holds exactly, no balance is negative,
 * every market's q equals the sum of its positions, and each market's trades form one unbroken price chain (every
 * trade starts at the price the previous one left: no two trades ever decided from the same state).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { isCurationError } from '../src/errors'
import { MICRO, type Outcome } from '../src/market/lmsr'
import { DEFAULT_MARKET_PARAMS } from '../src/market/params'
import type { TradeRules } from '../src/market/trade'
import { openMarket } from '../src/service/market'
import { placeTrade, placeTrades, type PlaceTradeInput, type TradeReceipt } from '../src/service/trade'
import { createTradeDesk } from '../src/service/trade-desk'
import { createWarmDatabase, expectLedgerSound, fundLedger } from './helpers'

const NOW = new Date('2026-03-01T12:00:00Z')
const GRANT = 1_000n * MICRO
const rules: TradeRules = { positionCapMicro: 300n * MICRO, maxAmountMicro: 1_000_000n * MICRO }
const params = { ...DEFAULT_MARKET_PARAMS, liquidityMicro: 100n * MICRO }
/** Refusals a racing trade may legitimately meet (a sell before its buy landed, a cap reached meanwhile). */
const EXPECTED_REFUSALS = new Set(['insufficient_balance', 'position_cap', 'slippage_exceeded'])
/** Real Postgres gets a pool wide enough for the races to contend on locks; PGlite runs one backend anyway. */
const POOL = process.env.DATABASE_URL ? 40 : 16

let database: Database
const did = (i: number) => `did:plc:trader${i}`

/** Deterministic randomness, so a failure replays. */
function random(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

beforeAll(async () => {
  database = await createWarmDatabase(POOL)
  const grants = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [did(i), GRANT]))
  await fundLedger(database, { now: NOW, grants })
})
afterAll(async () => {
  await database.close()
})

let keys = 0
function order(rand: () => number, trader: number, marketId: number): PlaceTradeInput {
  const outcome: Outcome = rand() < 0.5 ? 'yes' : 'no'
  const sell = rand() < 0.3
  return {
    did: did(trader),
    marketId,
    side: sell ? 'sell' : 'buy',
    outcome,
    amountMicro: BigInt(1 + Math.floor(rand() * (sell ? 20 : 30))) * MICRO,
    limit: sell ? { kind: 'min_proceeds', proceedsMicro: 0n } : { kind: 'max_average_price', price: 0.99 },
    idempotencyKey: `c-${++keys}`,
    now: NOW,
  }
}

/** Settles every promise; a refusal must be one a race explains, anything else fails the test. */
async function settle(promises: Promise<TradeReceipt>[]) {
  const results = await Promise.allSettled(promises)
  const receipts: TradeReceipt[] = []
  const refusals: string[] = []
  for (const r of results) {
    if (r.status === 'fulfilled') receipts.push(r.value)
    else if (isCurationError(r.reason) && EXPECTED_REFUSALS.has(r.reason.code)) refusals.push(r.reason.code)
    else throw r.reason
  }
  return { receipts, refusals }
}

async function expectBooksBalance(marketIds: number[], receipts: TradeReceipt[]) {
  await expectLedgerSound(database)

  const [negative] = await database.sql<{ n: number }[]>`
    select count(*)::int as n from account where kind <> 'mint' and balance_micro < 0`
  expect(negative!.n).toBe(0)

  const markets = await database.sql<
    {
      id: string
      qYes: string
      qNo: string
      yes: string
      no: string
      trades: number
      tradeCount: number
      traders: number
      traderCount: number
    }[]
  >`
    select m.id::text, m.q_yes_micro::text as "qYes", m.q_no_micro::text as "qNo",
           (select coalesce(sum(yes_shares_micro), 0)::text from position p where p.market_id = m.id) as yes,
           (select coalesce(sum(no_shares_micro), 0)::text from position p where p.market_id = m.id) as no,
           (select count(*)::int from trade t where t.market_id = m.id) as trades, m.trade_count as "tradeCount",
           (select count(*)::int from position p where p.market_id = m.id) as traders, m.trader_count as "traderCount"
    from market m where m.id = any(${database.sql.array(marketIds)}::bigint[])`
  expect(markets).toHaveLength(marketIds.length)
  for (const m of markets) {
    expect([m.qYes, m.qNo]).toEqual([m.yes, m.no])
    expect(m.tradeCount).toBe(m.trades)
    expect(m.traderCount).toBe(m.traders)
    const mine = receipts.filter((r) => r.marketId === Number(m.id))
    expect(mine.length).toBeLessThanOrEqual(m.trades)
  }

  // One unbroken price chain per market, in trade order.
  const trades = await database.sql<{ marketId: string; before: number; after: number }[]>`
    select market_id::text as "marketId", yes_price_before as before, yes_price_after as after
    from trade where market_id = any(${database.sql.array(marketIds)}::bigint[])
    order by market_id, id`
  for (let i = 1; i < trades.length; i++) {
    const [prev, cur] = [trades[i - 1]!, trades[i]!]
    if (prev.marketId === cur.marketId) expect(cur.before).toBe(prev.after)
  }
}

describe('concurrent trading', () => {
  it('200 trades at once on one market', async () => {
    const { id } = (
      await openMarket(database, { postUri: 'at://did:plc:a/app.bsky.feed.post/hot', now: NOW, params })
    ).market
    const rand = random(1)
    const { receipts, refusals } = await settle(
      Array.from({ length: 200 }, (_, i) => placeTrade(database, order(rand, i % 50, id), { rules })),
    )
    expect(receipts.length + refusals.length).toBe(200)
    expect(receipts.length).toBeGreaterThan(100)
    expect(new Set(receipts.map((r) => r.tradeId)).size).toBe(receipts.length)
    await expectBooksBalance([id], receipts)
  })

  it('100 accounts across 50 markets at once', async () => {
    const ids: number[] = []
    for (let m = 0; m < 50; m++) {
      ids.push(
        (await openMarket(database, { postUri: `at://did:plc:a/app.bsky.feed.post/m${m}`, now: NOW, params }))
          .market.id,
      )
    }
    const rand = random(2)
    const { receipts, refusals } = await settle(
      Array.from({ length: 600 }, (_, i) =>
        placeTrade(database, order(rand, i % 100, ids[Math.floor(rand() * 50)]!), { rules }),
      ),
    )
    expect(receipts.length + refusals.length).toBe(600)
    expect(receipts.length).toBeGreaterThan(300)
    await expectBooksBalance(ids, receipts)
  })

  it('the trade desk, direct trades and multi-market batches racing together', async () => {
    const ids: number[] = []
    for (let m = 0; m < 10; m++) {
      ids.push(
        (await openMarket(database, { postUri: `at://did:plc:a/app.bsky.feed.post/d${m}`, now: NOW, params }))
          .market.id,
      )
    }
    const desk = createTradeDesk(database, { rules })
    const rand = random(3)
    const pick = () => ids[Math.floor(rand() * ids.length)]!
    const promises: Promise<TradeReceipt>[] = []
    for (let i = 0; i < 400; i++)
      promises.push(desk.placeTrade(order(rand, Math.floor(rand() * 100), pick())))
    for (let i = 0; i < 100; i++)
      promises.push(placeTrade(database, order(rand, Math.floor(rand() * 100), pick()), { rules }))
    // Batches spanning several markets lock them all (in id order) before their accounts.
    for (let i = 0; i < 20; i++) {
      const batch = Array.from({ length: 5 }, () => order(rand, Math.floor(rand() * 100), pick()))
      const results = placeTrades(database, batch, { rules })
      batch.forEach((_, j) =>
        promises.push(results.then((rs) => (rs[j]!.ok ? rs[j]!.receipt : Promise.reject(rs[j]!.error)))),
      )
    }
    const { receipts, refusals } = await settle(promises)
    expect(receipts.length + refusals.length).toBe(600)
    await desk.drain()
    expect(desk.stats().orders).toBe(400)
    await expectBooksBalance(ids, receipts)
  })
})
