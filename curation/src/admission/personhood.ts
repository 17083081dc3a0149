/**
 * The on-chain personhood check: a wallet proves control with Sign-In with Ethereum (a server nonce, used once),
 * then a registry contract read through viem says whether that wallet belongs to a verified human. The person key is
 * the wallet address, so one registered wallet binds one commitment.
 */
import type { PublicClient } from 'viem'
import { verifySiweMessage } from 'viem/siwe'
import { z } from 'zod'
import { isRegisteredHuman, type PersonhoodRegistry } from '../chain/personhood'
import { CurationError } from '../errors'
import type { SiwePolicy } from './admission-config'
import { checkSiweMessage } from './siwe'
import type { AdmissionVerifier } from './verifier'

const evidence = z.object({
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
      if (!parsed.success) throw new CurationError('bad_request', 'Sign in with your wallet first.')
      const { message, signature } = parsed.data
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
        personKey: `eth:${address.toLowerCase()}`,
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
