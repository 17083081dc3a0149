/**
 * The interim ranking: what orders the feed until markets exist (MECHANISM.md "Ranking the feed" replaces it with
 * robust price x freshness). It has the same shape on purpose — a quality signal times a freshness decay — so the
 * swap changes one factor, not the pipeline.
 *
 *   score = log2(2 + likes + 2 * reposts) * 0.5 ^ (age / halfLife)
 *
 * - log2 damps engagement: the 1,000th like matters far less than the 2nd, so viral posts do not bury the rest.
 *   A post with no engagement scores 1 (log2 2), so fresh posts still rank by freshness alone.
 * - A repost counts twice a like: it puts the post in front of a new audience.
 * - Freshness halves every `halfLifeMs`; a post from the future (clock skew) counts as age 0.
 * Pure: time is passed in.
 */
export interface InterimRankingParams {
  halfLifeMs: number
  /** Posts older than this are not ranked at all. */
  windowMs: number
  /** likes + reposts a post needs before it is ranked (the candidate policy's engagement threshold). */
  minEngagement: number
}

export interface RankablePost {
  id: number
  createdAtMs: number
  likeCount: number
  repostCount: number
}

export const INTERIM_RANKING = 'interim-v1'

export function scoreInterim(post: RankablePost, nowMs: number, params: InterimRankingParams): number {
  const ageMs = Math.max(0, nowMs - post.createdAtMs)
  const engagement = Math.max(0, post.likeCount) + 2 * Math.max(0, post.repostCount)
  return Math.log2(2 + engagement) * Math.pow(0.5, ageMs / params.halfLifeMs)
}

export function isRankable(post: RankablePost, nowMs: number, params: InterimRankingParams): boolean {
  return (
    nowMs - post.createdAtMs <= params.windowMs && post.likeCount + post.repostCount >= params.minEngagement
  )
}

export interface Ranked {
  postIds: number[]
  scores: number[]
}

/** Highest score first; ties broken by newer id first so the order is total and repeatable. */
export function rankInterim(
  posts: readonly RankablePost[],
  nowMs: number,
  params: InterimRankingParams,
  depth: number,
): Ranked {
  const scored: { id: number; score: number }[] = []
  for (const post of posts) {
    if (isRankable(post, nowMs, params))
      scored.push({ id: post.id, score: scoreInterim(post, nowMs, params) })
  }
  scored.sort((a, b) => b.score - a.score || b.id - a.id)
  const top = scored.slice(0, depth)
  return { postIds: top.map((s) => s.id), scores: top.map((s) => s.score) }
}
