/**
 * The operator's allowlist: DIDs admitted directly. Evidence is the DID the caller has already authenticated (the
 * web app's Bluesky sign-in); this verifier never authenticates anyone itself.
 */
import { z } from 'zod'
import { CurationError } from '../errors'
import { DID, type AdmissionVerifier } from './verifier'

const evidence = z.object({ did: z.string().regex(DID) })

export function allowlistVerifier(): AdmissionVerifier {
  return {
    kind: 'allowlist',
    async verify(database, raw) {
      const parsed = evidence.safeParse(raw)
      if (!parsed.success) throw new CurationError('bad_request', 'The allowlist needs a signed-in DID.')
      const { did } = parsed.data
      const [row] = await database.sql`select 1 from juror_allowlist where did = ${did}`
      if (!row) throw new CurationError('not_allowlisted', 'This account is not on the jury allowlist.')
      return {
        did,
        wallet: null,
        async redeem(tx) {
          // Under the admission's transaction: the operator may have removed the DID meanwhile.
          const [still] = await tx`select 1 from juror_allowlist where did = ${did} for share`
          if (!still) throw new CurationError('not_allowlisted', 'This account is not on the jury allowlist.')
        },
      }
    },
  }
}
