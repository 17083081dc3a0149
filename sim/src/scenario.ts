/**
 * `@curia/sim/scenario`: realistic curators for the demo (`npm run demo`), the same behaviour the simulator measures.
 *
 *   const sc = createScenario({ seed: 1, posts: postUris, curators: 8 })
 *   const beliefs = sc.beliefsOf(sc.curators[0])              // post key -> P(the jury endorses it), private
 *   const order = sc.decide(sc.curators[0], market, beliefs)  // a TradeOrder for the trade service, or undefined
 *
 * Every post gets a hidden quality in [0, 1] (Beta(2, 2); the jury's line is 0.5), a pure function of (seed, key), so
 * the demo can pass the at-URIs of the posts its simulated accounts make, in any order, at any time. A curator's
 * belief is its noisy private reading of that quality, also a pure function of (seed, curator, key). `decide` is the
 * simulator's honest curator: it blends its belief with the displayed price (more so the more traders there are),
 * stakes fractional Kelly within its balance and the position cap, and sends a slippage bound. Nothing here touches
 * a clock, a network or Math.random.
 */
import type { MarketState } from '@curia/curation/market/lmsr'
import type { TradeOrder, TradeRules, TraderView } from '@curia/curation/market/trade'
import { decideCurator, type CuratorStyle } from './agents/curator'
import { DEFAULT_PARAMS } from './params'
import { hashLabel } from './rng'
import { beliefFromSignal, hashedNormal, QUALITY_LINE } from './world'

export type { CuratorStyle, TradeOrder }

export interface ScenarioPost {
  key: string
  /** Hidden true quality in [0, 1]: what a careful jury would see. */
  quality: number
  /** quality < 0.5: the jury should reject it. */
  isLowQuality: boolean
}

export interface ScenarioCurator {
  index: number
  /** A display name for logs ("curator-3"). */
  name: string
  /** Perception noise: 0.08 is sharp, 0.3 is noisy. */
  noise: number
}

/** What `decide` needs to know about a market: what the market page shows plus the curator's own holding. */
export interface ScenarioMarket {
  marketId: number
  /** The key the post was given to `createScenario` (its at-URI in the demo). */
  postKey: string
  state: MarketState
  /** Distinct accounts that have traded. */
  traderCount: number
  trader: TraderView
  rules: TradeRules
}

export interface ScenarioOptions {
  seed: number
  /** Post keys (e.g. at-URIs), or a count to generate keys `post-1`, `post-2`, ... */
  posts: readonly string[] | number
  /** Number of curators, noise spread evenly from sharp to noisy. */
  curators: number
  noise?: [number, number]
  style?: Partial<CuratorStyle>
}

export interface Scenario {
  seed: number
  posts: ScenarioPost[]
  curators: ScenarioCurator[]
  style: CuratorStyle
  /** Hidden quality of any post key (also ones not listed at creation: the demo's later posts). */
  qualityOf(postKey: string): number
  /** A curator's private belief that the jury would endorse the post. */
  beliefOf(curator: ScenarioCurator, postKey: string): number
  /** Beliefs about every listed post. */
  beliefsOf(curator: ScenarioCurator): Map<string, number>
  /** The curator's order on this market, or undefined when it would not trade (no belief, no edge, no money). */
  decide(
    curator: ScenarioCurator,
    market: ScenarioMarket,
    beliefs: ReadonlyMap<string, number>,
  ): TradeOrder | undefined
}

const unit = (seed: number, key: string, i: number) =>
  (hashedUnit([seed, 7, hashLabel(key), i]) + 0.5) / 2 ** 32

function hashedUnit(key: readonly number[]): number {
  // Its own mixer (not the perception noise's), so a post's quality and a curator's noise on it are independent.
  let h = 0x9747b28c
  for (const v of key) {
    h = Math.imul(h ^ (v >>> 0), 0x5bd1e995) >>> 0
    h ^= h >>> 15
  }
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}

export function createScenario(opts: ScenarioOptions): Scenario {
  const { seed } = opts
  const noise = opts.noise ?? DEFAULT_PARAMS.curators.noise
  const style: CuratorStyle = {
    priceTrust: DEFAULT_PARAMS.curators.priceTrust,
    maxPriceWeight: DEFAULT_PARAMS.curators.maxPriceWeight,
    kellyMultiplier: DEFAULT_PARAMS.curators.kellyMultiplier,
    riskFraction: DEFAULT_PARAMS.curators.riskFraction,
    edge: DEFAULT_PARAMS.curators.edge,
    ...opts.style,
  }
  // Beta(2, 2) is the middle of three uniforms.
  const qualityOf = (key: string) =>
    [unit(seed, key, 0), unit(seed, key, 1), unit(seed, key, 2)].sort((a, b) => a - b)[1]!
  const keys =
    typeof opts.posts === 'number'
      ? Array.from({ length: opts.posts }, (_, i) => `post-${i + 1}`)
      : opts.posts
  const posts = keys.map((key) => {
    const quality = qualityOf(key)
    return { key, quality, isLowQuality: quality < QUALITY_LINE }
  })
  const curators = Array.from({ length: opts.curators }, (_, i) => ({
    index: i,
    name: `curator-${i}`,
    noise: opts.curators === 1 ? noise[0] : noise[0] + ((noise[1] - noise[0]) * i) / (opts.curators - 1),
  }))
  const beliefOf = (c: ScenarioCurator, key: string) =>
    beliefFromSignal(qualityOf(key) + c.noise * hashedNormal([seed, 11, c.index, hashLabel(key)]), c.noise)
  return {
    seed,
    posts,
    curators,
    style,
    qualityOf,
    beliefOf,
    beliefsOf: (c) => new Map(posts.map((p) => [p.key, beliefOf(c, p.key)])),
    decide(curator, market, beliefs) {
      const belief = beliefs.get(market.postKey) ?? beliefOf(curator, market.postKey)
      return decideCurator(style, market, belief)
    },
  }
}
