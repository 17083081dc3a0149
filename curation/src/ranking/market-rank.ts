import { price } from '../market/lmsr'

/**
 * How markets rank the feed (MECHANISM.md "Ranking the feed"):
 *
 *   score = robust price x 0.5 ^ (age / halfLife)
 *
 * - The robust price is the LMSR YES price recomputed with the largest net-YES account's position AND the largest
 *   net-NO account's position removed (leave-top-trader-out, on both sides): one account alone, however rich,
 *   can neither lift nor sink a post; it takes a second, independent curator agreeing. Removing only the single
 *   largest position (MECHANISM.md's first wording) usually removes the first informed trader on the other side
 *   of a whale, and with large bankrolls inverted the ranking in the capture simulation (sim/report/REPORT.md);
 *   removing the top of each side is symmetric and does not.
 * - A market with fewer than `minTraders` distinct traders ranks at `priorPrice`: a handful of accounts (or one
 *   account's sock puppets below the minimum) moves nothing. At the minimum the score switches to the market's
 *   price, which opens at even odds: a market traded by enough accounts with no net lean (even three holding dust
 *   NO) ranks above the prior. That jump is kept on the capture simulation's evidence (`npm run sim -- eval`,
 *   2026-11-21): reading the robust price from the prior instead, logistic(logit(prior) + lean), which is
 *   continuous at the minimum, cut the farm's cost per extra top-30 post-day from 125.7 to 96.9 grants (seeds
 *   1-3) and missed the target at every prior tried. It also counts the prior twice once traders have moved the
 *   price to what they believe.
 * - Exploration: a fixed share of slots, spread evenly down the feed, goes to markets with few trades, picked
 *   by a seeded shuffle, so new posts are seen (and so priced) rather than starved by established ones. Few trades,
 *   not age: an old post nobody traded can take a slot. Bounding exploration to posts within one half-life was
 *   measured (same date) and changed the attacks' costs within the seeds' noise (held-out seeds 4-8: farm 107.5 to
 *   113.6 grants, cartel 101.0 to 94.6), so it was not adopted without a sweep of its own.
 * Pure: time and the shuffle's seed are passed in.
 */
export interface MarketRankingParams {
  halfLifeMs: number
  /** Posts older than this are not ranked. */
  windowMs: number
  minTraders: number
  /** The price a market ranks at until it has `minTraders` traders. */
  priorPrice: number
  /** Share of slots given to exploration, 0 to 0.5. */
  explorationShare: number
  /** A market with at most this many trades is "young" enough to be explored. */
  explorationMaxTrades: number
}

export interface RankableMarket {
  postId: number
  createdAtMs: number
  qYesMicro: bigint
  qNoMicro: bigint
  liquidityMicro: bigint
  traderCount: number
  tradeCount: number
  /** The position (yes and no shares) of the account with the largest net-YES holding; zeros if none. */
  topLong: { yesMicro: bigint; noMicro: bigint }
  /** The position of the account with the largest net-NO holding; zeros if none. */
  topShort: { yesMicro: bigint; noMicro: bigint }
}

export const NO_POSITION = { yesMicro: 0n, noMicro: 0n } as const

export const MARKET_RANKING = 'market-v1'

export function robustPrice(m: RankableMarket): number {
  const qYes = m.qYesMicro - m.topLong.yesMicro - m.topShort.yesMicro
  const qNo = m.qNoMicro - m.topLong.noMicro - m.topShort.noMicro
  return price({ qYes: qYes < 0n ? 0n : qYes, qNo: qNo < 0n ? 0n : qNo, b: m.liquidityMicro }, 'yes')
}

export function freshness(createdAtMs: number, nowMs: number, halfLifeMs: number): number {
  return Math.pow(0.5, Math.max(0, nowMs - createdAtMs) / halfLifeMs)
}

export function scoreMarket(m: RankableMarket, nowMs: number, params: MarketRankingParams): number {
  const p = m.traderCount >= params.minTraders ? robustPrice(m) : params.priorPrice
  return p * freshness(m.createdAtMs, nowMs, params.halfLifeMs)
}

export interface MarketRanking {
  postIds: number[]
  scores: number[]
  /** Offsets into postIds that exploration filled. */
  explorationRanks: number[]
}

/** Whether slot `rank` is an exploration slot: with share s, slots are spread so that any prefix holds ~s of them. */
export function isExplorationSlot(rank: number, share: number): boolean {
  return Math.floor((rank + 1) * share) > Math.floor(rank * share)
}

/** A 32-bit mix of (seed, id): the seeded shuffle for exploration, reproducible by anyone with the seed. */
export function shuffleKey(seed: number, id: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0
  h = Math.imul(h ^ (id >>> 0), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ Math.floor(id / 2 ** 32), 0xc2b2ae35) >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d) >>> 0
  h ^= h >>> 15
  return h >>> 0
}

export function rankMarkets(
  markets: readonly RankableMarket[],
  nowMs: number,
  params: MarketRankingParams,
  depth: number,
  seed: number,
): MarketRanking {
  const live = markets.filter((m) => nowMs - m.createdAtMs <= params.windowMs)
  const byScore = live
    .map((m) => ({ m, score: scoreMarket(m, nowMs, params) }))
    .sort((a, b) => b.score - a.score || b.m.postId - a.m.postId)
  const explorable = live
    .filter((m) => m.tradeCount <= params.explorationMaxTrades)
    .map((m) => ({ m, key: shuffleKey(seed, m.postId) }))
    .sort((a, b) => a.key - b.key || a.m.postId - b.m.postId)
  const scoreOf = new Map(byScore.map((s) => [s.m.postId, s.score]))

  const share = Math.min(0.5, Math.max(0, params.explorationShare))
  const used = new Set<number>()
  const out: MarketRanking = { postIds: [], scores: [], explorationRanks: [] }
  let main = 0
  let explore = 0
  const take = (postId: number) => {
    used.add(postId)
    out.postIds.push(postId)
    out.scores.push(scoreOf.get(postId)!)
  }
  while (out.postIds.length < Math.min(depth, live.length)) {
    const rank = out.postIds.length
    if (share > 0 && isExplorationSlot(rank, share)) {
      while (explore < explorable.length && used.has(explorable[explore]!.m.postId)) explore++
      if (explore < explorable.length) {
        take(explorable[explore]!.m.postId)
        out.explorationRanks.push(rank)
        continue
      }
    }
    while (main < byScore.length && used.has(byScore[main]!.m.postId)) main++
    if (main >= byScore.length) break
    take(byScore[main]!.m.postId)
  }
  return out
}
