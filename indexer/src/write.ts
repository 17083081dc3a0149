import type { Database, Sql } from '@curia/db'
import postgres, { type TransactionSql } from 'postgres'
import type { BatchPlan } from './batch'
import type { PostRow } from '@curia/curation/records/types'

export interface CursorUpdate {
  /** The `indexer_cursor.source` row. */
  key: string
  value: number
}

/**
 * What a batch changed. Applying the same batch a second time leaves the same rows and reports zeros, unless the
 * batch deletes a record and creates it again (then the second time does both again, to the same end).
 */
export interface WriteOutcome {
  /** Posts inserted or whose content changed (a replayed create with the same cid changes nothing). */
  postsUpserted: number
  postsTombstoned: number
  engagementAdded: number
  engagementRemoved: number
  authorsUpdated: number
  /** Candidate list items inserted or re-pointed, and removed. */
  listItemsUpserted: number
  listItemsRemoved: number
}

/**
 * Applies one coalesced batch (its phases, in order: batch.ts) and moves the source's cursor, in ONE transaction:
 * the cursor can never pass an event whose writes did not commit, and a crash anywhere leaves either all of the
 * batch or none of it. Every statement sets a record's state by key (live with this content, or not live), so a
 * batch replayed after a crash changes nothing it already changed.
 *
 * Each phase's statements run in this order, which is what makes coalescing by key safe (see batch.ts): posts
 * (inserted, updated, or made live again when re-created), new likes (counted only when a live post exists and the
 * row is new or was deleted), removed likes, deleted posts (tombstoned, their engagement rows removed), authors
 * (profiles, handles, account statuses), candidate list items; then the cursor. Each is one multi-row statement,
 * `unnest` over array literals, raw postgres.js: drizzle's unprepared queries cost about 3x on this path
 * (FIELD-NOTES.md). The statements are sent pipelined, so a batch costs one round trip.
 */
export async function writeBatch(
  sql: Sql,
  phases: readonly BatchPlan[],
  cursor: CursorUpdate | undefined,
): Promise<WriteOutcome> {
  return writePrepared(sql, prepareWrite(phases, cursor))
}

/**
 * A batch's statements' parameters, built ahead of time: the indexer prepares the next batch while the previous
 * one is being written, so this CPU work stays off the database's critical path. Pure.
 */
export interface PreparedWrite {
  cursor: CursorUpdate | undefined
  phases: PreparedPhase[]
}

interface PreparedPhase {
  postUpserts: PostColumns | undefined
  postUpdates: PostColumns | undefined
  engagementCreates: Record<'uri' | 'kind' | 'subjectUri' | 'authorDid' | 'createdAt', string> | undefined
  engagementDeletes: string | undefined
  postDeletes: string | undefined
  profiles: Record<'did' | 'displayName' | 'avatarCid', string> | undefined
  handles: Record<'did' | 'handle', string> | undefined
  accountStatuses: Record<'did' | 'status', string> | undefined
  listItemUpserts: Record<'uri' | 'listUri' | 'subjectDid', string> | undefined
  listItemDeletes: string | undefined
}

export function prepareWrite(phases: readonly BatchPlan[], cursor: CursorUpdate | undefined): PreparedWrite {
  return { cursor, phases: phases.map(preparePhase) }
}

function preparePhase(plan: BatchPlan): PreparedPhase {
  const list = (values: readonly string[]) => (values.length > 0 ? textArray(values) : undefined)
  return {
    postUpserts: plan.postUpserts.length > 0 ? postColumns(plan.postUpserts) : undefined,
    postUpdates: plan.postUpdates.length > 0 ? postColumns(plan.postUpdates) : undefined,
    engagementCreates: columns(plan.engagementCreates, [
      'uri',
      'kind',
      'subjectUri',
      'authorDid',
      'createdAt',
    ]),
    engagementDeletes: list(plan.engagementDeletes),
    postDeletes: list(plan.postDeletes),
    profiles: columns(plan.profiles, ['did', 'displayName', 'avatarCid']),
    handles: columns(plan.handles, ['did', 'handle']),
    accountStatuses: columns(plan.accountStatuses, ['did', 'status']),
    listItemUpserts: columns(plan.listItemUpserts, ['uri', 'listUri', 'subjectDid']),
    listItemDeletes: list(plan.listItemDeletes),
  }
}

/** Rows to one array literal per named column (text or null values); undefined for no rows. */
function columns<R extends { [C in K]: string | null }, K extends keyof R & string>(
  rows: readonly R[],
  keys: readonly K[],
): Record<K, string> | undefined {
  if (rows.length === 0) return undefined
  const out = {} as Record<K, string>
  for (const key of keys) out[key] = textArray(rows.map((r) => r[key]))
  return out
}

/** writeBatch for a batch prepared ahead (prepareWrite). */
export async function writePrepared(sql: Sql, prepared: PreparedWrite): Promise<WriteOutcome> {
  // On a single-connection client (openWriteConnection) BEGIN, the statements and COMMIT go out together: one
  // round trip per batch once the statements are prepared, where sql.begin() waits for BEGIN before sending
  // anything and for COMMIT after. After a failed statement Postgres refuses the rest and turns COMMIT into a
  // rollback, so a failure anywhere leaves nothing behind; the first error is the one reported. A pooled client
  // (tests, embedders) gets sql.begin(), whose transaction is the same.
  if (sql.options.max !== 1) return sql.begin((tx) => applyPrepared(tx, prepared, false))
  return applyPrepared(sql, prepared, true)
}

async function applyPrepared(
  tx: Sql | TransactionSql,
  prepared: PreparedWrite,
  ownTransaction: boolean,
): Promise<WriteOutcome> {
  const { cursor, phases } = prepared
  const pending: Promise<unknown>[] = []
  const outcome: WriteOutcome = {
    postsUpserted: 0,
    postsTombstoned: 0,
    engagementAdded: 0,
    engagementRemoved: 0,
    authorsUpdated: 0,
    listItemsUpserted: 0,
    listItemsRemoved: 0,
  }
  // postgres.js sends a query when it is first awaited (`then`). Every statement goes through here, so they are
  // sent in exactly this order: BEGIN first, COMMIT last.
  const run = <T>(query: PromiseLike<T>, then: (result: T) => void) =>
    pending.push(Promise.resolve(query).then(then))
  if (ownTransaction) run(tx`begin`, () => {})
  for (const phase of phases) applyPhase(tx, phase, run, outcome)

  if (cursor !== undefined) {
    run(
      tx`
        insert into indexer_cursor (source, cursor, updated_at) values (${cursor.key}, ${String(cursor.value)}::bigint, now())
        on conflict (source) do update set cursor = excluded.cursor, updated_at = now()`,
      () => {},
    )
  }

  if (ownTransaction) run(tx`commit`, () => {})
  const settled = await Promise.allSettled(pending)
  const failure = settled.find((r) => r.status === 'rejected')
  if (failure) {
    // Already rolled back by the server; this only makes sure no transaction stays open on the connection.
    if (ownTransaction) await tx`rollback`.catch(() => {})
    throw failure.reason
  }
  return outcome
}

/** Queues one phase's statements, in the order the header of writeBatch explains. */
function applyPhase(
  tx: Sql | TransactionSql,
  prepared: PreparedPhase,
  run: <T>(query: PromiseLike<T>, then: (result: T) => void) => void,
  outcome: WriteOutcome,
): void {
  if (prepared.postUpserts) {
    const c = prepared.postUpserts
    // created_at is not updated on a live post: an edit must not re-date a post to climb a freshness-ranked feed.
    // A deleted one created again at the same URI (putRecord) is a new record: live again, with its own date (its
    // counts and engagement went with the delete).
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
          quote_uri = excluded.quote_uri,
          created_at = case when post.deleted_at is null then post.created_at else excluded.created_at end,
          deleted_at = null
        where post.deleted_at is not null or post.cid <> excluded.cid`,
      (r) => (outcome.postsUpserted += r.count),
    )
  }

  if (prepared.postUpdates) {
    const c = prepared.postUpdates
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

  if (prepared.engagementCreates) {
    const e = prepared.engagementCreates
    // The count moves by exactly the rows this statement made live: a replayed like of a live row conflicts and
    // adds nothing, a like deleted before and created again at the same URI is live again (on the subject it names
    // now), a like of an unknown or deleted post is not written at all. `for key share` holds each liked post until commit:
    // the retention prune (curation/src/service/retention.ts) skips a locked post, and a post it is deleting right
    // now is waited for and then found gone, so no like row can outlive its post.
    run(
      tx<{ added: number }[]>`
        with ins as (
          insert into engagement (uri, kind, subject_uri, author_did, created_at)
          select x.uri, x.kind, x.subject_uri, x.author_did, x.created_at
          from unnest(${e.uri}::text::text[], ${e.kind}::text::text[], ${e.subjectUri}::text::text[],
                      ${e.authorDid}::text::text[], ${e.createdAt}::text::timestamptz[])
               as x(uri, kind, subject_uri, author_did, created_at)
          join post p on p.uri = x.subject_uri and p.deleted_at is null
          for key share of p
          on conflict (uri) do update set kind = excluded.kind, subject_uri = excluded.subject_uri,
            author_did = excluded.author_did, created_at = excluded.created_at, deleted_at = null
          where engagement.deleted_at is not null
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

  if (prepared.engagementDeletes) {
    run(
      tx<{ removed: number }[]>`
        with gone as (
          update engagement set deleted_at = now()
          where uri = any(${prepared.engagementDeletes}::text::text[]) and deleted_at is null
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

  if (prepared.postDeletes) {
    // Tombstone, not delete: the row (and its surrogate id, which feed snapshots hold) stays so that a replayed
    // create conflicts with it and changes nothing. Content is wiped: the author deleted it.
    run(
      tx<{ tombstoned: number }[]>`
        with t as (
          update post set deleted_at = now(), text = '', langs = '{}', facets = '[]'::jsonb, embed = null,
                 reply_root = null, reply_parent = null, quote_uri = null, like_count = 0, repost_count = 0
          where uri = any(${prepared.postDeletes}::text::text[]) and deleted_at is null
          returning uri
        ), gone as (
          delete from engagement e using t where e.subject_uri = t.uri returning 1
        )
        select (select count(*)::int from t) as tombstoned`,
      (r) => (outcome.postsTombstoned += r[0]?.tombstoned ?? 0),
    )
  }

  if (prepared.profiles) {
    const p = prepared.profiles
    run(
      tx`
        insert into author (did, display_name, avatar_cid, updated_at)
        select x.did, x.display_name, x.avatar_cid, now()
        from unnest(${p.did}::text::text[], ${p.displayName}::text::text[], ${p.avatarCid}::text::text[])
             as x(did, display_name, avatar_cid)
        on conflict (did) do update set display_name = excluded.display_name, avatar_cid = excluded.avatar_cid,
          updated_at = now()`,
      (r) => (outcome.authorsUpdated += r.count),
    )
  }

  if (prepared.handles) {
    const h = prepared.handles
    run(
      tx`
        insert into author (did, handle, updated_at)
        select x.did, x.handle, now()
        from unnest(${h.did}::text::text[], ${h.handle}::text::text[])
             as x(did, handle)
        on conflict (did) do update set handle = excluded.handle, updated_at = now()`,
      (r) => (outcome.authorsUpdated += r.count),
    )
  }

  if (prepared.accountStatuses) {
    const a = prepared.accountStatuses
    // A row is made for an account that became inactive (its posts may arrive from a replay, or be stored
    // already under no author row); an active account's status only clears a row that exists. An event that
    // changes nothing (a replay) writes nothing, so status_changed_at stays the time of the real change.
    run(
      tx`
        insert into author (did, status, status_changed_at, updated_at)
        select x.did, x.status, now(), now()
        from unnest(${a.did}::text::text[], ${a.status}::text::text[]) as x(did, status)
        where x.status is not null or exists (select 1 from author e where e.did = x.did)
        on conflict (did) do update set status = excluded.status, status_changed_at = now(), updated_at = now()
        where author.status is distinct from excluded.status`,
      (r) => (outcome.authorsUpdated += r.count),
    )
  }

  if (prepared.listItemUpserts) {
    const l = prepared.listItemUpserts
    // A replayed item changes nothing; an updated record re-points its row.
    run(
      tx`
        insert into candidate_list_item (uri, list_uri, subject_did)
        select x.uri, x.list_uri, x.subject_did
        from unnest(${l.uri}::text::text[], ${l.listUri}::text::text[], ${l.subjectDid}::text::text[])
             as x(uri, list_uri, subject_did)
        on conflict (uri) do update set list_uri = excluded.list_uri, subject_did = excluded.subject_did,
          indexed_at = now()
        where (candidate_list_item.list_uri, candidate_list_item.subject_did)
          is distinct from (excluded.list_uri, excluded.subject_did)`,
      (r) => (outcome.listItemsUpserted += r.count),
    )
  }

  if (prepared.listItemDeletes) {
    run(
      tx`delete from candidate_list_item where uri = any(${prepared.listItemDeletes}::text::text[])`,
      (r) => (outcome.listItemsRemoved += r.count),
    )
  }
}

/**
 * The indexer's own connection for writes: one connection (so writeBatch can pipeline its transaction), commits
 * that do not wait for the WAL flush, no type fetching.
 */
export function openWriteConnection(database: Database, name: string): Sql {
  return postgres(database.url, {
    max: 1,
    onnotice: () => {},
    connection: {
      application_name: name,
      // A batch's commit need not wait for its WAL flush. Should the database server itself crash, it loses at
      // most its last few hundred milliseconds of commits, and the cursor rows with them (same transactions,
      // WAL order), so the indexer re-reads those events from the source on restart: nothing is lost. Anything
      // another process later commits synchronously flushes these commits first. The indexer process dying
      // (kill -9) loses nothing either way. With one batch in flight, the flush wait was pure dead time.
      synchronous_commit: 'off',
    },
    // Only built-in types are bound here. Fetching the server's array types is the first query on every new
    // connection, and postgres.js leaves its rejection unhandled when that connection is killed mid-query.
    fetch_types: false,
    // PGlite's socket speaks the protocol but not every feature; the same setting as @curia/db's client.
    ...(database.embedded ? { prepare: false } : {}),
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
  return arrayLiteral(values.map(textElement))
}

/**
 * An array literal of elements already quoted (textElement, jsonElement); takes the array over. The braces go on
 * the end elements so that join() makes the one flat string: `{` + joined + `}` would be a rope that postgres.js
 * then flattens (a copy of the whole literal) when it first reads a character of it.
 */
function arrayLiteral(elements: string[]): string {
  const n = elements.length
  if (n === 0) return '{}'
  elements[0] = `{${elements[0]}`
  elements[n - 1] = `${elements[n - 1]}}`
  return elements.join(',')
}

function textElement(value: string | null): string {
  return value === null ? 'NULL' : `"${ESCAPE.test(value) ? value.replace(ESCAPE_ALL, '\\$&') : value}"`
}
const ESCAPE = /["\\]/
const ESCAPE_ALL = /["\\]/g

/**
 * `value` as JSON, quoted as an array element: textElement(JSON.stringify(value)) in one native call. JSON.stringify
 * of a string quotes it with `"` and escapes `"` and `\` as an array literal does, and escapes nothing else found in
 * JSON text (control characters and lone surrogates, the only other things it escapes, are already escaped inside
 * JSON text). The regex replace over the many quotes of a facet or embed was about half of a batch's literal
 * building (bench/ingest.ts).
 */
function jsonElement(value: unknown): string {
  return JSON.stringify(JSON.stringify(value))
}

/**
 * One array literal per column. BCP-47 tags never hold a comma (the lexicon's `language` format), so langs travel
 * as one joined string per row (a ragged 2-D array cannot be bound) and are split in SQL.
 */
type PostColumns = ReturnType<typeof postColumns>

function postColumns(rows: readonly PostRow[]) {
  const n = rows.length
  const uri = new Array<string>(n)
  const cid = new Array<string>(n)
  const authorDid = new Array<string>(n)
  const text = new Array<string>(n)
  const langs = new Array<string>(n)
  const facets = new Array<string>(n) // elements, quoted
  const embed = new Array<string>(n) // elements, quoted
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
    facets[i] = r.facets.length === 0 ? '"[]"' : jsonElement(r.facets)
    embed[i] = r.embed === null ? 'NULL' : jsonElement(r.embed)
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
    facets: arrayLiteral(facets),
    embed: arrayLiteral(embed),
    replyRoot: textArray(replyRoot),
    replyParent: textArray(replyParent),
    quoteUri: textArray(quoteUri),
    createdAt: textArray(createdAt),
  }
}
