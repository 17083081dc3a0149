import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { MICRO } from '../src/market/lmsr'
import {
  isExplorationSlot,
  rankMarkets,
  robustPrice,
  scoreMarket,
  type RankableMarket,
} from '../src/ranking/market-rank'
import { RANKING_PARAMS } from './helpers'

const HOUR = 3_600_000
const now = Date.UTC(2026, 10, 21)
const params = RANKING_PARAMS
const b = 100n * MICRO

function market(over: Partial<RankableMarket> & { postId: number }): RankableMarket {
  return {
    createdAtMs: now,
    qYesMicro: 0n,
    qNoMicro: 0n,
    liquidityMicro: b,
    traderCount: 0,
    tradeCount: 0,
    topLong: { yesMicro: 0n, noMicro: 0n },
    topShort: { yesMicro: 0n, noMicro: 0n },
    ...over,
  }
}

describe('market ranking', () => {
  it('a whale alone cannot lift a post: its own position is left out of the robust price', () => {
    // One account holds 300 YES; two small traders hold 5 YES each.
    const whale = market({
      postId: 1,
      qYesMicro: 310n * MICRO,
      traderCount: 3,
      topLong: { yesMicro: 300n * MICRO, noMicro: 0n },
    })
    expect(robustPrice(whale)).toBeCloseTo(1 / (1 + Math.exp(-0.1)), 10)
    expect(robustPrice(whale)).toBeLessThan(0.53)
    // The same 310 YES spread over many independent traders does lift it.
    const crowd = market({
      postId: 2,
      qYesMicro: 310n * MICRO,
      traderCount: 31,
      topLong: { yesMicro: 10n * MICRO, noMicro: 0n },
    })
    expect(robustPrice(crowd)).toBeGreaterThan(0.94)
    const ranked = rankMarkets([whale, crowd], now, params, 10, 1)
    expect(ranked.postIds).toEqual([2, 1])
  })

  it('a whale alone cannot sink a post either: the largest net-NO position is left out too', () => {
    const sunk = market({
      postId: 1,
      qYesMicro: 30n * MICRO,
      qNoMicro: 300n * MICRO,
      traderCount: 4,
      topLong: { yesMicro: 15n * MICRO, noMicro: 0n },
      topShort: { yesMicro: 0n, noMicro: 290n * MICRO },
    })
    // Left: 15 YES vs 10 NO from the others: slightly positive, not the 0.06 the whale's money shows.
    expect(robustPrice(sunk)).toBeCloseTo(1 / (1 + Math.exp(-0.05)), 10)
  })

  it('ranks markets below the distinct-trader minimum at the prior', () => {
    const thin = market({
      postId: 1,
      qYesMicro: 200n * MICRO,
      traderCount: 2,
      topLong: { yesMicro: 100n * MICRO, noMicro: 0n },
    })
    expect(scoreMarket(thin, now, params)).toBe(0.5)
    expect(scoreMarket({ ...thin, traderCount: 3 }, now, params)).toBeGreaterThan(0.5)
  })

  it('halves a score every half-life and drops posts outside the window', () => {
    const fresh = market({ postId: 1 })
    const old = market({ postId: 2, createdAtMs: now - 6 * HOUR })
    expect(scoreMarket(old, now, params)).toBeCloseTo(scoreMarket(fresh, now, params) / 2, 12)
    const stale = market({ postId: 3, createdAtMs: now - 49 * HOUR })
    expect(rankMarkets([fresh, stale], now, params, 10, 1).postIds).toEqual([1])
  })

  it('spreads exploration slots evenly: any prefix of n slots holds floor(n * share) of them', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        fc.integer({ min: 1, max: 500 }),
        (share, n) => {
          let count = 0
          for (let i = 0; i < n; i++) if (isExplorationSlot(i, share)) count++
          expect(count).toBe(Math.floor(n * share))
        },
      ),
    )
  })

  it('gives exploration slots to young markets that price alone would bury, without duplicates', () => {
    const established = Array.from({ length: 40 }, (_, i) =>
      market({
        postId: 100 + i,
        qYesMicro: 150n * MICRO,
        traderCount: 10,
        tradeCount: 20,
        topLong: { yesMicro: 10n * MICRO, noMicro: 0n },
      }),
    )
    const young = Array.from({ length: 20 }, (_, i) =>
      market({ postId: 500 + i, createdAtMs: now - 5 * HOUR, traderCount: 1, tradeCount: 1 }),
    )
    const ranking = rankMarkets([...established, ...young], now, { ...params, explorationShare: 0.2 }, 30, 7)
    const withoutExploration = rankMarkets([...established, ...young], now, params, 30, 7)
    expect(withoutExploration.postIds.filter((id) => id >= 500)).toEqual([]) // buried by price alone
    expect(ranking.explorationRanks).toEqual([4, 9, 14, 19, 24, 29])
    for (const rank of ranking.explorationRanks) expect(ranking.postIds[rank]).toBeGreaterThanOrEqual(500)
    expect(new Set(ranking.postIds).size).toBe(ranking.postIds.length)
    // Another seed explores other posts; the same seed, the same ones.
    const again = rankMarkets([...established, ...young], now, { ...params, explorationShare: 0.2 }, 30, 7)
    const other = rankMarkets([...established, ...young], now, { ...params, explorationShare: 0.2 }, 30, 8)
    expect(again.postIds).toEqual(ranking.postIds)
    expect(other.postIds).not.toEqual(ranking.postIds)
  })

  it('returns every live market exactly once, whatever the mix (property)', () => {
    const arb = fc.array(
      fc.record({
        yes: fc.bigInt({ min: 0n, max: 500n }),
        no: fc.bigInt({ min: 0n, max: 500n }),
        traders: fc.nat(20),
        trades: fc.nat(20),
        ageH: fc.double({ min: 0, max: 60, noNaN: true }),
      }),
      { maxLength: 60 },
    )
    fc.assert(
      fc.property(arb, fc.double({ min: 0, max: 0.5, noNaN: true }), fc.nat(), (specs, share, seed) => {
        const ms = specs.map((s, i) =>
          market({
            postId: i + 1,
            createdAtMs: now - s.ageH * HOUR,
            qYesMicro: s.yes * MICRO,
            qNoMicro: s.no * MICRO,
            traderCount: s.traders,
            tradeCount: s.trades,
            topLong: { yesMicro: (s.yes * MICRO) / 2n, noMicro: 0n },
          }),
        )
        const ranked = rankMarkets(ms, now, { ...params, explorationShare: share }, 1000, seed)
        const live = ms.filter((m) => now - m.createdAtMs <= params.windowMs).map((m) => m.postId)
        expect([...ranked.postIds].sort((a, b) => a - b)).toEqual(live.sort((a, b) => a - b))
        for (const s of ranked.scores) expect(s).toBeGreaterThan(0)
      }),
    )
  })
})
