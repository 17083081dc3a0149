import type { Database } from '@curia/db'
import {
  INTERIM_RANKING,
  rankInterim,
  type InterimRankingParams,
  type RankablePost,
} from '../ranking/interim'

export interface RankFeedOptions {
  feed: string
  nowMs: number
  params: InterimRankingParams
  /** How many posts a snapshot holds: how deep a reader can scroll. */
  depth: number
}

export interface RankFeedResult {
  /** The new snapshot's id, or the latest one's when the order did not change. */
  snapshotId: number | undefined
  published: boolean
  ranked: number
}

/**
 * Ranks the live candidate posts and publishes the order as a new snapshot, unless it equals the latest one
 * (scores decay continuously, but an unchanged order needs no new snapshot, and readers keep their cursors).
 */
export async function rankFeed(database: Database, opts: RankFeedOptions): Promise<RankFeedResult> {
  const { sql } = database
  const sinceIso = new Date(opts.nowMs - opts.params.windowMs).toISOString()
  const rows = await sql<{ id: number; createdAtMs: number; likeCount: number; repostCount: number }[]>`
    select id::float8 as id, (extract(epoch from created_at) * 1000)::float8 as "createdAtMs",
           like_count as "likeCount", repost_count as "repostCount"
    from post
    where deleted_at is null and created_at > ${sinceIso}::timestamptz
      and like_count + repost_count >= ${opts.params.minEngagement}`
  const posts: RankablePost[] = rows
  const ranked = rankInterim(posts, opts.nowMs, opts.params, opts.depth)

  const [latest] = await sql<{ id: number; postIds: number[] }[]>`
    select id::float8 as id, post_ids::float8[] as "postIds" from feed_snapshot
    where feed = ${opts.feed} order by id desc limit 1`
  if (latest && sameOrder(latest.postIds, ranked.postIds)) {
    return { snapshotId: latest.id, published: false, ranked: ranked.postIds.length }
  }
  const [row] = await sql<{ id: number }[]>`
    insert into feed_snapshot (feed, ranking, post_ids, scores)
    values (${opts.feed}, ${INTERIM_RANKING}, ${sql.array(ranked.postIds)}::bigint[], ${sql.array(ranked.scores)}::real[])
    returning id::float8 as id`
  return { snapshotId: row?.id, published: true, ranked: ranked.postIds.length }
}

function sameOrder(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Drops snapshots older than the retention, always keeping the latest, so old cursors expire but never all. */
export async function pruneSnapshots(
  database: Database,
  opts: { feed: string; nowMs: number; retentionMs: number },
): Promise<number> {
  const { sql } = database
  const before = new Date(opts.nowMs - opts.retentionMs).toISOString()
  const rows = await sql`
    delete from feed_snapshot
    where feed = ${opts.feed} and created_at < ${before}::timestamptz
      and id < (select max(id) from feed_snapshot where feed = ${opts.feed})
    returning id`
  return rows.length
}
