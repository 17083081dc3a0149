import { mapFetchedPost } from '@curia/curation/records/post'
import type { PostRow } from '@curia/curation/records/types'
import { storeResolvedAuthor } from '@curia/curation/service/author-profiles'
import { fetchProfile, getRecord, type RecordSource } from '@curia/curation/service/record-source'
import type { Tx } from '@curia/curation/ledger/transaction'
import type { Sql } from '@curia/db'

/**
 * Finding a post a curator wants a market on. Posts the indexer has not seen are fetched with
 * `com.atproto.repo.getRecord` from the configured record source (the public AppView in production; the local PDS
 * on a development network) and mapped as the indexer would, through the indexer's own mappers (lexicon
 * validation, limits, cleaning); the author's profile is stored now, when missing. The post itself is stored by
 * `insertFetchedPost` in the market's opening transaction, so it never sits in the table without its market.
 */

export type ImportOutcome =
  | { kind: 'present' }
  | { kind: 'fetched'; row: PostRow }
  | { kind: 'deleted' }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; detail: string }

export interface ImportDeps extends RecordSource {
  sql: Sql
  now: Date
  /** The author's handle, verified by the caller's identity resolution, if known. */
  handle?: string | null
}

export async function findPostForMarket(
  deps: ImportDeps,
  post: { did: string; rkey: string; uri: string },
): Promise<ImportOutcome> {
  const [existing] = await deps.sql<{ deleted: boolean }[]>`
    select deleted_at is not null as deleted from post where uri = ${post.uri}`
  if (existing) return existing.deleted ? { kind: 'deleted' } : { kind: 'present' }

  const fetched = await getRecord(deps, post.did, 'app.bsky.feed.post', post.rkey)
  if (fetched.kind !== 'found') return fetched
  const mapped = mapFetchedPost(
    { uri: post.uri, cid: fetched.cid, record: fetched.value },
    deps.now.getTime(),
  )
  if (!mapped.ok) return { kind: 'not_found' }
  await ensureAuthor(deps, post.did)
  return { kind: 'fetched', row: mapped.row }
}

/** Stores a fetched post as the indexer would; a post stored meanwhile (by the indexer) is left as it is. */
export async function insertFetchedPost(sql: Sql | Tx, row: PostRow): Promise<void> {
  await sql`
    insert into post (uri, cid, author_did, text, langs, facets, embed, reply_root, reply_parent, quote_uri, created_at)
    values (${row.uri}, ${row.cid}, ${row.authorDid}, ${row.text}, ${sql.array(row.langs)}::text[],
            ${JSON.stringify(row.facets)}::jsonb, ${row.embed === null ? null : JSON.stringify(row.embed)}::jsonb,
            ${row.replyRoot}, ${row.replyParent}, ${row.quoteUri}, ${row.createdAt}::timestamptz)
    on conflict (uri) do nothing`
}

/**
 * The author of a post fetched on demand, read now unless Curia has read them before: the caller's verified handle
 * and the profile, stored as the curation service's author resolver stores them. If the profile cannot be read,
 * an author Curia has no row for gets one with the handle alone, and the resolver fills in the rest later.
 */
async function ensureAuthor(deps: ImportDeps, did: string): Promise<void> {
  const [row] = await deps.sql<{ seen: string; resolved: boolean }[]>`
    select updated_at::text as seen, (resolved_at is not null and resolve_failures = 0) as resolved
    from author where did = ${did}`
  if (row?.resolved) return
  const profile = await fetchProfile(deps, did, deps.now.getTime())
  if (profile) {
    await storeResolvedAuthor(deps.sql, did, row?.seen ?? null, { handle: deps.handle ?? null, profile })
  } else if (!row) {
    await rememberAuthor(deps.sql, did, deps.handle ?? null)
  }
}

/**
 * An author row with a handle Curia has just verified, for an account it has no row for yet (the curation service's
 * resolver fills in the rest later); an existing row is left as the network described it.
 */
export async function rememberAuthor(sql: Sql, did: string, handle: string | null): Promise<void> {
  await sql`insert into author (did, handle) values (${did}, ${handle}) on conflict (did) do nothing`
}
