import type { Database } from '@curia/db'

export interface PruneIndexOptions {
  nowMs: number
  retentionMs: number
  /** Posts a batch examines (and at most deletes). */
  batch: number
  /** A run stops once it has deleted this many posts; the next run continues. Default: 100 batches. */
  maxPosts?: number
  /** Checked between batches: a stopping service waits for one batch, not the whole run. */
  signal?: AbortSignal
}

export interface PruneIndexResult {
  /** Posts deleted, tombstones included. */
  posts: number
  /** Of `posts`, those that were tombstones. */
  tombstones: number
  /** Engagement rows deleted with them. */
  engagement: number
  /** True when the run stopped early (the cap, or the signal): more may be due. */
  more: boolean
}

type Walk = 'live' | 'tombstone'

/**
 * Retention of the index. The candidate policy stores every English top-level post of the network and a row for
 * every like and repost of them, which on public Bluesky is hundreds of thousands of posts and millions of rows a
 * day; only posts with a market are ever shown. So a post is pruned, with its engagement rows, once it is due:
 *
 * - it has no market (open, closed, settled or void: never a post with one, however old; feed snapshots, exposure
 *   counts and jury rounds only name posts that have a market, so nothing else refers to a pruned post);
 * - it was created before the cutoff (now - retention). The retention is at least the ranking and market windows
 *   (config.ts refuses less), so openCandidateMarkets still sees every post inside them, and a curator can no longer
 *   open a market on a pruned post anyway (planMarketOpening refuses a post older than the market window);
 * - if it is a tombstone (the author deleted it), it was also deleted before the cutoff. A tombstone exists so that
 *   a replayed create cannot resurrect the post; Jetstream replays about a day, so a tombstone older than a
 *   retention of days can no longer meet a replay of its create. (A backfill from a cursor older than the retention
 *   would bring such a post back; the next run prunes it again.)
 *
 * A pruned post can come back: a curator opening a market by URL fetches a post that is not indexed
 * (web/server/post-import.ts), and the indexer stores a post again if its create event arrives again. Likes of a
 * post that is not in the table are not stored (the indexer's insert joins `post`), so a pruned post's count never
 * moves again, and its engagement rows are deleted in the same statement (one transaction) as the post, so counts
 * and rows never disagree.
 *
 * Two races are left open, both needing an event on a post older than the retention in the same instant its batch
 * runs, and neither breaking an invariant the feed relies on: a like written concurrently can leave an engagement row
 * whose post is gone (counted nowhere), and a curator opening a market concurrently can open it on a post that is no
 * longer stored (as for a post the indexer never saw; opening it again by URL re-imports the post).
 *
 * Work is done in batches of at most `batch` posts, each ONE statement (so one short transaction holding row locks
 * on at most `batch` posts), walking an index in (time, uri) order from where the previous batch stopped, so no batch
 * rescans what an earlier one passed over (kept posts, or index entries of rows deleted but not yet vacuumed). Rows
 * locked by a concurrent writer are skipped, not waited for; the next run takes them.
 */
export async function pruneIndex(database: Database, opts: PruneIndexOptions): Promise<PruneIndexResult> {
  const cutoffIso = new Date(opts.nowMs - opts.retentionMs).toISOString()
  const maxPosts = opts.maxPosts ?? opts.batch * 100
  const result: PruneIndexResult = { posts: 0, tombstones: 0, engagement: 0, more: false }
  // Live posts in created_at order (post_live_created_at_idx), then tombstones in deleted_at order
  // (post_deleted_at_idx): the two partial indexes together cover every row, each walked from its oldest entry.
  for (const walk of ['live', 'tombstone'] as const) {
    let after = { at: '-infinity', uri: '' }
    for (;;) {
      if (result.posts >= maxPosts || opts.signal?.aborted) {
        result.more = true
        return result
      }
      const step = await pruneBatch(database, walk, cutoffIso, after, opts.batch)
      result.posts += step.posts
      if (walk === 'tombstone') result.tombstones += step.posts
      result.engagement += step.engagement
      if (step.examined < opts.batch || !step.last) break
      after = step.last
    }
  }
  return result
}

/**
 * One batch: examine the next `batch` entries of the walk's index older than the cutoff, delete those that are due
 * (the rule is written once, in `due`, for both walks) with their engagement rows, and report where to resume.
 */
async function pruneBatch(
  database: Database,
  walk: Walk,
  cutoffIso: string,
  after: { at: string; uri: string },
  batch: number,
): Promise<{
  examined: number
  posts: number
  engagement: number
  last: { at: string; uri: string } | undefined
}> {
  const { sql } = database
  // `nulls first` on the live walk matches post_live_created_at_idx (created_at desc nulls last) read backwards;
  // plain `order by created_at` would not match it and sort the whole range instead. The explicit `>=` gives the
  // index its lower bound; the row comparison then breaks ties on uri.
  const examined =
    walk === 'live'
      ? sql`
          select p.uri, p.created_at as at from post p
          where p.deleted_at is null and p.created_at < ${cutoffIso}::timestamptz
            and p.created_at >= ${after.at}::timestamptz and (p.created_at, p.uri) > (${after.at}::timestamptz, ${after.uri})
          order by p.created_at nulls first, p.uri
          limit ${batch}`
      : sql`
          select p.uri, p.deleted_at as at from post p
          where p.deleted_at is not null and p.deleted_at < ${cutoffIso}::timestamptz
            and p.deleted_at >= ${after.at}::timestamptz and (p.deleted_at, p.uri) > (${after.at}::timestamptz, ${after.uri})
          order by p.deleted_at, p.uri
          limit ${batch}`
  const [row] = await sql<
    { examined: number; posts: number; engagement: number; lastAt: string | null; lastUri: string | null }[]
  >`
    with examined as (${examined}),
    due as (
      select p.uri from post p join examined x on x.uri = p.uri
      where p.created_at < ${cutoffIso}::timestamptz
        and (p.deleted_at is null or p.deleted_at < ${cutoffIso}::timestamptz)
        and not exists (select 1 from market m where m.post_uri = p.uri)
      for update of p skip locked
    ),
    gone as (
      delete from post p using due where p.uri = due.uri returning p.uri
    ),
    gone_engagement as (
      delete from engagement e using gone where e.subject_uri = gone.uri returning 1
    ),
    last as (
      select at, uri from examined order by at desc, uri desc limit 1
    )
    select (select count(*)::int from examined) as examined, (select count(*)::int from gone) as posts,
           (select count(*)::int from gone_engagement) as engagement,
           (select at::text from last) as "lastAt", (select uri from last) as "lastUri"`
  if (!row) throw new Error('prune batch returned no row')
  return {
    examined: row.examined,
    posts: row.posts,
    engagement: row.engagement,
    last: row.lastAt !== null && row.lastUri !== null ? { at: row.lastAt, uri: row.lastUri } : undefined,
  }
}

export interface RetentionLoop {
  /** Runs one prune now, or joins the one running. */
  runNow(): Promise<PruneIndexResult | undefined>
  /** Stops the schedule; waits for a running prune to finish its current batch. */
  stop(): Promise<void>
}

/**
 * Prunes the index on its own cadence, apart from the ranking round: once `firstDelayMs` after start, then every
 * `intervalMs`. A failed run is logged and retried on the next tick. Logs only when something was pruned.
 *
 * On embedded PGlite a run that pruned something ends with a plain VACUUM of post and engagement. PGlite runs no
 * autovacuum, and until a vacuum records the freed space, new rows go to new pages: measured, a table whose rows were
 * all deleted doubled in size when refilled, so pruning alone would not bound the files. (It costs PGlite's single
 * session about a second on 400k posts and 1.6M engagement rows; Postgres's autovacuum does this on its own.)
 */
export function startRetention(opts: {
  database: Database
  retentionMs: number
  intervalMs: number
  firstDelayMs: number
  batch: number
  maxPosts?: number
  log: (line: string) => void
  now?: () => number
}): RetentionLoop {
  const now = opts.now ?? Date.now
  const aborter = new AbortController()
  let running: Promise<PruneIndexResult | undefined> | undefined
  let timer: NodeJS.Timeout | undefined
  const age = describeHours(opts.retentionMs)

  const runNow = () =>
    (running ??= (async () => {
      try {
        const result = await pruneIndex(opts.database, {
          nowMs: now(),
          retentionMs: opts.retentionMs,
          batch: opts.batch,
          ...(opts.maxPosts !== undefined ? { maxPosts: opts.maxPosts } : {}),
          signal: aborter.signal,
        })
        if (result.posts > 0) {
          opts.log(
            `retention: pruned ${result.posts} posts` +
              (result.tombstones > 0 ? ` (${result.tombstones} deleted by their authors)` : '') +
              `, ${result.engagement} engagement rows older than ${age}` +
              (result.more && !aborter.signal.aborted ? '; more next run' : ''),
          )
        }
        if (result.posts > 0 && opts.database.embedded && !aborter.signal.aborted) {
          await opts.database.sql`vacuum post, engagement`.catch((err: unknown) =>
            opts.log(`retention: vacuum failed, retried after the next prune: ${(err as Error).message}`),
          )
        }
        return result
      } catch (err) {
        opts.log(`retention: prune failed, retrying next run: ${(err as Error).message}`)
        return undefined
      } finally {
        running = undefined
      }
    })())

  const schedule = (delayMs: number) => {
    if (aborter.signal.aborted) return
    timer = setTimeout(() => {
      void runNow().then(() => schedule(opts.intervalMs))
    }, delayMs)
    timer.unref()
  }
  schedule(opts.firstDelayMs)

  return {
    runNow,
    async stop() {
      aborter.abort()
      clearTimeout(timer)
      await running
    },
  }
}

function describeHours(ms: number): string {
  const hours = ms / 3_600_000
  if (hours >= 24 && hours % 24 === 0) return hours === 24 ? '1 day' : `${hours / 24} days`
  return hours === 1 ? '1 hour' : `${hours} hours`
}
