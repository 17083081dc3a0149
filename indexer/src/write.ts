import type { Sql } from '@curia/db'
import type { BatchPlan } from './batch'
import type { PostRow } from './records/types'

export interface CursorUpdate {
  /** The `indexer_cursor.source` row. */
  key: string
  value: number
}

/** What a batch changed; replaying the same batch a second time reports zeros (except `postsUpserted`, see below). */
export interface WriteOutcome {
  /** Posts inserted or whose content changed (a replayed create with the same cid changes nothing). */
  postsUpserted: number
  postsTombstoned: number
  engagementAdded: number
  engagementRemoved: number
  authorsUpdated: number
}

/**
 * Applies one coalesced batch and moves the source's cursor, in ONE transaction: the cursor can never pass an event
 * whose writes did not commit, and a crash anywhere leaves either all of the batch or none of it. Every statement
 * is idempotent by key, so a batch replayed after a crash (or a stream replayed from an older cursor) changes
 * nothing it already changed.
 *
 * The statements run in this order, which is what makes coalescing by key safe (see batch.ts): posts, new likes
 * (counted only when a live post exists and the row is really new), removed likes, deleted posts (tombstoned, their
 * engagement rows removed), authors, cursor. Each is one multi-row statement, `unnest` over array literals, raw
 * postgres.js: drizzle's unprepared queries cost about 3x on this path (FIELD-NOTES.md). The statements are sent
 * pipelined, so a batch costs one round trip.
 */
export async function writeBatch(
  sql: Sql,
  plan: BatchPlan,
  cursor: CursorUpdate | undefined,
): Promise<WriteOutcome> {
  return sql.begin(async (tx) => {
    const pending: Promise<unknown>[] = []
    const outcome: WriteOutcome = {
      postsUpserted: 0,
      postsTombstoned: 0,
      engagementAdded: 0,
      engagementRemoved: 0,
      authorsUpdated: 0,
    }
    const run = <T>(query: PromiseLike<T>, then: (result: T) => void) =>
      pending.push(Promise.resolve(query).then(then))

    if (plan.postUpserts.length > 0) {
      const c = postColumns(plan.postUpserts)
      // created_at is not updated: an edit must not re-date a post to climb a freshness-ranked feed.
      run(
        tx`
        insert into post (uri, cid, author_did, text, langs, facets, embed, reply_root, reply_parent, quote_uri, created_at)
        select x.uri, x.cid, x.author_did, x.text, string_to_array(x.langs, ','), x.facets::jsonb, x.embed::jsonb,
               x.reply_root, x.reply_parent, x.quote_uri, x.created_at
        from unnest(${c.uri}::text::text[], ${c.cid}::text::text[], ${c.authorDid}::text::text[], ${c.text}::text::text[],
                    ${c.langs}::text::text[], ${c.facets}::text::text[], ${c.embed}::text::text[],
                    ${c.replyRoot}::text::text[], ${c.replyParent}::text::text[], ${c.quoteUri}::text::text[],
                    ${c.createdAt}::text::timestamptz[])
             as x(uri, cid, author_did, text, langs, facets, embed, reply_root, reply_parent, quote_uri, created_at)
        on conflict (uri) do update set
          cid = excluded.cid, text = excluded.text, langs = excluded.langs, facets = excluded.facets,
          embed = excluded.embed, reply_root = excluded.reply_root, reply_parent = excluded.reply_parent,
          quote_uri = excluded.quote_uri
        where post.deleted_at is null and post.cid <> excluded.cid`,
        (r) => (outcome.postsUpserted += r.count),
      )
    }

    if (plan.postUpdates.length > 0) {
      const c = postColumns(plan.postUpdates)
      run(
        tx`
        update post set
          cid = x.cid, text = x.text, langs = string_to_array(x.langs, ','), facets = x.facets::jsonb,
          embed = x.embed::jsonb, reply_root = x.reply_root, reply_parent = x.reply_parent, quote_uri = x.quote_uri
        from unnest(${c.uri}::text::text[], ${c.cid}::text::text[], ${c.text}::text::text[], ${c.langs}::text::text[],
                    ${c.facets}::text::text[], ${c.embed}::text::text[], ${c.replyRoot}::text::text[],
                    ${c.replyParent}::text::text[], ${c.quoteUri}::text::text[])
             as x(uri, cid, text, langs, facets, embed, reply_root, reply_parent, quote_uri)
        where post.uri = x.uri and post.deleted_at is null and post.cid <> x.cid`,
        (r) => (outcome.postsUpserted += r.count),
      )
    }

    if (plan.engagementCreates.length > 0) {
      const rows = plan.engagementCreates
      // The count moves by exactly the rows this statement inserted: a replayed like conflicts and adds nothing, a
      // like of an unknown or deleted post is not inserted at all.
      run(
        tx<{ added: number }[]>`
        with ins as (
          insert into engagement (uri, kind, subject_uri, author_did, created_at)
          select x.uri, x.kind, x.subject_uri, x.author_did, x.created_at
          from unnest(${textArray(rows.map((r) => r.uri))}::text::text[], ${textArray(rows.map((r) => r.kind))}::text::text[],
                      ${textArray(rows.map((r) => r.subjectUri))}::text::text[],
                      ${textArray(rows.map((r) => r.authorDid))}::text::text[],
                      ${textArray(rows.map((r) => r.createdAt))}::text::timestamptz[])
               as x(uri, kind, subject_uri, author_did, created_at)
          join post p on p.uri = x.subject_uri and p.deleted_at is null
          on conflict (uri) do nothing
          returning subject_uri, kind
        ), agg as (
          select subject_uri, count(*) filter (where kind = 'like')::int as likes,
                 count(*) filter (where kind = 'repost')::int as reposts
          from ins group by subject_uri
        ), bump as (
          update post set like_count = post.like_count + agg.likes, repost_count = post.repost_count + agg.reposts
          from agg where post.uri = agg.subject_uri
          returning 1
        )
        select (select count(*)::int from ins) as added`,
        (r) => (outcome.engagementAdded += r[0]?.added ?? 0),
      )
    }

    if (plan.engagementDeletes.length > 0) {
      run(
        tx<{ removed: number }[]>`
        with gone as (
          update engagement set deleted_at = now()
          where uri = any(${textArray(plan.engagementDeletes)}::text::text[]) and deleted_at is null
          returning subject_uri, kind
        ), agg as (
          select subject_uri, count(*) filter (where kind = 'like')::int as likes,
                 count(*) filter (where kind = 'repost')::int as reposts
          from gone group by subject_uri
        ), drop_ as (
          update post set like_count = post.like_count - agg.likes, repost_count = post.repost_count - agg.reposts
          from agg where post.uri = agg.subject_uri
          returning 1
        )
        select (select count(*)::int from gone) as removed`,
        (r) => (outcome.engagementRemoved += r[0]?.removed ?? 0),
      )
    }

    if (plan.postDeletes.length > 0) {
      // Tombstone, not delete: the row (and its surrogate id, which feed snapshots hold) stays so that a replayed
      // create conflicts with it and changes nothing. Content is wiped: the author deleted it.
      run(
        tx<{ tombstoned: number }[]>`
        with t as (
          update post set deleted_at = now(), text = '', langs = '{}', facets = '[]'::jsonb, embed = null,
                 reply_root = null, reply_parent = null, quote_uri = null, like_count = 0, repost_count = 0
          where uri = any(${textArray(plan.postDeletes)}::text::text[]) and deleted_at is null
          returning uri
        ), gone as (
          delete from engagement e using t where e.subject_uri = t.uri returning 1
        )
        select (select count(*)::int from t) as tombstoned`,
        (r) => (outcome.postsTombstoned += r[0]?.tombstoned ?? 0),
      )
    }

    if (plan.profiles.length > 0) {
      const p = plan.profiles
      run(
        tx`
        insert into author (did, display_name, avatar_cid, updated_at)
        select x.did, x.display_name, x.avatar_cid, now()
        from unnest(${textArray(p.map((r) => r.did))}::text::text[], ${textArray(p.map((r) => r.displayName))}::text::text[],
                    ${textArray(p.map((r) => r.avatarCid))}::text::text[]) as x(did, display_name, avatar_cid)
        on conflict (did) do update set display_name = excluded.display_name, avatar_cid = excluded.avatar_cid,
          updated_at = now()`,
        (r) => (outcome.authorsUpdated += r.count),
      )
    }

    if (plan.handles.length > 0) {
      const h = plan.handles
      run(
        tx`
        insert into author (did, handle, updated_at)
        select x.did, x.handle, now()
        from unnest(${textArray(h.map((r) => r.did))}::text::text[], ${textArray(h.map((r) => r.handle))}::text::text[])
             as x(did, handle)
        on conflict (did) do update set handle = excluded.handle, updated_at = now()`,
        (r) => (outcome.authorsUpdated += r.count),
      )
    }

    if (cursor !== undefined) {
      run(
        tx`
        insert into indexer_cursor (source, cursor, updated_at) values (${cursor.key}, ${String(cursor.value)}::bigint, now())
        on conflict (source) do update set cursor = excluded.cursor, updated_at = now()`,
        () => {},
      )
    }

    await Promise.all(pending)
    return outcome
  })
}

/** The saved cursor for a source, or undefined on first start. */
export async function readCursor(sql: Sql, key: string): Promise<number | undefined> {
  const rows = await sql<
    { cursor: string }[]
  >`select cursor::text as cursor from indexer_cursor where source = ${key}`
  const value = rows[0]?.cursor
  return value === undefined ? undefined : Number(value)
}

/**
 * A Postgres array literal, bound as one `text` parameter and cast in SQL (`$1::text::text[]`). Built here rather
 * than with postgres.js's `sql.array`, whose serializer needs the server's array types fetched on every new
 * connection (the write connection is replaced after every failure); the `text` step keeps postgres.js from
 * re-encoding the literal. Measured (bench/ingest.ts): Postgres spends about 30% less CPU per row expanding these
 * arrays than expanding the same rows from one jsonb document.
 */
export function textArray(values: readonly (string | null)[]): string {
  let out = ''
  for (const v of values) {
    out += out.length === 0 ? '{' : ','
    out += v === null ? 'NULL' : `"${ESCAPE.test(v) ? v.replace(ESCAPE_ALL, '\\$&') : v}"`
  }
  return out.length === 0 ? '{}' : out + '}'
}
const ESCAPE = /["\\]/
const ESCAPE_ALL = /["\\]/g

/**
 * One array literal per column. BCP-47 tags never hold a comma (the lexicon's `language` format), so langs travel
 * as one joined string per row (a ragged 2-D array cannot be bound) and are split in SQL.
 */
function postColumns(rows: readonly PostRow[]) {
  const n = rows.length
  const uri = new Array<string>(n)
  const cid = new Array<string>(n)
  const authorDid = new Array<string>(n)
  const text = new Array<string>(n)
  const langs = new Array<string>(n)
  const facets = new Array<string>(n)
  const embed = new Array<string | null>(n)
  const replyRoot = new Array<string | null>(n)
  const replyParent = new Array<string | null>(n)
  const quoteUri = new Array<string | null>(n)
  const createdAt = new Array<string>(n)
  for (let i = 0; i < n; i++) {
    const r = rows[i]!
    uri[i] = r.uri
    cid[i] = r.cid
    authorDid[i] = r.authorDid
    text[i] = r.text
    langs[i] = r.langs.join(',')
    facets[i] = r.facets.length === 0 ? '[]' : JSON.stringify(r.facets)
    embed[i] = r.embed === null ? null : JSON.stringify(r.embed)
    replyRoot[i] = r.replyRoot
    replyParent[i] = r.replyParent
    quoteUri[i] = r.quoteUri
    createdAt[i] = r.createdAt
  }
  return {
    uri: textArray(uri),
    cid: textArray(cid),
    authorDid: textArray(authorDid),
    text: textArray(text),
    langs: textArray(langs),
    facets: textArray(facets),
    embed: textArray(embed),
    replyRoot: textArray(replyRoot),
    replyParent: textArray(replyParent),
    quoteUri: textArray(quoteUri),
    createdAt: textArray(createdAt),
  }
}
