import { XrpcHandleResolver } from '@atproto-labs/handle-resolver'
import { getHandle, type IdResolver } from '@atproto/identity'
import { HANDLE_INVALID, isHandle } from '@curia/curation/records/identity'

/**
 * The handle an identity event may set for `did`, checked both ways: the handle its DID document claims, the
 * document read afresh (the event says it may have changed; this also refreshes the resolver's cache), kept only
 * when the handle resolves back to the same DID. Undefined when no handle verifies: the DID unknown, a document
 * without a handle or with `handle.invalid`, a handle that resolves elsewhere or nowhere.
 *
 * Both sources use it, and neither trusts a handle the stream carries: a relay passes a PDS's claim through
 * unvalidated (or `handle.invalid`), so a hostile PDS could otherwise label its accounts with someone else's handle.
 * This is the check @atproto/sync's parseIdentity makes, except that the document is never read from the cache.
 *
 * Throws when the DID document could not be read (the directory unreachable, a malformed document); the caller
 * decides between waiting and going on without a handle.
 */
export async function verifiedHandle(
  idResolver: IdResolver,
  did: string,
  resolveHandle: ResolveHandle = byDns(idResolver),
): Promise<string | undefined> {
  const doc = await idResolver.did.resolve(did, true)
  if (!doc) return undefined
  const handle = getHandle(doc)?.toLowerCase()
  if (handle === undefined || handle === HANDLE_INVALID || !isHandle(handle)) return undefined
  return (await resolveHandle(handle)) === did ? handle : undefined
}

/** A handle -> the DID it resolves to, or undefined for none. */
export type ResolveHandle = (handle: string) => Promise<string | undefined>

/**
 * How handles are resolved back to DIDs: through `xrpcUrl`'s `com.atproto.identity.resolveHandle` when given (a
 * local network's PDS: its `.test` handles are in no DNS), otherwise DNS and `/.well-known/atproto-did`.
 */
export function handleResolution(idResolver: IdResolver, xrpcUrl: string | undefined): ResolveHandle {
  if (xrpcUrl === undefined) return byDns(idResolver)
  const xrpc = new XrpcHandleResolver(xrpcUrl)
  return async (handle) => (await xrpc.resolve(handle)) ?? undefined
}

const byDns =
  (idResolver: IdResolver): ResolveHandle =>
  (handle) =>
    idResolver.handle.resolve(handle)
