import { getAddress } from 'viem'
import { createSiweMessage } from 'viem/siwe'
import type { SiwePolicy } from '@curia/curation/admission/admission-config'

/** How long a prepared sign-in message stays valid (the personhood check refuses messages without an expiry). */
export const SIWE_MESSAGE_TTL_MS = 10 * 60_000

/**
 * The EIP-4361 message the juror's wallet signs: this site's domain and origin, the registry's chain, the server's
 * single-use nonce, an expiry. Pure; the personhood verifier (`checkSiweMessage`) checks exactly these fields.
 */
export function buildSiweMessage(opts: {
  policy: SiwePolicy
  address: string
  nonce: string
  now: Date
}): string {
  return createSiweMessage({
    domain: opts.policy.domain,
    uri: opts.policy.uri,
    address: getAddress(opts.address),
    chainId: opts.policy.chainId,
    nonce: opts.nonce,
    version: '1',
    issuedAt: opts.now,
    expirationTime: new Date(opts.now.getTime() + SIWE_MESSAGE_TTL_MS),
    statement: 'Prove this wallet belongs to a verified human, to join the Curia jury.',
  })
}
