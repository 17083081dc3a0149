/**
 * The two feeds Curia is measured against, on the same world (same posts, same perceptions, same readers and
 * attention curve) in the same run:
 *
 * - Likes: score = log2(2 + likes) x freshness (the shape of Curia's own interim ranking before markets). Readers
 *   like what looks good to them; each post also gets likes from its author's followers outside the feed; every
 *   farm account likes every attacker post (a like costs nothing).
 * - Stake-weighted (Steem-style): score = sum of the stake of upvoters x freshness. Curators upvote what they think
 *   the jury would endorse, with weight = their credits; the whale upvotes its posts with its whole stake, each farm
 *   account with its grant. Voting spends nothing: stake is not at risk, which is what Steem got wrong.
 *
 * Both are the reference points, not Curia: the simulator models them plainly, with no market and no jury.
 */
import { attention, pickLook } from './agents/visits'
import { whaleEndowmentMicro, type HourImpressions } from './curia-run'
import type { SimParams } from './params'
import { createRng } from './rng'
import { normalCdf } from './stats'
import {
  beliefFromSignal,
  generateCurators,
  HOUR_MS,
  perceive,
  QUALITY_LINE,
  runHours,
  type Post,
} from './world'

export interface FeedPostOutcome {
  impressions: number
  hoursInTop: number
}

export interface FeedRun {
  posts: FeedPostOutcome[]
  hourly: HourImpressions[]
}

function freshness(createdAtMs: number, nowMs: number, halfLifeHours: number): number {
  return Math.pow(0.5, Math.max(0, nowMs - createdAtMs) / (halfLifeHours * HOUR_MS))
}

/** The share of readers who like a post they see: the like rate times P(it looks good to them). */
export function likeProbability(quality: number, p: SimParams['readers']): number {
  return p.likeRate * normalCdf((quality - QUALITY_LINE) / p.noise)
}

/** Ranks posts by `score` (ties to the newer post, as Curia's ranking does), shows the top, counts impressions. */
function serveHour(
  params: SimParams,
  outcomes: FeedPostOutcome[],
  hourly: HourImpressions[],
  live: readonly Post[],
  score: (p: Post) => number,
  hour: number,
): Post[] {
  const ranked = live
    .map((p) => ({ p, s: score(p) }))
    .sort((a, b) => b.s - a.s || b.p.id - a.p.id)
    .slice(0, params.ranking.depth)
    .map((x) => x.p)
  let total = 0
  let low = 0
  let attacker = 0
  let ageHours = 0
  ranked.forEach((post, rank) => {
    const n = params.readers.perHour * attention(rank, params.readers.attentionHalfLifeRanks)
    const o = outcomes[post.id - 1]!
    o.impressions += n
    o.hoursInTop++
    total += n
    ageHours += (n * (hour * HOUR_MS - post.createdAtMs)) / HOUR_MS
    if (post.quality < QUALITY_LINE) low += n
    if (post.author === 'attacker') attacker += n
  })
  hourly.push({ hour, total, low, attacker, ageHours })
  return ranked
}

function livePosts(posts: readonly Post[], nowMs: number, windowMs: number): Post[] {
  return posts.filter((p) => p.createdAtMs < nowMs && nowMs - p.createdAtMs <= windowMs)
}

export function runLikesFeed(params: SimParams, posts: readonly Post[]): FeedRun {
  const outcomes: FeedPostOutcome[] = posts.map(() => ({ impressions: 0, hoursInTop: 0 }))
  const hourly: HourImpressions[] = []
  const likes = new Float64Array(posts.length + 1)
  const windowMs = params.market.windowHours * HOUR_MS
  const attackerLikes = params.attacker.farmSize + (params.attacker.whaleShare > 0 ? 1 : 0)
  let next = 0
  for (let hour = 0; hour <= runHours(params); hour++) {
    const nowMs = hour * HOUR_MS
    while (next < posts.length && posts[next]!.createdAtMs < nowMs) {
      const post = posts[next++]!
      likes[post.id] = params.readers.followerViews * likeProbability(post.quality, params.readers)
      if (post.author === 'attacker') likes[post.id]! += attackerLikes
    }
    const live = livePosts(posts, nowMs, windowMs)
    const shown = serveHour(
      params,
      outcomes,
      hourly,
      live,
      (p) => Math.log2(2 + likes[p.id]!) * freshness(p.createdAtMs, nowMs, params.ranking.halfLifeHours),
      hour,
    )
    // Readers like what they were shown (expected counts: many readers, the same perception model).
    shown.forEach((post, rank) => {
      const seen = params.readers.perHour * attention(rank, params.readers.attentionHalfLifeRanks)
      likes[post.id]! += seen * likeProbability(post.quality, params.readers)
    })
  }
  return { posts: outcomes, hourly }
}

export function runStakeFeed(params: SimParams, posts: readonly Post[]): FeedRun {
  const rng = createRng(params.seed, 'stake')
  const outcomes: FeedPostOutcome[] = posts.map(() => ({ impressions: 0, hoursInTop: 0 }))
  const hourly: HourImpressions[] = []
  const stakeVotes = new Float64Array(posts.length + 1)
  const voted = new Set<string>()
  const windowMs = params.market.windowHours * HOUR_MS
  const curators = generateCurators(params)
  const curatorStake = params.market.startingGrantCredits + params.market.humanGrantCredits
  const attackerStake =
    Number(whaleEndowmentMicro(params)) / 1e6 + params.attacker.farmSize * params.market.startingGrantCredits
  let next = 0
  let shown: Post[] = []
  for (let hour = 0; hour <= runHours(params); hour++) {
    const nowMs = hour * HOUR_MS
    while (next < posts.length && posts[next]!.createdAtMs < nowMs) {
      const post = posts[next++]!
      // The whale and the farm upvote their own posts at once, with everything they hold.
      if (post.author === 'attacker') stakeVotes[post.id] = attackerStake
    }
    const live = livePosts(posts, nowMs, windowMs)
    shown = serveHour(
      params,
      outcomes,
      hourly,
      live,
      (p) => stakeVotes[p.id]! * freshness(p.createdAtMs, nowMs, params.ranking.halfLifeHours),
      hour,
    )
    const recent = live.filter((p) => nowMs - p.createdAtMs <= params.curators.discoveryHours * HOUR_MS)
    for (const c of curators) {
      if (!rng.chance(params.curators.activePerHour)) continue
      for (let k = 0; k < params.curators.looksPerVisit; k++) {
        const post = pickLook(recent, shown, rng, { ...params.curators, ...params.readers })
        if (!post) continue
        const key = `${c.index} ${post.id}`
        if (voted.has(key)) continue
        const belief = beliefFromSignal(perceive(params.seed, 'curator', c.index, post, c.noise), c.noise)
        if (belief > 0.5) {
          voted.add(key)
          stakeVotes[post.id]! += curatorStake
        }
      }
    }
  }
  return { posts: outcomes, hourly }
}
