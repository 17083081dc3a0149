import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { MICRO, type Outcome } from '../src/market/lmsr'
import { DEFAULT_MARKET_PARAMS } from '../src/market/params'
import type { TradeRules } from '../src/market/trade'
import { brierScore, brierSkill, logScore, summarizeSkill, type ScoredMarket } from '../src/settlement/skill'
import { getBalance, grantStartingCredits, setupLedger } from '../src/service/ledger'
import { openMarket } from '../src/service/market'
import { settleMarkets, type Verdict } from '../src/service/settlement'
import { getCuratorSkill, settledProfitLeaderboard, skillLeaderboard } from '../src/service/skill'
import { buyAtAnyPrice } from '../src/service/testing'
import { listTraderTrades } from '../src/service/trade-queries'

describe('skill scores (pure)', () => {
  it('scores forecasts: Brier, log score, and skill against the reference', () => {
    expect(brierScore(0.8, 'yes')).toBeCloseTo(0.04, 12)
    expect(brierScore(0.8, 'no')).toBeCloseTo(0.64, 12)
    expect(logScore(0.8, 'yes')).toBeCloseTo(Math.log(0.8), 12)
    expect(logScore(0.8, 'no')).toBeCloseTo(Math.log(0.2), 12)
    expect(Number.isFinite(logScore(1, 'no'))).toBe(true)
    expect(brierSkill(0.04, 0.25)).toBeCloseTo(0.84, 12)
    expect(brierSkill(0.25, 0.25)).toBe(0)
    expect(brierSkill(0.36, 0.25)).toBeLessThan(0)
  })

  it('bins forecasts for the calibration table, the top bin including 1', () => {
    const markets: ScoredMarket[] = [
      { marketId: 1, outcome: 'yes', forecast: 0.05, reference: 0.5 },
      { marketId: 2, outcome: 'no', forecast: 0.08, reference: 0.5 },
      { marketId: 3, outcome: 'yes', forecast: 0.95, reference: 0.5 },
      { marketId: 4, outcome: 'yes', forecast: 1, reference: 0.5 },
      { marketId: 5, outcome: 'no', forecast: 0.55, reference: 0.5 },
    ]
    const s = summarizeSkill(markets)
    expect(s.markets).toBe(5)
    expect(s.calibration).toHaveLength(10)
    expect(s.calibration[0]).toMatchObject({ lower: 0, upper: 0.1, count: 2, yesFrequency: 0.5 })
    expect(s.calibration[0]!.meanForecast).toBeCloseTo(0.065, 12)
    expect(s.calibration[5]).toMatchObject({ count: 1, meanForecast: 0.55, yesFrequency: 0 })
    expect(s.calibration[9]).toMatchObject({ count: 2, yesFrequency: 1 })
    expect(s.calibration[3]).toMatchObject({ count: 0, meanForecast: null, yesFrequency: null })
    expect(s.calibration.reduce((n, b) => n + b.count, 0)).toBe(5)
    expect(s.referenceBrier).toBeCloseTo(0.25, 12)
    expect(summarizeSkill([])).toMatchObject({ markets: 0, brier: null, logScore: null, skill: null })
  })
})

const T0 = new Date('2026-03-01T12:00:00Z')
const AFTER = new Date(T0.getTime() + 49 * 3_600_000)
const rules: TradeRules = { positionCapMicro: 10_000n * MICRO, maxAmountMicro: 1_000_000n * MICRO }
const params = { ...DEFAULT_MARKET_PARAMS, liquidityMicro: 100n * MICRO, openFeeMicro: 0n }
const GRANT = 1_000n * MICRO
const alice = 'did:plc:alice' // buys what the jury will endorse
const bob = 'did:plc:bob' // buys the opposite
const carol = 'did:plc:carol' // follows alice, after her
let database: Database

beforeAll(async () => {
  database = await createTestDatabase({ max: 2 })
  await setupLedger(database, { treasuryFundingMicro: 1_000_000n * MICRO, now: T0 })
  for (const did of [alice, bob, carol])
    await grantStartingCredits(database, { did, amountMicro: GRANT, now: T0 })
  const verdicts = new Map<number, Verdict>()
  for (let i = 0; i < 7; i++) {
    const id = (
      await openMarket(database, { postUri: `at://did:plc:author/app.bsky.feed.post/k${i}`, now: T0, params })
    ).market.id
    const truth: Outcome = i % 2 === 0 ? 'yes' : 'no'
    const wrong: Outcome = truth === 'yes' ? 'no' : 'yes'
    await buy(bob, id, wrong, 15n)
    // alice splits her order: only the last trade's price is her forecast.
    await buy(alice, id, truth, 20n)
    await buy(alice, id, truth, 20n)
    await buy(carol, id, truth, 10n)
    verdicts.set(id, i === 6 ? 'unsampled' : truth)
  }
  await settleMarkets(database, { verdicts, now: AFTER })
})
afterAll(async () => {
  await database.close()
})

async function buy(did: string, marketId: number, outcome: Outcome, credits: bigint) {
  await buyAtAnyPrice(database, rules, { did, marketId, outcome, credits, now: T0 })
}

/** The scored markets rebuilt from the trade history, independently of the service's SQL. */
async function expectedMarkets(did: string): Promise<ScoredMarket[]> {
  const trades = (await listTraderTrades(database, did, { limit: 200 })).reverse()
  const outcomes = await database.sql<{ id: string; outcome: 'yes' | 'no' }[]>`
    select id::text, resolved_outcome as outcome from market where status = 'settled'`
  const settled = new Map(outcomes.map((o) => [Number(o.id), o.outcome]))
  const byMarket = new Map<number, ScoredMarket>()
  for (const t of trades) {
    const outcome = settled.get(t.marketId)
    if (!outcome) continue
    const seen = byMarket.get(t.marketId)
    byMarket.set(t.marketId, {
      marketId: t.marketId,
      outcome,
      reference: seen ? seen.reference : t.yesPriceBefore,
      forecast: t.yesPriceAfter,
    })
  }
  return [...byMarket.values()].sort((a, b) => a.marketId - b.marketId)
}

describe('curator skill (service)', () => {
  it("scores a curator's last forecast per verdict market, against the price it found", async () => {
    const a = await getCuratorSkill(database, alice)
    const expected = summarizeSkill(await expectedMarkets(alice))
    expect(a.markets).toBe(6) // the unsampled market has no outcome to score
    expect(a.brier).toBeCloseTo(expected.brier!, 12)
    expect(a.logScore).toBeCloseTo(expected.logScore!, 12)
    expect(a.skill).toBeCloseTo(expected.skill!, 12)
    expect(a.calibration).toEqual(expected.calibration)
    expect(a.skill).toBeGreaterThan(0)

    const b = await getCuratorSkill(database, bob)
    expect(b.skill).toBeLessThan(0)
    expect(b.brier!).toBeGreaterThan(a.brier!)
    // bob's forecasts sit below 0.5 on endorsed posts and above it on rejected ones: his calibration shows it.
    const high = b.calibration.filter((x) => x.lower >= 0.5 && x.count > 0)
    expect(high.every((x) => x.yesFrequency === 0)).toBe(true)

    const nobody = await getCuratorSkill(database, 'did:plc:nobody')
    expect(a.hasAccount).toBe(true)
    expect(nobody).toMatchObject({
      hasAccount: false,
      markets: 0,
      brier: null,
      skill: null,
      profitMicro: 0n,
      settledPositions: 0,
    })
  })

  it('ranks by skill, leaving off curators with too few markets; the SQL matches the pure scores', async () => {
    const board = await skillLeaderboard(database, { minMarkets: 6 })
    expect(board.map((e) => e.did)).toEqual([alice, carol, bob])
    for (const e of board) {
      const pure = summarizeSkill(await expectedMarkets(e.did))
      expect(e.markets).toBe(pure.markets)
      expect(e.brier).toBeCloseTo(pure.brier!, 12)
      expect(e.logScore).toBeCloseTo(pure.logScore!, 12)
      expect(e.referenceBrier).toBeCloseTo(pure.referenceBrier!, 12)
      expect(e.skill).toBeCloseTo(pure.skill!, 12)
    }
    expect(await skillLeaderboard(database, { minMarkets: 7 })).toEqual([])
  })

  it('ranks by realised profit, which is exactly what each balance gained', async () => {
    const board = await settledProfitLeaderboard(database)
    expect(board.map((e) => e.did)).toEqual([alice, carol, bob])
    for (const e of board) {
      expect(e.markets).toBe(7)
      expect(e.profitMicro).toBe((await getBalance(database, e.did)) - GRANT)
      expect((await getCuratorSkill(database, e.did)).profitMicro).toBe(e.profitMicro)
    }
    expect(board[2]!.profitMicro).toBeLessThan(0n)
  })
})
