import { safeFetchWrap } from '@atproto-labs/fetch-node'
import { AtprotoHandleResolverNode } from '@atproto-labs/handle-resolver-node'
import {
  createIdentityResolver,
  HANDLE_INVALID,
  type IdentityResolver,
} from '@atproto-labs/identity-resolver'
import type { Database, Sql } from '@curia/db'
import { CurationError } from '../errors'
import { isDid } from '../records/common'
import { parseAccountRef } from '../records/identity'
import { startLoop, type BackgroundLoop } from './loop'
import { fetchProfile, type ProfileFields, type RecordSource } from './record-source'

/**
 * Names for the authors of the posts Curia shows.
 *
 * The stream carries an author's profile only when they edit it, and their handle only when it changes, so the
 * authors of most posts are never described by it: a reader would see `did:plc:...` on their cards. The authors
 * of posts that have a market (the only posts the feed, the post pages and the portfolios show) are therefore read
 * from the network once: the DID document, its handle kept only when it resolves back to the same DID (the same
 * bidirectional check the sign-in uses, so nobody can label themselves `@bsky.app`), and the profile record through
 * the configured record source. From then on the stream keeps the row current.
 *
 * A failed lookup (PLC or the record source unreachable, a DID that does not resolve) is retried with a backoff
 * that doubles from a minute up to a day, so a dead account costs one request a day.
 */

export interface AuthorLookup {
  /** `undefined` fields: that part could not be read now (try again later); a `null` handle: none verified. */
  lookup(
    did: string,
    signal: AbortSignal,
  ): Promise<{ handle: string | null; profile: ProfileFields } | undefined>
}

export interface NetworkAuthorLookupOptions extends RecordSource {
  plcUrl: string
  /** An XRPC service answering `com.atproto.identity.resolveHandle` (the local PDS); DNS and well-known otherwise. */
  handleResolver?: string | undefined
  /**
   * A local network only: plain-http PLC and did:web documents on any host. Otherwise (production) DID documents
   * are fetched the way @atproto/identity fetches them, since a did:web names whatever host its author likes: https
   * only, no IP-literal, private, loopback or link-local address (checked again at connect time, so a public name
   * resolving to 10.0.0.1 is refused too), no custom port, no implicit redirect, 512 kB at most.
   */
  allowHttp?: boolean | undefined
}

/** DID -> document and handle (kept only when it resolves back), and handle -> DID, as described above. */
export function createNetworkIdentity(
  opts: Pick<NetworkAuthorLookupOptions, 'plcUrl' | 'handleResolver' | 'allowHttp'>,
): IdentityResolver {
  return createIdentityResolver({
    plcDirectoryUrl: opts.plcUrl,
    allowHttp: opts.allowHttp ?? false,
    fetch: opts.allowHttp ? globalThis.fetch : safeFetchWrap({ allowIpHost: false }),
    handleResolver: opts.handleResolver ?? new AtprotoHandleResolverNode(),
  })
}

/** What resolves a handle or a DID: createNetworkIdentity's resolver, or the OAuth client's. */
export type IdentityLookup = Pick<IdentityResolver, 'resolve'>

/** The DID and verified handle of a handle or DID (null when the DID document's handle does not resolve back). */
export async function resolveIdentity(
  identity: IdentityLookup,
  identifier: string,
  signal?: AbortSignal,
): Promise<{ did: string; handle: string | null }> {
  const found = await identity.resolve(identifier, signal ? { signal } : undefined)
  return { did: found.did, handle: found.handle === HANDLE_INVALID ? null : found.handle }
}

/**
 * An account a person typed (a DID, or a handle resolved and checked both ways) -> its DID and verified handle.
 * Refusals are CurationErrors: `bad_request` for what is neither, `unknown_account` for a handle nobody holds.
 */
export async function resolveAccount(
  identity: IdentityLookup,
  input: unknown,
): Promise<{ did: string; handle: string | null }> {
  const parsed = parseAccountRef(input)
  if (!parsed.ok) throw new CurationError('bad_request', parsed.message)
  if (parsed.ref.kind === 'did') return { did: parsed.ref.value, handle: null }
  try {
    return await resolveIdentity(identity, parsed.ref.value)
  } catch (err) {
    throw new CurationError('unknown_account', `No Bluesky account answers to @${parsed.ref.value}.`, {
      cause: err,
    })
  }
}

export function createNetworkAuthorLookup(opts: NetworkAuthorLookupOptions): AuthorLookup {
  const identity = createNetworkIdentity(opts)
  return {
    async lookup(did, signal) {
      const resolved = await resolveIdentity(identity, did, signal).catch(() => undefined)
      if (!resolved) return undefined
      const { handle } = resolved
      const profile = await fetchProfile(opts, did, Date.now(), signal)
      return profile && { handle, profile }
    },
  }
}

export interface ResolveAuthorsOptions {
  /** Most authors looked up in one run. */
  limit: number
  /** Lookups in flight at once. */
  concurrency: number
  now: Date
  /** Per lookup. */
  timeoutMs?: number
  /**
   * New authors are looked for only in markets with a larger id (retries are found whatever this is); 0 or
   * absent: every market. The loop passes a watermark (see startAuthorResolver).
   */
  sinceMarketId?: number
}

export interface ResolveAuthorsResult {
  resolved: number
  failed: number
  /** Whether more authors were due than `limit` allowed. */
  more: boolean
  /** The newest market id when the run began: every market up to it was scanned (unless `more`). */
  newestMarketId: number
}

const MINUTE_MS = 60_000
const MAX_BACKOFF_MS = 24 * 60 * MINUTE_MS

/** How long after its `failures`-th consecutive failed lookup an author is tried again. Pure. */
export function retryDelayMs(failures: number): number {
  return Math.min(MAX_BACKOFF_MS, MINUTE_MS * 2 ** Math.max(0, failures - 1))
}

/**
 * Looks up the authors of market posts that Curia has never read from the network (or whose last lookup failed
 * and whose backoff has passed), newest markets first, and stores what it finds.
 *
 * A stream event for the same author can land while a lookup is in flight; it is newer than the lookup's answer,
 * so the answer is stored only if the row is exactly as it was when the author was picked (`updated_at`
 * unchanged); otherwise the row is only marked resolved.
 */
export async function resolveAuthors(
  database: Database,
  lookup: AuthorLookup,
  opts: ResolveAuthorsOptions,
): Promise<ResolveAuthorsResult> {
  const { sql } = database
  const nowIso = opts.now.toISOString()
  const [top] = await sql<{ id: number }[]>`select coalesce(max(id), 0)::float8 as id from market`
  // New authors come from markets past the watermark; retries from the failures index (only this resolver writes
  // failures, and only for market authors). Backoff in SQL: resolved_at + 1 minute * 2^(failures - 1), capped at
  // a day (retryDelayMs); the first condition lets the partial index skip every row whose minute has not passed.
  const due = await sql<{ did: string; seen: string | null }[]>`
    select f.did, a.updated_at::text as seen, f.newest
    from (
      select p.author_did as did, max(m.id)::float8 as newest
      from market m join post p on p.uri = m.post_uri
      where m.id > ${opts.sinceMarketId ?? 0}
      group by p.author_did
    ) f
    left join author a on a.did = f.did
    where a.did is null or a.resolved_at is null
    union all
    select a.did, a.updated_at::text as seen, 0 as newest
    from author a
    where a.resolve_failures > 0
      and a.resolved_at <= ${nowIso}::timestamptz - interval '1 minute'
      and a.resolved_at + least(${MAX_BACKOFF_MS}::float8, ${MINUTE_MS}::float8 * power(2, a.resolve_failures - 1))
          * interval '1 millisecond' <= ${nowIso}::timestamptz
    order by newest desc
    limit ${opts.limit + 1}`
  const batch = due.slice(0, opts.limit)
  let resolved = 0
  let failed = 0
  let next = 0
  const worker = async () => {
    while (next < batch.length) {
      const { did, seen } = batch[next++]!
      const found = isDid(did)
        ? await lookup.lookup(did, AbortSignal.timeout(opts.timeoutMs ?? 15_000)).catch(() => undefined)
        : undefined
      if (found) {
        await storeResolvedAuthor(sql, did, seen, found)
        resolved++
      } else {
        await sql`
          insert into author (did, resolved_at, resolve_failures) values (${did}, now(), 1)
          on conflict (did) do update set resolved_at = now(), resolve_failures = author.resolve_failures + 1`
        failed++
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker))
  return { resolved, failed, more: due.length > opts.limit, newestMarketId: top?.id ?? 0 }
}

/**
 * Stores what a lookup read about an author. `seen` is the row's `updated_at` when the author was picked (null: no
 * row then); the answer replaces the row's fields only if nothing wrote the row since, because a stream event that
 * landed meanwhile is newer than the answer (a row that did not exist at pick time and exists now was written by
 * the stream, so it is not fresh either). A handle that did not verify keeps the stored one: the indexer stores a
 * handle from the stream only once it has verified it both ways itself (relays and Jetstream pass handles through
 * unverified; indexer/src/source/identity.ts), and a lookup can fail to verify for a passing DNS error. A stored
 * `handle.invalid` (written by an indexer from before that check) is not kept. Either way the row is marked
 * resolved.
 */
export async function storeResolvedAuthor(
  sql: Sql,
  did: string,
  seen: string | null,
  found: { handle: string | null; profile: ProfileFields },
): Promise<void> {
  const fresh = sql`author.updated_at is not distinct from ${seen}::timestamptz`
  await sql`
    insert into author (did, handle, display_name, avatar_cid, updated_at, resolved_at, resolve_failures)
    values (${did}, ${found.handle}, ${found.profile.displayName}, ${found.profile.avatarCid}, now(), now(), 0)
    on conflict (did) do update set
      handle = case when ${fresh} then coalesce(excluded.handle, nullif(author.handle, ${HANDLE_INVALID}))
        else author.handle end,
      display_name = case when ${fresh} then excluded.display_name else author.display_name end,
      avatar_cid = case when ${fresh} then excluded.avatar_cid else author.avatar_cid end,
      updated_at = case when ${fresh} then now() else author.updated_at end,
      resolved_at = now(), resolve_failures = 0`
}

/**
 * The resolver as a background loop of the curation service: a run every `intervalMs`, straight away again while
 * more authors are due. Each run scans only the markets opened since the run before last for new authors (a
 * market committed late with a smaller id than the newest one seen is still caught by the next run), and every
 * `fullScanMs` (and at start) all of them. Errors (the database restarting) are logged and retried on the next run.
 */
export function startAuthorResolver(opts: {
  database: Database
  lookup: AuthorLookup
  intervalMs: number
  limit?: number
  concurrency?: number
  fullScanMs?: number
  log: (line: string) => void
}): BackgroundLoop<ResolveAuthorsResult> {
  // Watermarks: markets up to `since` were scanned; `previous` is the newest id the last complete run saw.
  let since = 0
  let previous = 0
  let lastFullScanMs = Date.now()
  return startLoop({
    name: 'authors',
    firstDelayMs: 0,
    nextDelayMs: (result) => (result?.more ? 0 : opts.intervalMs),
    log: opts.log,
    async run() {
      if (Date.now() - lastFullScanMs >= (opts.fullScanMs ?? 3_600_000)) {
        since = previous = 0
        lastFullScanMs = Date.now()
      }
      const result = await resolveAuthors(opts.database, opts.lookup, {
        limit: opts.limit ?? 100,
        concurrency: opts.concurrency ?? 8,
        now: new Date(),
        sinceMarketId: since,
      })
      if (!result.more) {
        since = previous
        previous = result.newestMarketId
      }
      if (result.resolved > 0 || result.failed > 0) {
        const parts = [
          result.resolved > 0 ? `read ${result.resolved} from the network` : '',
          result.failed > 0 ? `${result.failed} could not be looked up (retried with backoff)` : '',
        ]
        opts.log(`authors: ${parts.filter(Boolean).join('; ')}`)
      }
      return result
    },
  })
}
