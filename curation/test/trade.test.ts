import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { isCurationError, type CurationErrorCode } from '../src/errors'
import { costToBuy, price, proceedsOfSell, sharesForSpend, MICRO } from '../src/market/lmsr'
import { DEFAULT_MARKET_PARAMS } from '../src/market/params'
import type { TradeRules } from '../src/market/trade'
import { getBalance } from '../src/service/ledger'
import { getMarket, openMarket } from '../src/service/market'
import { placeTrade, placeTrades, type PlaceTradeInput } from '../src/service/trade'
import { createTradeDesk } from '../src/service/trade-desk'
import {
  listMarketTrades,
  listPositions,
  listTraderTrades,
  profitLeaderboard,
} from '../src/service/trade-queries'
import { createWarmDatabase, escrowBalance, expectLedgerSound, expectRefusal, fundLedger } from './helpers'

const NOW = new Date('2026-03-01T12:00:00Z')
const GRANT = 1_000n * MICRO
const B = 100n * MICRO
const rules: TradeRules = { positionCapMicro: 300n * MICRO, maxAmountMicro: 1_000_000n * MICRO }
const params = { ...DEFAULT_MARKET_PARAMS, liquidityMicro: B }

const alice = 'did:plc:alice'
const bob = 'did:plc:bob'
let database: Database
let marketId: number
let keySeq = 0
const key = () => `k-${++keySeq}`

beforeAll(async () => {
  database = await createWarmDatabase(4)
  await fundLedger(database, { now: NOW, grants: { [alice]: GRANT, [bob]: GRANT } })
  marketId = (await openMarket(database, { postUri: post(1), now: NOW, params })).market.id
})
afterAll(async () => {
  await database.close()
})

function post(n: number) {
  return `at://did:plc:author/app.bsky.feed.post/p${n}`
}

function buy(over: Partial<PlaceTradeInput> = {}): PlaceTradeInput {
  return {
    did: alice,
    marketId,
    side: 'buy',
    outcome: 'yes',
    amountMicro: 10n * MICRO,
    limit: { kind: 'max_average_price', price: 1 },
    idempotencyKey: key(),
    now: NOW,
    ...over,
  }
}

const expectSound = () => expectLedgerSound(database)

async function snapshotMoney() {
  const rows = await database.sql<{ id: string; b: string }[]>`
    select id::text, balance_micro::text as b from account order by id`
  const [counts] = await database.sql<{ trades: number; entries: number }[]>`
    select (select count(*)::int from trade) as trades, (select count(*)::int from ledger_entry) as entries`
  const m = await getMarket(database, { id: marketId })
  return { balances: rows.map((r) => `${r.id}:${r.b}`), counts, q: [m!.qYesMicro, m!.qNoMicro] }
}

async function expectRefused(input: PlaceTradeInput, code: CurationErrorCode, r: TradeRules = rules) {
  const err = await expectRefusal(code, () => placeTrade(database, input, { rules: r }), snapshotMoney)
  expect(err.message.length).toBeGreaterThan(10)
}

describe('placeTrade', () => {
  it('fills a buy at the LMSR cost and moves the money into the escrow, with a matching ledger entry', async () => {
    const market = (await getMarket(database, { id: marketId }))!
    const state = { b: market.liquidityMicro, qYes: market.qYesMicro, qNo: market.qNoMicro }
    const escrowBefore = await escrowBalance(database, marketId)
    const spend = 25n * MICRO
    const receipt = await placeTrade(database, buy({ amountMicro: spend }), { rules })

    const shares = sharesForSpend(state, 'yes', spend)
    expect(receipt.sharesMicro).toBe(shares)
    expect(receipt.moneyMicro).toBe(costToBuy(state, 'yes', shares))
    expect(receipt.moneyMicro).toBeLessThanOrEqual(spend)
    expect(receipt.yesPriceBefore).toBe(0.5)
    expect(receipt.yesPriceAfter).toBeCloseTo(price({ ...state, qYes: shares }, 'yes'), 12)
    expect(receipt.replayed).toBe(false)

    expect(await getBalance(database, alice)).toBe(GRANT - receipt.moneyMicro)
    expect(await escrowBalance(database, marketId)).toBe(escrowBefore + receipt.moneyMicro)
    const after = (await getMarket(database, { id: marketId }))!
    expect(after.qYesMicro).toBe(shares)
    expect(after.tradeCount).toBe(1)
    expect(after.traderCount).toBe(1)
    expect(after.volumeMicro).toBe(receipt.moneyMicro)
    expect(after.yesPrice).toBe(receipt.yesPriceAfter)

    const [entry] = await database.sql<{ amount: string; reason: string }[]>`
      select amount_micro::text as amount, reason from ledger_entry where reference = ${`trade:${receipt.tradeId}`}`
    expect(entry).toEqual({ amount: receipt.moneyMicro.toString(), reason: 'trade_buy' })
    const [position] = await listPositions(database, alice)
    expect(position).toMatchObject({
      marketId,
      yesSharesMicro: shares,
      noSharesMicro: 0n,
      netSpendMicro: receipt.moneyMicro,
    })
    await expectSound()
  })

  it('sells shares back for the LMSR proceeds, and a buy-then-sell round trip never profits', async () => {
    const balance0 = await getBalance(database, bob)
    const bought = await placeTrade(database, buy({ did: bob, outcome: 'no', amountMicro: 40n * MICRO }), {
      rules,
    })
    const market = (await getMarket(database, { id: marketId }))!
    const state = { b: market.liquidityMicro, qYes: market.qYesMicro, qNo: market.qNoMicro }
    const sold = await placeTrade(
      database,
      {
        ...buy({ did: bob, side: 'sell', outcome: 'no', amountMicro: bought.sharesMicro }),
        limit: { kind: 'min_proceeds', proceedsMicro: 1n },
      },
      { rules },
    )
    expect(sold.moneyMicro).toBe(proceedsOfSell(state, 'no', bought.sharesMicro))
    expect(sold.moneyMicro).toBeLessThanOrEqual(bought.moneyMicro)
    expect(await getBalance(database, bob)).toBe(balance0 - bought.moneyMicro + sold.moneyMicro)
    const position = (await listPositions(database, bob)).find((p) => p.marketId === marketId)!
    expect(position).toMatchObject({ yesSharesMicro: 0n, noSharesMicro: 0n })
    expect(position.spentMicro).toBe(bought.moneyMicro)
    expect(position.receivedMicro).toBe(sold.moneyMicro)
    expect(position.netSpendMicro).toBeGreaterThanOrEqual(0n)
    await expectSound()
  })

  it('refuses bad input, each with its code, a clear message and no change at all', async () => {
    for (const amountMicro of [
      0n,
      -5n,
      0,
      -1,
      1.5,
      Number.NaN,
      Infinity,
      'abc',
      '',
      '12.5',
      '1e9',
      '-3',
      2 ** 60,
      10n ** 40n,
    ]) {
      await expectRefused(buy({ amountMicro: amountMicro as bigint }), 'bad_amount')
    }
    await expectRefused(buy({ amountMicro: rules.maxAmountMicro + 1n }), 'bad_amount')
    await expectRefused(buy({ amountMicro: { valueOf: () => 5 } as unknown as bigint }), 'bad_amount')
    await expectRefused(buy({ limit: { kind: 'max_average_price', price: 1.5 } }), 'bad_amount')
    await expectRefused(buy({ limit: { kind: 'max_average_price', price: -0.1 } }), 'bad_amount')
    await expectRefused(buy({ limit: { kind: 'min_shares', sharesMicro: -1n } }), 'bad_amount')
    await expectRefused(buy({ limit: { kind: 'min_proceeds', proceedsMicro: 1n } }), 'bad_request')
    await expectRefused(buy({ limit: undefined }), 'bad_request')
    await expectRefused(buy({ side: 'hold' as 'buy' }), 'bad_request')
    await expectRefused(buy({ outcome: 'maybe' as 'yes' }), 'bad_request')
    await expectRefused(buy({ did: 'alice' }), 'bad_request')
    await expectRefused(buy({ idempotencyKey: '' }), 'bad_request')
    await expectRefused(buy({ idempotencyKey: 'x'.repeat(500) }), 'bad_request')
    await expectRefused(buy({ marketId: 987_654 }), 'unknown_market')
    await expectRefused(buy({ marketId: -1 }), 'unknown_market')
    await expectRefused(buy({ marketId: '1' as unknown as number }), 'unknown_market')
    // Too few shares to sell for anything (1 micro-share is worth less than a micro-credit, rounded down to 0).
    await expectRefused(
      { ...buy({ side: 'sell', amountMicro: 1n }), limit: { kind: 'min_proceeds', proceedsMicro: 0n } },
      'bad_amount',
    )
    await expectSound()
  })

  it('refuses a buy beyond the balance and a sell beyond the holding', async () => {
    await expectRefused(buy({ amountMicro: GRANT * 2n }), 'insufficient_balance')
    await expectRefused(buy({ did: 'did:plc:nobody' }), 'insufficient_balance')
    await expectRefused(
      {
        ...buy({ side: 'sell', outcome: 'no', amountMicro: MICRO }),
        limit: { kind: 'min_proceeds', proceedsMicro: 0n },
      },
      'insufficient_balance',
    )
  })

  it('honours the slippage bound or refuses, never fills worse', async () => {
    const market = (await getMarket(database, { id: marketId }))!
    const state = { b: market.liquidityMicro, qYes: market.qYesMicro, qNo: market.qNoMicro }
    const spend = 20n * MICRO
    const shares = sharesForSpend(state, 'yes', spend)
    const avg = Number(costToBuy(state, 'yes', shares)) / Number(shares)
    // Someone else moves the price first: the quote Alice saw no longer holds.
    await placeTrade(database, buy({ did: bob, amountMicro: 30n * MICRO }), { rules })
    await expectRefused(
      buy({ amountMicro: spend, limit: { kind: 'max_average_price', price: avg } }),
      'slippage_exceeded',
    )
    await expectRefused(
      buy({ amountMicro: spend, limit: { kind: 'min_shares', sharesMicro: shares } }),
      'slippage_exceeded',
    )
    const holding = (await listPositions(database, bob)).find((p) => p.marketId === marketId)!.yesSharesMicro
    await expectRefused(
      {
        ...buy({ did: bob, side: 'sell', amountMicro: holding }),
        limit: { kind: 'min_proceeds', proceedsMicro: holding },
      },
      'slippage_exceeded',
    )
    // At the quoted bound against the state it was quoted on, it fills.
    const now = (await getMarket(database, { id: marketId }))!
    const s2 = { b: now.liquidityMicro, qYes: now.qYesMicro, qNo: now.qNoMicro }
    const exact = sharesForSpend(s2, 'yes', spend)
    const r = await placeTrade(
      database,
      buy({ amountMicro: spend, limit: { kind: 'min_shares', sharesMicro: exact } }),
      {
        rules,
      },
    )
    expect(r.sharesMicro).toBe(exact)
    await expectSound()
  })

  it('caps one account’s holding per outcome in a market', async () => {
    const small: TradeRules = { ...rules, positionCapMicro: 50n * MICRO }
    const held = (await listPositions(database, alice)).find((p) => p.marketId === marketId)!.yesSharesMicro
    expect(held).toBeGreaterThan(0n)
    // Alice already holds some YES; 200 credits would take her past 50 shares.
    await expectRefused(buy({ amountMicro: 200n * MICRO }), 'position_cap', small)
    const roomy = await placeTrade(database, buy({ outcome: 'no', amountMicro: 10n * MICRO }), {
      rules: small,
    })
    expect(roomy.sharesMicro).toBeLessThanOrEqual(50n * MICRO)
    await expectSound()
  })

  it('replays the same idempotency key and body, and refuses the key with another body', async () => {
    const input = buy({ amountMicro: 3n * MICRO, idempotencyKey: 'once' })
    const first = await placeTrade(database, input, { rules })
    const balance = await getBalance(database, alice)
    const again = await placeTrade(database, { ...input, now: new Date(NOW.getTime() + 5_000) }, { rules })
    expect(again).toEqual({ ...first, replayed: true })
    expect(await getBalance(database, alice)).toBe(balance)
    const [row] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from trade where idempotency_key = 'once'`
    expect(row!.n).toBe(1)
    await expectRefused({ ...input, amountMicro: 4n * MICRO }, 'idempotency_conflict')
    await expectRefused({ ...input, outcome: 'no' }, 'idempotency_conflict')
    // Keys are per DID: Bob may use the same one for his own trade.
    const bobs = await placeTrade(database, { ...input, did: bob }, { rules })
    expect(bobs.tradeId).not.toBe(first.tradeId)
    // Concurrent retries of one new key: one trade, every caller gets it.
    const racing = buy({ amountMicro: 2n * MICRO, idempotencyKey: 'race' })
    const receipts = await Promise.all(
      Array.from({ length: 8 }, () => placeTrade(database, racing, { rules })),
    )
    expect(new Set(receipts.map((r) => r.tradeId)).size).toBe(1)
    expect(receipts.filter((r) => !r.replayed)).toHaveLength(1)
    await expectSound()
  })

  it('a refused key can be used again once the trade is possible', async () => {
    const input = buy({ amountMicro: GRANT * 5n, idempotencyKey: 'retry-after-refusal' })
    await expectRefused(input, 'insufficient_balance')
    const ok = await placeTrade(database, { ...input, amountMicro: MICRO }, { rules })
    expect(ok.replayed).toBe(false)
  })

  it('refuses trades once the market closes, by its time even before the closer runs', async () => {
    const m = await getMarket(database, { id: marketId })
    const closesAt = new Date(m!.closesAt)
    await expectRefused(buy({ now: closesAt }), 'market_closed')
    await expectRefused(buy({ now: new Date(closesAt.getTime() + 1) }), 'market_closed')
    const before = new Date(closesAt.getTime() - 1)
    expect((await placeTrade(database, buy({ now: before }), { rules })).replayed).toBe(false)
  })

  it('decides a batch in order, each order seeing the previous, with its own refusals', async () => {
    const { id } = (await openMarket(database, { postUri: post(2), now: NOW, params })).market
    const aliceBalance = await getBalance(database, alice)
    const results = await placeTrades(
      database,
      [
        buy({ marketId: id, amountMicro: 10n * MICRO, idempotencyKey: 'b1' }),
        buy({ marketId: id, amountMicro: 10n * MICRO, idempotencyKey: 'b2' }),
        buy({ marketId: id, amountMicro: aliceBalance * 2n, idempotencyKey: 'b3' }),
        buy({ marketId: id, amountMicro: 10n * MICRO, idempotencyKey: 'b1' }),
        buy({ marketId: id, amountMicro: 11n * MICRO, idempotencyKey: 'b2' }),
        buy({ marketId: id, amountMicro: 0n, idempotencyKey: 'b5' }),
      ],
      { rules },
    )
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'ok',
      'ok',
      'insufficient_balance',
      'ok',
      'idempotency_conflict',
      'bad_amount',
    ])
    const [r1, r2, , r4] = results.map((r) => (r.ok ? r.receipt : undefined))
    expect(r2!.yesPriceBefore).toBe(r1!.yesPriceAfter)
    expect(r2!.sharesMicro).toBeLessThan(r1!.sharesMicro)
    expect(r4).toEqual({ ...r1, replayed: true })
    expect(await getBalance(database, alice)).toBe(aliceBalance - r1!.moneyMicro - r2!.moneyMicro)
    const m = (await getMarket(database, { id }))!
    expect(m.qYesMicro).toBe(r1!.sharesMicro + r2!.sharesMicro)
    expect(m).toMatchObject({ tradeCount: 2, traderCount: 1 })
    await expectSound()
  })
})

describe('trade desk', () => {
  it('groups a burst on one market into few transactions with the same results as one by one', async () => {
    const { id } = (await openMarket(database, { postUri: post(3), now: NOW, params })).market
    const desk = createTradeDesk(database, { rules })
    const inputs = Array.from({ length: 40 }, (_, i) =>
      buy({
        did: i % 2 ? alice : bob,
        marketId: id,
        outcome: i % 3 ? 'yes' : 'no',
        amountMicro: BigInt(1 + (i % 5)) * MICRO,
      }),
    )
    const receipts = await Promise.all(inputs.map((input) => desk.placeTrade(input)))
    expect(desk.stats().orders).toBe(40)
    expect(desk.stats().transactions).toBeLessThan(40)
    // Arrival order is decision order: each trade starts at the price the previous one left.
    const sorted = [...receipts].sort((a, b) => a.tradeId - b.tradeId)
    expect(sorted.map((r) => r.tradeId)).toEqual(receipts.map((r) => r.tradeId))
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i]!.yesPriceBefore).toBe(sorted[i - 1]!.yesPriceAfter)
    const refused = await desk.placeTrade(buy({ marketId: id, amountMicro: -1n })).catch((e: unknown) => e)
    expect(isCurationError(refused, 'bad_amount')).toBe(true)
    await desk.drain()
    await expectSound()
  })
})

describe('queries', () => {
  it('lists a market’s trades as a price path, a trader’s history, and a leaderboard that agrees with positions', async () => {
    const trades = await listMarketTrades(database, marketId, { limit: 1000 })
    expect(trades.length).toBeGreaterThan(5)
    for (let i = 1; i < trades.length; i++) {
      expect(trades[i]!.tradeId).toBeGreaterThan(trades[i - 1]!.tradeId)
      expect(trades[i]!.yesPriceBefore).toBe(trades[i - 1]!.yesPriceAfter)
    }
    const page = await listMarketTrades(database, marketId, { limit: 2, afterId: trades[1]!.tradeId })
    expect(page.map((t) => t.tradeId)).toEqual([trades[2]!.tradeId, trades[3]!.tradeId])
    // The latest trades, still oldest first: a chart of a long history ends at the newest trade.
    const latest = await listMarketTrades(database, marketId, { limit: 3, latest: true })
    expect(latest.map((t) => t.tradeId)).toEqual(trades.slice(-3).map((t) => t.tradeId))

    const mine = await listTraderTrades(database, alice, { limit: 3 })
    expect(mine).toHaveLength(3)
    expect(mine.every((t) => t.did === alice)).toBe(true)
    expect(mine[0]!.tradeId).toBeGreaterThan(mine[1]!.tradeId)
    const older = await listTraderTrades(database, alice, { limit: 3, beforeId: mine[2]!.tradeId })
    expect(older[0]!.tradeId).toBeLessThan(mine[2]!.tradeId)

    const board = await profitLeaderboard(database)
    expect(board.map((e) => e.did).sort()).toEqual([alice, bob])
    for (const entry of board) {
      const positions = await listPositions(database, entry.did)
      const profit = positions.reduce((sum, p) => sum + p.profitMicro, 0n)
      // Per-position rounding in JS vs one rounding of the sum in SQL: within a micro-credit per position.
      expect(Number(entry.profitMicro - profit)).toBeGreaterThanOrEqual(-1)
      expect(Number(entry.profitMicro - profit)).toBeLessThanOrEqual(positions.length)
      expect(entry.markets).toBe(positions.length)
    }
    expect(board[0]!.profitMicro).toBeGreaterThanOrEqual(board[1]!.profitMicro)
  })
})
