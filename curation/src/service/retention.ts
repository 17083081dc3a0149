import type { Database } from '@curia/db'
import { startLoop, type BackgroundLoop } from './loop'

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

export interface PruneAuthorsOptions {
  nowMs: number
  retentionMs: number
  /** Rows a delete statement takes at most. */
  batch: number
  /** Most rows one run deletes (and one pass lists); the next run continues. Default: 100 batches. */
  maxAuthors?: number
  /** Checked between batches. */
  signal?: AbortSignal
}

export interface PruneAuthorsResult {
  /** Author rows deleted. */
  authors: number
  /** True when the run stopped early (the cap, or the signal): more may be due. */
  more: boolean
}

/**
 * Retention of the `author` table. The indexer writes a row for every profile, handle and account event of the whole
 * network (indexer/src/write.ts), so on public Bluesky the table would grow towards one row per active account, most
 * of them for accounts with no stored post, whose names nothing shows. A row is deleted once all of these hold:
 *
 * - no row in `post` has its DID (live or tombstone). Posts with a market are never pruned, so this alone keeps every
 *   author Curia shows: the feed, post pages and portfolios show only posts with a market. It also keeps the authors
 *   the lookups resolved (author-profiles.ts looks up market authors only, post-import.ts the author of a post it
 *   fetches, stored with the updated_at the cutoff below protects), so a rule on `resolved_at` would add nothing;
 * - `updated_at` is older than the cutoff (now - retention): an author the stream described inside the window stays,
 *   as their posts would, so a row is not dropped just before the post it was written for is stored, and an account
 *   that keeps changing is not deleted and rewritten on every run;
 * - `status` is null (active). An inactive account's row is what stops its posts being served (rank-feed.ts,
 *   snapshot-store.ts) should they arrive again from a replay; those rows are few and stay;
 * - the DID holds no curator account. Curators are shown by name (trades, leaderboards, portfolio, header:
 *   web/server/auth/web-session.ts curatorHandles), from the handle they signed in with or else this table's,
 *   whether or not they ever posted. Sign-in makes the account, so this also covers everyone who signed in.
 *
 * `post.author_did` has no index (maintaining one cost an eighth of the database's CPU per indexed post; see the
 * post table), so "no post" is found by ONE pass a run: a hash anti join of `author` against the whole of `post`,
 * listing at most `maxAuthors` due DIDs. It costs a scan of both tables whatever is due (measured on Postgres 15:
 * 1M authors and 1M posts by 200k of them, 0.5 s with nothing due; 5M authors and 3M posts, 1 s; on PGlite at 1M and
 * 1M, 0.8 s of its only session), so startRetention runs it hourly. The listed rows are deleted in batches of
 * `batch`, each ONE statement that re-checks the other rules on the row and skips rows a writer holds locked.
 *
 * Races with the indexer. A profile, handle or status event for a row being deleted is never lost: the batch skips
 * a row the indexer's upsert holds (and sees the new `updated_at` of one it committed), and an upsert that meets a
 * row the batch holds waits, then inserts it afresh. A post stored between the pass and its batch (seconds) by an
 * author whose row is due is not seen: the row goes, and the stream describes the author again only when their
 * profile or handle changes. `updated_at` narrows this to authors not described for a whole retention, skip locked
 * does not help (storing a post does not touch the author's row), and it is harmless: most stored posts have no
 * author row anyway (a post does not make one), a post is shown only once it has a market, and the author lookups
 * read from the network every market author without a resolved row.
 */
export async function pruneAuthors(
  database: Database,
  opts: PruneAuthorsOptions,
): Promise<PruneAuthorsResult> {
  const { sql } = database
  const cutoffIso = new Date(opts.nowMs - opts.retentionMs).toISOString()
  const maxAuthors = opts.maxAuthors ?? opts.batch * 100
  // The rules a row can be checked against on its own (and by index lookups): written once, for the pass and for
  // each batch's re-check.
  const isDue = sql`
    a.updated_at < ${cutoffIso}::timestamptz and a.status is null
    and not exists (select 1 from account c where c.kind = 'curator' and c.did = a.did)`
  const listed = await sql<{ did: string }[]>`
    select a.did from author a
    where ${isDue} and not exists (select 1 from post p where p.author_did = a.did)
    limit ${maxAuthors + 1}`
  const dids = listed
    .slice(0, maxAuthors)
    .map((r) => r.did)
    .sort()
  const result: PruneAuthorsResult = { authors: 0, more: listed.length > maxAuthors }
  for (let i = 0; i < dids.length; i += opts.batch) {
    if (opts.signal?.aborted) return { ...result, more: true }
    const [row] = await sql<{ authors: number }[]>`
      with due as (
        select a.did from author a
        where a.did = any(${sql.array(dids.slice(i, i + opts.batch))}::text[]) and ${isDue}
        for update of a skip locked
      ),
      gone as (
        delete from author a using due where a.did = due.did returning 1
      )
      select count(*)::int as authors from gone`
    result.authors += row?.authors ?? 0
  }
  return result
}

export interface RetentionRun extends PruneIndexResult {
  /** Author rows deleted; 0 also when the run did not prune authors (they are pruned every `authorsIntervalMs`). */
  authors: number
}

export type RetentionLoop = BackgroundLoop<RetentionRun>

/**
 * Prunes the index on its own cadence, apart from the ranking round: posts once `firstDelayMs` after start, then
 * every `intervalMs`; authors in the first run and then in the first run `authorsIntervalMs` (default an hour) after
 * the last, or in the next run while a backlog remains. An author pass reads the whole of `post` and `author`
 * whatever is due (see pruneAuthors) and a row's deletion is not urgent, so it runs less often than the posts' walk.
 * A failed run is logged and retried on the next tick. Logs only when something was pruned.
 *
 * On embedded PGlite a run that pruned something ends with a plain VACUUM of the tables it pruned. PGlite runs no
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
  authorsIntervalMs?: number
  maxAuthors?: number
  log: (line: string) => void
  now?: () => number
}): RetentionLoop {
  const now = opts.now ?? Date.now
  const authorsIntervalMs = opts.authorsIntervalMs ?? 3_600_000
  let authorsDueAt = -Infinity
  const age = describeHours(opts.retentionMs)

  return startLoop({
    name: 'retention',
    firstDelayMs: opts.firstDelayMs,
    nextDelayMs: () => opts.intervalMs,
    log: opts.log,
    async run(signal) {
      const startedAt = now()
      const posts = await pruneIndex(opts.database, {
        nowMs: startedAt,
        retentionMs: opts.retentionMs,
        batch: opts.batch,
        ...(opts.maxPosts !== undefined ? { maxPosts: opts.maxPosts } : {}),
        signal,
      })
      const result: RetentionRun = { ...posts, authors: 0 }
      if (startedAt >= authorsDueAt && !signal.aborted) {
        const authors = await pruneAuthors(opts.database, {
          nowMs: startedAt,
          retentionMs: opts.retentionMs,
          batch: opts.batch,
          ...(opts.maxAuthors !== undefined ? { maxAuthors: opts.maxAuthors } : {}),
          signal,
        })
        authorsDueAt = authors.more ? startedAt : startedAt + authorsIntervalMs
        result.authors = authors.authors
        result.more ||= authors.more
      }
      const pruned = [
        result.posts > 0 &&
          `${result.posts} posts` +
            (result.tombstones > 0 ? ` (${result.tombstones} deleted by their authors)` : '') +
            `, ${result.engagement} engagement rows`,
        result.authors > 0 && `${result.authors} authors without posts`,
      ].filter((part) => part !== false)
      if (pruned.length > 0) {
        opts.log(
          `retention: pruned ${pruned.join(' and ')} older than ${age}` +
            (result.more && !signal.aborted ? '; more next run' : ''),
        )
      }
      const tables = [
        ...(result.posts > 0 ? ['post', 'engagement'] : []),
        ...(result.authors > 0 ? ['author'] : []),
      ]
      if (tables.length > 0 && opts.database.embedded && !signal.aborted) {
        await opts.database.sql`vacuum ${opts.database.sql(tables)}`.catch((err: unknown) =>
          opts.log(`retention: vacuum failed, retried after the next prune: ${(err as Error).message}`),
        )
      }
      return result
    },
  })
}

function describeHours(ms: number): string {
  const hours = ms / 3_600_000
  if (hours >= 24 && hours % 24 === 0) return hours === 24 ? '1 day' : `${hours / 24} days`
  return hours === 1 ? '1 hour' : `${hours} hours`
}
