/**
 * The on-chain personhood check: a wallet proves control with Sign-In with Ethereum (a server nonce, used once),
 * then a registry contract read through viem says whether that wallet belongs to a verified human. The binding
 * records both keys: the signed-in account (the DID the caller authenticated, as for the allowlist and invites) and
 * the wallet, so a registered wallet binds one commitment and so does the account it enrolled with: a person on the
 * allowlist who also holds a registered wallet cannot bind a second commitment through it.
 */
import type { PublicClient } from 'viem'
import { verifySiweMessage } from 'viem/siwe'
import { z } from 'zod'
import { isRegisteredHuman, type PersonhoodRegistry } from '../chain/personhood'
import { CurationError } from '../errors'
import type { SiwePolicy } from './admission-config'
import { checkSiweMessage } from './siwe'
import { DID, type AdmissionVerifier } from './verifier'

const evidence = z.object({
  did: z.string().regex(DID),
  message: z.string().min(1).max(4096),
  signature: z.string().regex(/^0x[0-9a-fA-F]+$/),
})

export function personhoodVerifier(opts: {
  publicClient: PublicClient
  registry: PersonhoodRegistry
  siwe: SiwePolicy
}): AdmissionVerifier {
  return {
    kind: 'personhood',
    async verify(database, raw, now) {
      const parsed = evidence.safeParse(raw)
      if (!parsed.success) {
        throw new CurationError('bad_request', 'The wallet check needs a signed-in DID and a signed message.')
      }
      const { did, message, signature } = parsed.data
      const { address, nonce } = checkSiweMessage(message, opts.siwe, now.getTime())
      const nowIso = now.toISOString()
      // The nonce before anything costly: issued here, not used, not expired.
      const [issued] = await database.sql<{ used: boolean; expired: boolean }[]>`
        select used_at is not null as used, expires_at <= ${nowIso}::timestamptz as expired
        from siwe_nonce where nonce = ${nonce}`
      refuseNonce(issued)
      let valid: boolean
      try {
        valid = await verifySiweMessage(opts.publicClient, {
          message,
          signature: signature as `0x${string}`,
          domain: opts.siwe.domain,
          nonce,
          time: now,
        })
      } catch (err) {
        throw new CurationError('chain_unavailable', 'The signature could not be checked; try again.', {
          cause: err,
        })
      }
      if (!valid)
        throw new CurationError('siwe_invalid', 'Sign-in message refused: the signature does not match.')
      let human: boolean
      try {
        human = await isRegisteredHuman(opts.publicClient, opts.registry, address)
      } catch (err) {
        throw new CurationError(
          'chain_unavailable',
          'The personhood registry could not be read; try again.',
          {
            cause: err,
          },
        )
      }
      if (!human) {
        throw new CurationError('not_human', 'This wallet is not registered as a verified human.')
      }
      return {
        did,
        wallet: address.toLowerCase(),
        async redeem(tx) {
          // Single use, decided by one conditional update: of two racing admissions with one nonce, one wins.
          const taken = await tx`
            update siwe_nonce set used_at = ${nowIso}::timestamptz
            where nonce = ${nonce} and used_at is null and expires_at > ${nowIso}::timestamptz
            returning nonce`
          if (taken.length === 0) refuseNonce({ used: true, expired: false })
        },
      }
    },
  }
}

function refuseNonce(row: { used: boolean; expired: boolean } | undefined): void {
  if (!row) throw new CurationError('siwe_nonce', 'Sign-in refused: this server did not issue that nonce.')
  if (row.used) throw new CurationError('siwe_nonce', 'Sign-in refused: that nonce has already been used.')
  if (row.expired)
    throw new CurationError('siwe_nonce', 'Sign-in refused: that nonce has expired; sign in again.')
}
