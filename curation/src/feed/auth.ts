import type { DidCache, IdResolver } from '@atproto/identity'
import { verifyJwt } from '@atproto/xrpc-server'
import { createIdResolver, LruDidCache } from '../did-cache'
import { CurationError } from '../errors'

export const GET_FEED_SKELETON = 'app.bsky.feed.getFeedSkeleton'

export interface Viewer {
  did: string
}

export interface ServiceAuthVerifier {
  /** Verifies `Authorization: Bearer <jwt>`; undefined header means an anonymous viewer. */
  verify(authorization: string | undefined): Promise<Viewer | undefined>
}

/**
 * The resolver of viewers' DID documents, with a bounded cache: a signed-in reader's document is fetched from the
 * directory once an hour, not on every feed request (each of which carries a new JWT).
 */
export function createViewerIdResolver(opts: {
  plcUrl: string
  allowHttp: boolean
  didCache?: DidCache
}): IdResolver {
  return createIdResolver({ ...opts, didCache: opts.didCache ?? new LruDidCache(20_000) })
}

/** Why a service-auth JWT was refused. */
export type AuthFailure =
  | 'malformed'
  | 'expired'
  | 'wrong_audience'
  | 'wrong_method'
  | 'bad_issuer'
  | 'unresolved_issuer'
  | 'bad_signature'
  | 'unverified'

/**
 * The 401's message for each refusal: fixed text, so a caller never reads what a lookup of the issuer it chose met
 * (an error from PLC or from a did:web host of its choosing). The detail goes to the log.
 */
export const AUTH_FAILURE_MESSAGES: Readonly<Record<AuthFailure, string>> = {
  malformed: 'The service-auth JWT is malformed.',
  expired: 'The service-auth JWT has expired.',
  wrong_audience: "The service-auth JWT is for another service: its aud is not this feed generator's DID.",
  wrong_method: `The service-auth JWT is not for ${GET_FEED_SKELETON} (its lxm).`,
  bad_issuer: "The service-auth JWT's issuer (iss) is not a DID.",
  unresolved_issuer: "Could not resolve the service-auth JWT's issuer (iss) to a signing key.",
  bad_signature: "The service-auth JWT's signature does not match its issuer's signing key.",
  unverified: 'The service-auth JWT could not be verified.',
}

const FAILURE_BY_ERROR_NAME: Readonly<Record<string, AuthFailure>> = {
  BadJwt: 'malformed',
  BadJwtType: 'malformed',
  JwtExpired: 'expired',
  BadJwtAudience: 'wrong_audience',
  BadJwtLexiconMethod: 'wrong_method',
  BadJwtIss: 'bad_issuer',
  BadJwtSignature: 'bad_signature',
}

/** The issuer's signing key could not be had; `why` is for the log. */
class IssuerUnresolvedError extends Error {
  constructor(why: string, options?: { cause?: unknown }) {
    super(why, options)
    this.name = 'IssuerUnresolvedError'
  }
}

export interface ServiceAuthVerifierOptions {
  serviceDid: string
  idResolver: IdResolver
  now?: () => number
  /** Verified JWTs remembered (default 10,000). */
  cacheSize?: number
  /** How long an issuer whose lookup failed is refused without being looked up again (default 30 s). */
  failureTtlMs?: number
  /**
   * How often one issuer's document may be fetched again because a signature did not match the key held for it
   * (the key may have been rotated; default once a minute). In between, a bad signature is refused against the key
   * held, so a stream of forged tokens naming a real viewer costs no lookups.
   */
  refreshIntervalMs?: number
  /** Issuers remembered for the two limits above (default 10,000 each; the oldest are forgotten first). */
  trackedIssuers?: number
  /** Directory lookups in flight at once (default 16); past them, up to `maxQueuedLookups` wait (default 256). */
  maxLookups?: number
  maxQueuedLookups?: number
  /** Refusals with their detail, at most one line per kind of refusal per 10 s. */
  log?: (line: string) => void
}

/**
 * Verifies the service-auth JWT the AppView attaches to feed requests: signed by the viewer's atproto key
 * (resolved through their DID document), `aud` = this feed generator's DID, `lxm` = getFeedSkeleton.
 * Verified tokens are cached until they expire (at most a minute); the DID documents are cached by the resolver
 * (createViewerIdResolver), so a reader's new JWT on every request costs one signature check and no lookup.
 *
 * Anyone can send a token naming any issuer, so the lookups a stranger can cause are bounded: an issuer whose lookup
 * failed is refused without another for `failureTtlMs`, one issuer's lookups in flight are shared, at most
 * `maxLookups` run at once (with a bounded queue behind them; past it the token is refused), and a signature that
 * does not match fetches the issuer's document again at most once per `refreshIntervalMs`.
 */
export function createServiceAuthVerifier(opts: ServiceAuthVerifierOptions): ServiceAuthVerifier {
  const now = opts.now ?? Date.now
  const cacheSize = opts.cacheSize ?? 10_000
  const failureTtlMs = opts.failureTtlMs ?? 30_000
  const refreshIntervalMs = opts.refreshIntervalMs ?? 60_000
  const tracked = opts.trackedIssuers ?? 10_000
  const maxLookups = opts.maxLookups ?? 16
  const maxQueued = opts.maxQueuedLookups ?? 256
  const resolver = opts.idResolver.did
  const verified = new Map<string, { did: string; untilMs: number }>()
  const failedUntil = new Map<string, number>()
  const refreshedAt = new Map<string, number>()
  const inFlight = new Map<string, Promise<string>>()
  const queue: (() => void)[] = []
  let running = 0
  const logged = new Map<AuthFailure, { atMs: number; suppressed: number }>()

  /** Sets `key` as the newest entry of a map bounded to `tracked` entries. */
  const remember = (map: Map<string, number>, key: string, value: number) => {
    map.delete(key)
    map.set(key, value)
    if (map.size > tracked) map.delete(map.keys().next().value as string)
  }

  /** A slot for one lookup, false when too many wait already. Released by `release`. */
  const acquire = async (): Promise<boolean> => {
    if (running < maxLookups) {
      running++
      return true
    }
    if (queue.length >= maxQueued) return false
    await new Promise<void>((resolve) => queue.push(resolve))
    return true // the slot was handed over by release()
  }
  const release = () => {
    const next = queue.shift()
    if (next) next()
    else running--
  }

  const lookUp = async (did: string, forceRefresh: boolean): Promise<string> => {
    if (!(await acquire()))
      throw new IssuerUnresolvedError(`too many lookups in flight, ${did} not looked up`)
    try {
      return await resolver.resolveAtprotoKey(did, forceRefresh)
    } catch (err) {
      if (forceRefresh) {
        // The document could not be fetched again: the key held is the one the signature is checked against.
        return resolver.resolveAtprotoKey(did, false).catch((again: unknown) => {
          throw new IssuerUnresolvedError(`looking up ${did} failed`, { cause: again })
        })
      }
      remember(failedUntil, did, now() + failureTtlMs)
      throw new IssuerUnresolvedError(`looking up ${did} failed`, { cause: err })
    } finally {
      release()
    }
  }

  const signingKey = async (iss: string, forceRefresh: boolean): Promise<string> => {
    // A viewer is an account; an issuer naming one of a DID's services (`did:...#id`) is not looked up.
    if (iss.includes('#'))
      throw new IssuerUnresolvedError(`the issuer ${iss} names a service, not an account`)
    const did = iss
    const failed = failedUntil.get(did)
    if (failed !== undefined) {
      if (failed > now())
        throw new IssuerUnresolvedError(`${did} failed to resolve less than ${failureTtlMs} ms ago`)
      failedUntil.delete(did)
    }
    let force = forceRefresh
    if (force) {
      const last = refreshedAt.get(did)
      if (last !== undefined && now() - last < refreshIntervalMs) force = false
      else remember(refreshedAt, did, now())
    }
    // A fresh cached document: no lookup, so nothing to bound.
    const cached = force ? null : await resolver.cache?.checkCache(did)
    if (cached && !cached.stale && !cached.expired) {
      return resolver.resolveAtprotoKey(did, false).catch((err: unknown) => {
        throw new IssuerUnresolvedError(`${did} has no usable signing key`, { cause: err })
      })
    }
    const key = `${force ? 'refresh' : 'resolve'} ${did}`
    const shared = inFlight.get(key)
    if (shared) return shared
    const lookup = lookUp(did, force).finally(() => inFlight.delete(key))
    inFlight.set(key, lookup)
    return lookup
  }

  const refuse = (failure: AuthFailure, err: unknown): CurationError => {
    const atMs = now()
    const last = logged.get(failure)
    if (last && atMs - last.atMs < 10_000) last.suppressed++
    else {
      const more = last?.suppressed ? ` (and ${last.suppressed} more like it since the last line)` : ''
      logged.set(failure, { atMs, suppressed: 0 })
      opts.log?.(`feed: refused a service-auth JWT (${failure}): ${describe(err)}${more}`)
    }
    return new CurationError('bad_auth', AUTH_FAILURE_MESSAGES[failure], { cause: err })
  }

  return {
    async verify(authorization) {
      if (authorization === undefined) return undefined
      const match = /^Bearer ([A-Za-z0-9_.-]{1,4096})$/.exec(authorization.trim())
      if (!match) throw new CurationError('bad_auth', 'Authorization must be a Bearer service-auth JWT.')
      const jwt = match[1]!
      const hit = verified.get(jwt)
      if (hit && hit.untilMs > now()) return { did: hit.did }
      let payload: { iss: string; exp: number }
      try {
        payload = await verifyJwt(jwt, opts.serviceDid, GET_FEED_SKELETON, signingKey)
      } catch (err) {
        const name = (err as { customErrorName?: unknown }).customErrorName
        const failure =
          err instanceof IssuerUnresolvedError
            ? 'unresolved_issuer'
            : typeof name === 'string' && Object.hasOwn(FAILURE_BY_ERROR_NAME, name)
              ? FAILURE_BY_ERROR_NAME[name]!
              : err instanceof SyntaxError // a header or payload that is not JSON
                ? 'malformed'
                : 'unverified'
        throw refuse(failure, err)
      }
      const did = payload.iss
      if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string)
      verified.set(jwt, { did, untilMs: Math.min(payload.exp * 1000, now() + 60_000) })
      return { did }
    },
  }
}

/** One line for the log: an error and its causes, without line breaks, cut at 500 characters. */
function describe(err: unknown): string {
  const parts: string[] = []
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 4; depth++) {
    parts.push(e instanceof Error ? `${e.name}: ${e.message}` : JSON.stringify(e))
    e = e instanceof Error ? e.cause : undefined
  }
  return parts.join(' <- ').replace(/\s+/g, ' ').slice(0, 500)
}
