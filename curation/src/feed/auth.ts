import { IdResolver } from '@atproto/identity'
import { verifyJwt } from '@atproto/xrpc-server'
import { CurationError } from '../errors'

export const GET_FEED_SKELETON = 'app.bsky.feed.getFeedSkeleton'

export interface Viewer {
  did: string
}

export interface ServiceAuthVerifier {
  /** Verifies `Authorization: Bearer <jwt>`; undefined header means an anonymous viewer. */
  verify(authorization: string | undefined): Promise<Viewer | undefined>
}

export function createIdResolver(opts: { plcUrl: string; allowHttp: boolean }): IdResolver {
  // identity >= 0.5 refuses plain-http PLC and did:web unless handed a fetch: only ever true for a local network.
  return new IdResolver({ plcUrl: opts.plcUrl, ...(opts.allowHttp ? { fetch: globalThis.fetch } : {}) })
}

/**
 * Verifies the service-auth JWT the AppView attaches to feed requests: signed by the viewer's atproto key
 * (resolved through their DID document), `aud` = this feed generator's DID, `lxm` = getFeedSkeleton.
 * Verified tokens are cached until they expire (at most a minute) so a scrolling reader costs one signature check.
 */
export function createServiceAuthVerifier(opts: {
  serviceDid: string
  idResolver: IdResolver
  now?: () => number
  cacheSize?: number
}): ServiceAuthVerifier {
  const now = opts.now ?? Date.now
  const cacheSize = opts.cacheSize ?? 10_000
  const verified = new Map<string, { did: string; untilMs: number }>()

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
        payload = await verifyJwt(jwt, opts.serviceDid, GET_FEED_SKELETON, (iss, forceRefresh) =>
          opts.idResolver.did.resolveAtprotoKey(iss, forceRefresh),
        )
      } catch (err) {
        const name = (err as { customErrorName?: string }).customErrorName
        const message = err instanceof Error ? err.message : String(err)
        throw new CurationError('bad_auth', name ? `${name}: ${message}` : message, { cause: err })
      }
      const did = payload.iss.split('#')[0]!
      if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string)
      verified.set(jwt, { did, untilMs: Math.min(payload.exp * 1000, now() + 60_000) })
      return { did }
    },
  }
}
