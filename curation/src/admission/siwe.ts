/**
 * Sign-In with Ethereum (EIP-4361) checks that need nothing but the message, the policy and the time: it names this
 * site (domain and URI), the registry's chain, a nonce, and is inside its validity window. The signature and the
 * nonce's single use are checked by the personhood verifier. Pure: no I/O, the time is passed in.
 */
import { getAddress, type Address } from 'viem'
import { parseSiweMessage } from 'viem/siwe'
import { CurationError } from '../errors'
import type { SiwePolicy } from './admission-config'

export interface CheckedSiwe {
  address: Address
  nonce: string
}

/** Nonces are the server's own: 32 hex characters (EIP-4361 asks for at least 8 alphanumerics). */
export const SIWE_NONCE = /^[0-9a-f]{32}$/

export function siweNonceFrom(random: Uint8Array): string {
  if (random.length !== 16) throw new Error('a nonce takes 16 random bytes')
  return Buffer.from(random).toString('hex')
}

/** Parses and checks a SIWE message; refusals are `siwe_invalid` with the reason. */
export function checkSiweMessage(text: unknown, policy: SiwePolicy, nowMs: number): CheckedSiwe {
  const refuse = (why: string): never => {
    throw new CurationError('siwe_invalid', `Sign-in message refused: ${why}.`)
  }
  if (typeof text !== 'string' || text.length === 0 || text.length > 4096) refuse('no message')
  const m = parseSiweMessage(text as string)
  if (!m.address || !m.domain || !m.uri || !m.nonce || m.chainId === undefined || !m.issuedAt) {
    refuse('it is not a complete EIP-4361 message')
  }
  if (m.version !== '1') refuse(`unknown version ${String(m.version)}`)
  if (m.domain !== policy.domain) refuse(`it was written for ${m.domain}, not ${policy.domain}`)
  if (!sameOrigin(m.uri!, policy.uri)) refuse(`it names ${m.uri}, not ${policy.uri}`)
  if (m.scheme !== undefined && `${m.scheme}:` !== new URL(policy.uri).protocol) refuse('wrong scheme')
  if (m.chainId !== policy.chainId) refuse(`it is for chain ${m.chainId}, not ${policy.chainId}`)
  if (!SIWE_NONCE.test(m.nonce!)) refuse('the nonce is not one this server issues')
  const issuedAt = m.issuedAt!.getTime()
  if (!Number.isFinite(issuedAt) || issuedAt > nowMs + policy.clockSkewMs)
    refuse('it is issued in the future')
  // An expiry is required: without one a signed message would stay valid for as long as its nonce.
  if (!m.expirationTime) refuse('it has no expiration time')
  if (m.expirationTime!.getTime() <= nowMs) refuse('it has expired')
  if (m.notBefore && m.notBefore.getTime() > nowMs + policy.clockSkewMs) refuse('it is not valid yet')
  return { address: getAddress(m.address!), nonce: m.nonce! }
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin
  } catch {
    return false
  }
}
