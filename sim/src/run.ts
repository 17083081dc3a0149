/**
 * One scenario, three feeds, one world: Curia (the production core), the likes feed and the stake-weighted feed,
 * on the same posts and perceptions, with Curia's credits checked for conservation every simulated hour.
 */
import { runLikesFeed, runStakeFeed } from './baselines'
import { runCuria } from './curia-run'
import { curiaMetrics, feedMetrics, type CuriaMetrics, type FeedMetrics } from './metrics'
import type { SimParams } from './params'
import { generatePosts } from './world'

export interface ScenarioResult {
  params: SimParams
  posts: number
  attackerPosts: number
  curia: CuriaMetrics
  likes: FeedMetrics
  stake: FeedMetrics
  /** Curia's hourly attacker and low-quality shares, for plots. */
  hourly: {
    hour: number
    curiaLow: number
    likesLow: number
    stakeLow: number
    curiaAttacker: number
    likesAttacker: number
    stakeAttacker: number
  }[]
}

export function runScenario(params: SimParams, opts: { baselines?: boolean } = {}): ScenarioResult {
  const posts = generatePosts(params)
  const curiaRun = runCuria(params, posts)
  const curia = curiaMetrics(curiaRun, posts, params)
  const withBaselines = opts.baselines ?? true
  const likesRun = withBaselines ? runLikesFeed(params, posts) : undefined
  const stakeRun = withBaselines ? runStakeFeed(params, posts) : undefined
  const empty: FeedMetrics = {
    lowQualityShare: Number.NaN,
    attackerShare: Number.NaN,
    feedAgeHours: Number.NaN,
    lowQualityHoursInTop: Number.NaN,
    lowQualityHoursInTopP90: Number.NaN,
    goodHoursInTop: Number.NaN,
    attackerHoursInTop: Number.NaN,
    attackerTopPostDays: Number.NaN,
    attackerImpressions: Number.NaN,
  }
  const share = (h: { total: number; low: number; attacker: number } | undefined, k: 'low' | 'attacker') =>
    h && h.total > 0 ? h[k] / h.total : Number.NaN
  return {
    params,
    posts: posts.length,
    attackerPosts: posts.filter((p) => p.author === 'attacker').length,
    curia,
    likes: likesRun ? feedMetrics(likesRun, posts, params) : empty,
    stake: stakeRun ? feedMetrics(stakeRun, posts, params) : empty,
    hourly: curiaRun.hourly.map((h, i) => ({
      hour: h.hour,
      curiaLow: share(h, 'low'),
      likesLow: share(likesRun?.hourly[i], 'low'),
      stakeLow: share(stakeRun?.hourly[i], 'low'),
      curiaAttacker: share(h, 'attacker'),
      likesAttacker: share(likesRun?.hourly[i], 'attacker'),
      stakeAttacker: share(stakeRun?.hourly[i], 'attacker'),
    })),
  }
}
