import type { Database } from '@curia/db'
import { isCurationError } from '../errors'
import type { MarketParams } from '../market/params'
import {
  MARKET_RANKING,
  rankMarkets,
  type MarketRankingParams,
  type RankableMarket,
} from '../ranking/market-rank'
import { openMarket } from './market'

export interface RankFeedOptions {
  feed: string
  nowMs: number
  params: MarketRankingParams
  /** How many posts a snapshot holds: how deep a reader can scroll. */
  depth: number
  /** The exploration shuffle's seed; the caller rotates it (a new one every few minutes). */
  seed: number
}

export interface RankFeedResult {
  /** The new snapshot's id, or the latest one's when the order did not change. */
  snapshotId: number | undefined
  published: boolean
  ranked: number
}

/**
 * Ranks every live post that has a market and publishes the order as a new snapshot, unless it equals the latest
 * one (an unchanged order needs no snapshot, and readers keep their cursors).
 */
export async function rankFeed(database: Database, opts: RankFeedOptions): Promise<RankFeedResult> {
  const { sql } = database
  const sinceIso = new Date(opts.nowMs - opts.params.windowMs).toISOString()
  // The top traders: the account with the largest net-YES position and the one with the largest net-NO position.
  const rows = await sql<
    {
      postId: number
      createdAtMs: number
      qYes: string
      qNo: string
      b: string
      traderCount: number
      tradeCount: number
      longYes: string | null
      longNo: string | null
      shortYes: string | null
      shortNo: string | null
    }[]
  >`
    -- Age from the post's date or its market's opening, whichever is earlier: a post deleted and written again at
    -- the same URI (the indexer takes the new record's date) keeps its market, and must not come back fresh.
    select p.id::float8 as "postId",
           (extract(epoch from least(p.created_at, m.opened_at)) * 1000)::float8 as "createdAtMs",
           m.q_yes_micro::text as "qYes", m.q_no_micro::text as "qNo", m.liquidity_micro::text as b,
           m.trader_count as "traderCount", m.trade_count as "tradeCount",
           long.yes_shares_micro::text as "longYes", long.no_shares_micro::text as "longNo",
           short.yes_shares_micro::text as "shortYes", short.no_shares_micro::text as "shortNo"
    from market m
    join post p on p.uri = m.post_uri
    left join lateral (
      select yes_shares_micro, no_shares_micro from position
      where market_id = m.id and yes_shares_micro > no_shares_micro
      order by yes_shares_micro - no_shares_micro desc, account_id
      limit 1
    ) long on true
    left join lateral (
      select yes_shares_micro, no_shares_micro from position
      where market_id = m.id and no_shares_micro > yes_shares_micro
      order by no_shares_micro - yes_shares_micro desc, account_id
      limit 1
    ) short on true
    where p.deleted_at is null and m.status in ('open', 'closed') and p.created_at > ${sinceIso}::timestamptz
      and not exists (select 1 from author a where a.did = p.author_did and a.status is not null)`
  const markets: RankableMarket[] = rows.map((r) => ({
    postId: r.postId,
    createdAtMs: r.createdAtMs,
    qYesMicro: BigInt(r.qYes),
    qNoMicro: BigInt(r.qNo),
    liquidityMicro: BigInt(r.b),
    traderCount: r.traderCount,
    tradeCount: r.tradeCount,
    topLong: { yesMicro: BigInt(r.longYes ?? '0'), noMicro: BigInt(r.longNo ?? '0') },
    topShort: { yesMicro: BigInt(r.shortYes ?? '0'), noMicro: BigInt(r.shortNo ?? '0') },
  }))
  const ranked = rankMarkets(markets, opts.nowMs, opts.params, opts.depth, opts.seed)

  const [latest] = await sql<{ id: number; postIds: number[]; explorationRanks: number[] }[]>`
    select id::float8 as id, post_ids::float8[] as "postIds", exploration_ranks as "explorationRanks"
    from feed_snapshot where feed = ${opts.feed} order by id desc limit 1`
  if (
    latest &&
    sameOrder(latest.postIds, ranked.postIds) &&
    sameOrder(latest.explorationRanks, ranked.explorationRanks)
  ) {
    return { snapshotId: latest.id, published: false, ranked: ranked.postIds.length }
  }
  const [row] = await sql<{ id: number }[]>`
    insert into feed_snapshot (feed, ranking, post_ids, scores, exploration_ranks)
    values (${opts.feed}, ${MARKET_RANKING}, ${sql.array(ranked.postIds.map(String))}::bigint[],
            ${sql.array(ranked.scores.map(asReal))}::real[], ${sql.array(ranked.explorationRanks.map(String))}::int[])
    returning id::float8 as id`
  return { snapshotId: row?.id, published: true, ranked: ranked.postIds.length }
}

/**
 * A score as `real` text. Scores below float4's range (a long window over a short half-life: 0.5^150 is 7e-46) would
 * make PostgreSQL refuse the whole snapshot as out of range; they are zero to the ranking anyway.
 */
function asReal(score: number): string {
  return score < 1e-37 ? '0' : String(score)
}

function sameOrder(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** What a run of the candidate policy's market opening did. */
export interface CandidateOpening {
  opened: number
  /**
   * The treasury could not fund the next market's subsidy: the run stopped opening there (the rest wait for the
   * next run; subsidies come back as markets settle). Ranking goes on regardless.
   */
  treasuryEmpty: boolean
}

/**
 * The candidate policy's market opening: every live, indexed candidate post with at least `minEngagement` likes +
 * reposts and no market yet gets one (subsidised by the treasury, no fee). Newest first, at most `limit` a run.
 */
export async function openCandidateMarkets(
  database: Database,
  opts: {
    nowMs: number
    windowMs: number
    minEngagement: number
    limit: number
    params: Pick<MarketParams, 'liquidityMicro' | 'windowMs' | 'openFeeMicro'>
  },
): Promise<CandidateOpening> {
  const { sql } = database
  const sinceIso = new Date(opts.nowMs - Math.min(opts.windowMs, opts.params.windowMs)).toISOString()
  const due = await sql<{ uri: string }[]>`
    select p.uri from post p
    where p.deleted_at is null and p.created_at > ${sinceIso}::timestamptz
      and p.like_count + p.repost_count >= ${opts.minEngagement}
      and not exists (select 1 from author a where a.did = p.author_did and a.status is not null)
      and not exists (select 1 from market m where m.post_uri = p.uri)
    -- nulls last: the order of post_live_created_at_idx, so the newest come straight off the index (plain desc
    -- means nulls first, which the planner does not match to it even though created_at is never null)
    order by p.created_at desc nulls last
    limit ${opts.limit}`
  let opened = 0
  for (const { uri } of due) {
    try {
      const result = await openMarket(database, {
        postUri: uri,
        now: new Date(opts.nowMs),
        params: opts.params,
      })
      if (result.opened) opened++
    } catch (err) {
      // An empty treasury ends the opening, not the ranker's round (closing and ranking must go on while the
      // subsidies are locked in markets awaiting the jury); a post the rules refuse is skipped.
      if (isCurationError(err, 'insufficient_balance')) return { opened, treasuryEmpty: true }
      if (!isCurationError(err)) throw err
    }
  }
  return { opened, treasuryEmpty: false }
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
