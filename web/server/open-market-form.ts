import type { Database } from '@curia/db'
import type { MarketParams } from '@curia/curation/market/params'
import { resolveIdentity, type IdentityLookup } from '@curia/curation/service/author-profiles'
import { openMarket } from '@curia/curation/service/market'
import type { FormError } from '../lib/market-types'
import { postPath } from '../lib/post-path'
import { refusal, toFormError } from './form-errors'
import { findPostForMarket, insertFetchedPost } from './post-import'
import { parsePostRef } from './post-ref'
import { retryAfterText, type RateLimiter } from './rate-limit'

export interface OpenMarketDeps {
  database: Database
  /** Handle -> DID (and DID -> its verified handle): the OAuth client's identity resolver. */
  identity: IdentityLookup
  recordSourceUrl: string
  params: Pick<MarketParams, 'liquidityMicro' | 'windowMs' | 'openFeeMicro'>
  /** Resolves once `setupLedger` has run in this process. */
  ledgerReady: Promise<void>
  now: Date
  fetch?: typeof fetch
  log?: (message: string, err: unknown) => void
  /** Per-account limit on attempts (each may resolve a handle and fetch a post from the network). */
  limiter?: RateLimiter
}

export type OpenMarketResult =
  { ok: true; postUri: string; path: string; opened: boolean } | { ok: false; error: FormError }

/**
 * "Open a market" for a pasted post link: parse it, resolve the author's handle to a DID, make sure the post is
 * known (fetching it if Curia has not indexed it), then `openMarket` with the signed-in curator as the opener
 * (who pays the opening fee; a post that already has a market costs nothing and returns that market). A fetched
 * post is stored in the opening's own transaction: a refused opening stores nothing, and the curation loop never
 * finds the post without a market to open for free.
 */
export async function submitOpenMarket(
  deps: OpenMarketDeps,
  session: { did: string } | null,
  input: unknown,
): Promise<OpenMarketResult> {
  const fail = (error: FormError): OpenMarketResult => ({ ok: false, error })
  if (!session)
    return fail(refusal('auth_required', 'Your session has ended. Sign in again to open a market.'))
  const parsed = parsePostRef(input)
  if (!parsed.ok) return fail(refusal('bad_request', parsed.message))
  const wait = deps.limiter?.take(session.did, deps.now.getTime())
  if (wait !== undefined)
    return fail(
      refusal('rate_limited', `You have opened many markets in a short time. ${retryAfterText(wait)}`),
    )
  const { repo, rkey } = parsed.ref

  let did: string
  let handle: string | null
  try {
    const identity = await resolveIdentity(deps.identity, repo.value)
    did = identity.did
    handle = identity.handle
  } catch (err) {
    deps.log?.(`could not resolve ${repo.value}`, err)
    return fail(
      refusal(
        'not_found',
        repo.kind === 'handle'
          ? `No Bluesky account answers to @${repo.value}. Check the link.`
          : `The account ${repo.value} could not be found.`,
      ),
    )
  }

  const uri = `at://${did}/app.bsky.feed.post/${rkey}`
  const path = postPath(uri)
  if (!path) return fail(refusal('bad_request', 'That link does not name a post Curia can show.'))
  try {
    const stored = await findPostForMarket(
      {
        sql: deps.database.sql,
        recordSourceUrl: deps.recordSourceUrl,
        now: deps.now,
        handle,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      },
      { did, rkey, uri },
    )
    if (stored.kind === 'deleted') return fail(refusal('not_found', 'This post was deleted.'))
    if (stored.kind === 'not_found')
      return fail(refusal('not_found', 'That post does not exist (or was deleted).'))
    if (stored.kind === 'unavailable') {
      deps.log?.('fetching a post to open a market failed', new Error(stored.detail))
      return fail(
        refusal('unavailable', 'Could not fetch that post from Bluesky just now. Try again in a moment.'),
      )
    }
    await deps.ledgerReady
    const { opened } = await openMarket(deps.database, {
      postUri: uri,
      openedBy: session.did,
      now: deps.now,
      params: deps.params,
      ...(stored.kind === 'fetched' ? { storePost: (tx) => insertFetchedPost(tx, stored.row) } : {}),
    })
    return { ok: true, postUri: uri, path, opened }
  } catch (err) {
    return fail(toFormError(err, deps.log))
  }
}
