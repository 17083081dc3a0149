import { isObject } from '@curia/curation/records/common'
import { mapFetchedPost } from '@curia/curation/records/post'
import { mapProfileRecord } from '@curia/curation/records/profile'
import type { Sql } from '@curia/db'

/**
 * Making sure a post a curator wants a market on is in the post table. Posts the indexer has not seen are fetched
 * with `com.atproto.repo.getRecord` from the configured record source (the public AppView in production; the local
 * PDS on a development network) and stored as the indexer would, through the indexer's own mappers (lexicon
 * validation, limits, cleaning); the author's profile likewise, when missing.
 */

export type ImportOutcome =
  | { kind: 'present' }
  | { kind: 'imported' }
  | { kind: 'deleted' }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; detail: string }

export interface ImportDeps {
  sql: Sql
  recordSourceUrl: string
  now: Date
  fetch?: typeof fetch
  /** The author's handle, verified by the caller's identity resolution, if known. */
  handle?: string | null
}

const FETCH_TIMEOUT_MS = 10_000
/** A post record is a few KB; anything this large is not one. */
const MAX_RECORD_BYTES = 512 * 1024

export async function ensurePostStored(
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
  const { row } = mapped

  await deps.sql`
    insert into post (uri, cid, author_did, text, langs, facets, embed, reply_root, reply_parent, quote_uri, created_at)
    values (${row.uri}, ${row.cid}, ${row.authorDid}, ${row.text}, ${deps.sql.array(row.langs)}::text[],
            ${JSON.stringify(row.facets)}::jsonb, ${row.embed === null ? null : JSON.stringify(row.embed)}::jsonb,
            ${row.replyRoot}, ${row.replyParent}, ${row.quoteUri}, ${row.createdAt}::timestamptz)
    on conflict (uri) do nothing`
  await ensureAuthor(deps, post.did)
  return { kind: 'imported' }
}

/** An author row for a post fetched on demand, unless the indexer already has one (then it is left alone). */
async function ensureAuthor(deps: ImportDeps, did: string): Promise<void> {
  const [known] = await deps.sql`select 1 from author where did = ${did}`
  if (known) return
  const profile = await getRecord(deps, did, 'app.bsky.actor.profile', 'self').catch(() => undefined)
  const uri = `at://${did}/app.bsky.actor.profile/self`
  const mapped =
    profile?.kind === 'found'
      ? mapProfileRecord(profile.value, 'update', { did, rkey: 'self', uri, eventTimeMs: deps.now.getTime() })
      : undefined
  // A missing or invalid profile leaves the author nameless, as the indexer would.
  const fields = mapped?.kind === 'op' && mapped.op.op === 'profile' ? mapped.op : undefined
  const displayName = fields?.displayName ?? null
  const avatarCid = fields?.avatarCid ?? null
  await deps.sql`
    insert into author (did, handle, display_name, avatar_cid, updated_at)
    values (${did}, ${deps.handle ?? null}, ${displayName}, ${avatarCid}, ${deps.now.toISOString()}::timestamptz)
    on conflict (did) do nothing`
}

type RecordResult =
  | { kind: 'found'; cid: string; value: unknown }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; detail: string }

async function getRecord(
  deps: ImportDeps,
  did: string,
  collection: string,
  rkey: string,
): Promise<RecordResult> {
  const url = new URL('/xrpc/com.atproto.repo.getRecord', deps.recordSourceUrl)
  url.searchParams.set('repo', did)
  url.searchParams.set('collection', collection)
  url.searchParams.set('rkey', rkey)
  let res: Response
  try {
    res = await (deps.fetch ?? fetch)(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    })
  } catch (err) {
    return { kind: 'unavailable', detail: `${url.origin}: ${String(err)}` }
  }
  const body = await readJson(res)
  // getRecord answers 400 RecordNotFound (and 400 InvalidRequest for an unknown repo) for what does not exist.
  if (res.status === 400 || res.status === 404) return { kind: 'not_found' }
  if (!res.ok || !isObject(body))
    return { kind: 'unavailable', detail: `${url.origin} answered ${res.status}` }
  if (typeof body.cid !== 'string' || !('value' in body)) return { kind: 'not_found' }
  return { kind: 'found', cid: body.cid, value: body.value }
}

async function readJson(res: Response): Promise<unknown> {
  const length = Number(res.headers.get('content-length') ?? '0')
  if (length > MAX_RECORD_BYTES) {
    await res.body?.cancel()
    return null
  }
  const text = await res.text()
  if (text.length > MAX_RECORD_BYTES) return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}
