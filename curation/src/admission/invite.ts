/**
 * Invite codes: the web of trust. A member creates up to k codes per period; each is random, shown once, stored only
 * as its SHA-256, single-use, and expires. The person who redeems one binds their signed-in DID (authenticated by the
 * caller, as for the allowlist). The operator sees the tree (who invited whom) and can revoke a branch.
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { CurationError } from '../errors'
import { DID, type AdmissionVerifier } from './verifier'

/** `inv_` + 128 random bits, base64url: unguessable, and short enough to paste. */
const CODE = /^inv_[A-Za-z0-9_-]{22}$/

/** A fresh code from 16 random bytes (passed in: the caller owns the randomness). */
export function inviteCodeFrom(random: Uint8Array): string {
  if (random.length !== 16) throw new Error('an invite code takes 16 random bytes')
  return `inv_${Buffer.from(random).toString('base64url')}`
}

export function isInviteCode(code: unknown): code is string {
  return typeof code === 'string' && CODE.test(code)
}

/** What is stored: the code's SHA-256, hex. A leaked table holds no usable invite. */
export function hashInviteCode(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex')
}

/** The advisory lock that serialises changes to the invite tree (redeeming an invite, revoking a branch). */
export const INVITE_TREE_LOCK = 0x43757269 // "Curi"

const evidence = z.object({ did: z.string().regex(DID), code: z.string() })

interface InviteRow {
  id: string
  used: boolean
  revoked: boolean
  expired: boolean
  inviterRevoked: boolean
}

export function inviteVerifier(): AdmissionVerifier {
  return {
    kind: 'invite',
    async verify(database, raw, now) {
      const parsed = evidence.safeParse(raw)
      if (!parsed.success)
        throw new CurationError('bad_request', 'An invite needs a signed-in DID and a code.')
      const code = parsed.data.code.trim()
      if (!isInviteCode(code)) throw new CurationError('invite_invalid', 'That is not an invite code.')
      const codeHash = hashInviteCode(code)
      const nowIso = now.toISOString()
      const [found] = await database.sql<InviteRow[]>`
        select i.id::text, i.used_at is not null as used, i.revoked_at is not null as revoked,
               i.expires_at <= ${nowIso}::timestamptz as expired,
               coalesce(b.revoked_at is not null, false) as "inviterRevoked"
        from juror_invite i left join juror_binding b on b.id = i.inviter_binding_id
        where i.code_hash = ${codeHash}`
      refuseUnusable(found)
      return {
        did: parsed.data.did,
        wallet: null,
        async redeem(tx, { bindingId }) {
          // Serialised with branch revocation (which takes the same lock), so a revocation either sees this
          // admission as part of the branch or this admission sees the revocation; then the invite, taken only if
          // it is still usable now.
          await tx`select pg_advisory_xact_lock(${INVITE_TREE_LOCK})`
          const [row] = await tx<InviteRow[]>`
            select i.id::text, i.used_at is not null as used, i.revoked_at is not null as revoked,
                   i.expires_at <= ${nowIso}::timestamptz as expired,
                   coalesce(b.revoked_at is not null, false) as "inviterRevoked"
            from juror_invite i left join juror_binding b on b.id = i.inviter_binding_id
            where i.code_hash = ${codeHash}
            for update of i`
          refuseUnusable(row)
          await tx`
            update juror_invite set used_at = ${nowIso}::timestamptz, used_by_binding_id = ${bindingId}
            where id = ${row!.id}`
        },
      }
    },
  }
}

function refuseUnusable(row: InviteRow | undefined): void {
  if (!row) throw new CurationError('invite_invalid', 'This invite code does not exist.')
  if (row.used) throw new CurationError('invite_invalid', 'This invite code has already been used.')
  if (row.revoked || row.inviterRevoked) {
    throw new CurationError('invite_invalid', 'This invite code was withdrawn.')
  }
  if (row.expired) throw new CurationError('invite_expired', 'This invite code has expired.')
}
