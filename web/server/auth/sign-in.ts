import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { OAuthCallbackError, OAuthResolverError, type NodeOAuthClient } from '@atproto/oauth-client-node'
import type { Database } from '@curia/db'
import { grantStartingCredits } from '@curia/curation/service/ledger'
import { excerpt } from '../../lib/format'
import { isDidLike, isHandle } from '@curia/curation/records/identity'
import { createInFlightLimit, retryAfterText, type RateLimiter } from '../rate-limit'
import { createWebSession, recordCurator } from './web-session'

/**
 * Signing in with Bluesky, in two halves around the user's visit to their PDS. Curia never sees a password: the
 * PDS authenticates the user and asks their consent, and Curia learns only the account's DID.
 *
 * Login CSRF: the callback must come back to the browser that started. A random nonce goes into an HttpOnly cookie
 * and its hash into the OAuth state (kept server-side by the client); the callback accepts the code only when the
 * two match.
 */

export type SignInStart =
  | { ok: true; authorizeUrl: string; nonce: string }
  | { ok: false; code: 'bad_request' | 'not_found' | 'unavailable' | 'rate_limited'; message: string }

/** A handle (an optional leading @, any case) or a DID. */
export function parseSignInIdentifier(
  raw: unknown,
): { ok: true; identifier: string } | { ok: false; message: string } {
  const text = typeof raw === 'string' ? raw.trim().replace(/^@/, '') : ''
  if (text === '') return { ok: false, message: 'Enter your Bluesky handle, like alice.bsky.social.' }
  if (isDidLike(text)) return { ok: true, identifier: text }
  const handle = text.toLowerCase()
  if (isHandle(handle)) return { ok: true, identifier: handle }
  return {
    ok: false,
    message: `“${excerpt(text, 40)}” is not a Bluesky handle. A handle looks like alice.bsky.social.`,
  }
}

/** Where to land after signing in: only a path on this site (never `//host` or a scheme). */
export function safeReturnTo(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 512) return '/'
  return /^\/(?![/\\])[^\s]*$/.test(raw) ? raw : '/'
}

/**
 * Sign-ins being started at once in this process. Each makes Curia resolve a handle and fetch its server's OAuth
 * metadata, for anyone who asks (there is no account yet to hold to a limit): beyond this, refused at once.
 */
export const MAX_SIGN_INS_IN_FLIGHT = 32
const signInsInFlight = createInFlightLimit(MAX_SIGN_INS_IN_FLIGHT)

export async function startSignIn(
  oauth: Pick<NodeOAuthClient, 'authorize'>,
  input: { identifier: unknown; returnTo: unknown },
  log: (message: string, err: unknown) => void = () => {},
  /** Per-identifier attempts (each stores an OAuth state); `nowMs` for tests. */
  limits: { limiter?: RateLimiter; nowMs?: number; maxInFlight?: number } = {},
): Promise<SignInStart> {
  const parsed = parseSignInIdentifier(input.identifier)
  if (!parsed.ok) return { ok: false, code: 'bad_request', message: parsed.message }
  const wait = limits.limiter?.take(parsed.identifier, limits.nowMs)
  if (wait !== undefined) {
    return {
      ok: false,
      code: 'rate_limited',
      message: `Too many sign-in attempts for ${parsed.identifier}. ${retryAfterText(wait)}`,
    }
  }
  const nonce = randomBytes(24).toString('base64url')
  const state: AppState = { nonceHash: hashNonce(nonce), returnTo: safeReturnTo(input.returnTo) }
  return signInsInFlight(
    async (): Promise<SignInStart> => {
      try {
        const url = await oauth.authorize(parsed.identifier, { state: JSON.stringify(state) })
        return { ok: true, authorizeUrl: url.toString(), nonce }
      } catch (err) {
        if (err instanceof OAuthResolverError) {
          log(`sign-in: could not resolve ${parsed.identifier}`, err)
          return {
            ok: false,
            code: 'not_found',
            message: `Could not find a Bluesky account for ${parsed.identifier}. Check the spelling.`,
          }
        }
        log(`sign-in: authorize failed for ${parsed.identifier}`, err)
        return {
          ok: false,
          code: 'unavailable',
          message: 'Could not reach your Bluesky server to sign in. Try again in a moment.',
        }
      }
    },
    () => ({
      ok: false,
      code: 'unavailable',
      message: 'Many people are signing in right now. Try again in a moment.',
    }),
    limits.maxInFlight,
  )
}

export type SignInFinish =
  | { ok: true; did: string; handle: string | null; sessionId: string; returnTo: string; granted: boolean }
  | { ok: false; reason: 'denied' | 'mismatch' | 'failed' }

export interface FinishSignInDeps {
  database: Database
  oauth: Pick<NodeOAuthClient, 'callback' | 'revoke' | 'identityResolver'>
  /** Resolves once `setupLedger` has run in this process. */
  ledgerReady: Promise<void>
  startingGrantMicro: bigint
  now: Date
  log?: (message: string, err: unknown) => void
}

/**
 * The callback: exchange the code (the client checks state, issuer and PKCE), check the login nonce, then record
 * the curator, grant the starting credits (once per DID; every sign-in asks, the ledger decides) and open a web
 * session. A code that came back to another browser is revoked at once.
 */
export async function finishSignIn(
  deps: FinishSignInDeps,
  params: URLSearchParams,
  nonceCookie: string | undefined,
): Promise<SignInFinish> {
  let did: string
  let appState: string | null
  try {
    const { session, state } = await deps.oauth.callback(params)
    did = session.did
    appState = state
  } catch (err) {
    if (err instanceof OAuthCallbackError && err.params.get('error') === 'access_denied') {
      return { ok: false, reason: 'denied' }
    }
    deps.log?.('sign-in callback failed', err)
    return { ok: false, reason: 'failed' }
  }

  const state = parseAppState(appState)
  if (!state || !nonceCookie || !nonceMatches(nonceCookie, state.nonceHash)) {
    deps.log?.(`sign-in callback for ${did} did not come back to the browser that started it`, null)
    await deps.oauth
      .revoke(did)
      .catch((err: unknown) => deps.log?.('revoking a mismatched sign-in failed', err))
    return { ok: false, reason: 'mismatch' }
  }

  const handle = await deps.oauth.identityResolver
    .resolve(did)
    .then((identity) => (identity.handle === 'handle.invalid' ? null : identity.handle))
    .catch(() => null)
  await deps.ledgerReady
  await recordCurator(deps.database.sql, { did, handle, now: deps.now })
  const { granted } = await grantStartingCredits(deps.database, {
    did,
    amountMicro: deps.startingGrantMicro,
    now: deps.now,
  })
  const { id } = await createWebSession(deps.database.sql, { did, now: deps.now })
  return { ok: true, did, handle, sessionId: id, returnTo: state.returnTo, granted }
}

interface AppState {
  nonceHash: string
  returnTo: string
}

function parseAppState(raw: string | null): AppState | null {
  if (!raw) return null
  try {
    const value = JSON.parse(raw) as Partial<AppState>
    if (typeof value.nonceHash !== 'string') return null
    return { nonceHash: value.nonceHash, returnTo: safeReturnTo(value.returnTo) }
  } catch {
    return null
  }
}

function hashNonce(nonce: string): string {
  return createHash('sha256').update(nonce).digest('hex')
}

function nonceMatches(cookie: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashNonce(cookie), 'hex')
  const expected = Buffer.from(expectedHash, 'hex')
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}
