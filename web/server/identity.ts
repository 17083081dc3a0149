import 'server-only'
import type { IdentityLookup } from './open-market-form'
import { getWebServices } from './db'

/**
 * Handle -> DID and DID -> handle through the OAuth client's identity resolver: the handle is checked both ways
 * (its DID document must claim it back), or null. Used wherever a person types an account (a post link, the
 * operator's allowlist).
 */
export async function webIdentity(): Promise<IdentityLookup> {
  const client = await getWebServices().oauth
  return {
    resolve: async (identifier) => {
      const found = await client.identityResolver.resolve(identifier)
      return { did: found.did, handle: found.handle === 'handle.invalid' ? null : found.handle }
    },
  }
}
