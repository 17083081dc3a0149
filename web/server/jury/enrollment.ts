import 'server-only'
import type { PublicClient } from 'viem'
import { createPublicClient, http } from 'viem'
import type { Database } from '@curia/db'
import type { AdmissionConfig } from '@curia/curation/admission/admission-config'
import { allowlistVerifier } from '@curia/curation/admission/allowlist'
import { inviteVerifier } from '@curia/curation/admission/invite'
import { personhoodVerifier } from '@curia/curation/admission/personhood'
import type { AdmissionVerifier } from '@curia/curation/admission/verifier'
import { CurationError } from '@curia/curation/errors'
import type { EnrollMethod, EnrollmentView, InviteView } from '../../lib/jury/enrollment-types'

/**
 * The signed-in person's own jury standing, for the jury page: whether they are a member (and with which
 * commitment: their own, shown only to them), whether the allowlist admits them, and the invites they made. Reads
 * only rows keyed by the session's DID (every binding records its account, whichever verifier admitted it: a member
 * by wallet is found here too); the binding table as a whole is private to the server.
 */
export async function loadEnrollment(
  database: Database,
  opts: { did: string; now: Date; config: AdmissionConfig },
): Promise<EnrollmentView> {
  const { sql } = database
  const nowIso = opts.now.toISOString()
  const [member] = await sql<
    {
      id: string
      verifier: NonNullable<EnrollmentView['member']>['verifier']
      commitment: string
      admittedAt: string
      inGroup: boolean
      revoked: boolean
    }[]
  >`
    select id::text, verifier, commitment, member_added_at is not null as "inGroup", revoked_at is not null as revoked,
           to_char(admitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "admittedAt"
    from juror_binding where did = ${opts.did}`
  const [allow] = await sql`select 1 from juror_allowlist where did = ${opts.did}`
  let invites: InviteView[] = []
  let createdInPeriod = 0
  if (member) {
    const since = new Date(opts.now.getTime() - opts.config.invites.periodMs).toISOString()
    const rows = await sql<
      {
        createdAt: string
        expiresAt: string
        used: boolean
        revoked: boolean
        expired: boolean
        recent: boolean
      }[]
    >`
      select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt",
             to_char(expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "expiresAt",
             used_at is not null as used, revoked_at is not null as revoked,
             expires_at <= ${nowIso}::timestamptz as expired, created_at > ${since}::timestamptz as recent
      from juror_invite where inviter_binding_id = ${member.id}
      order by created_at desc, id desc limit 50`
    createdInPeriod = rows.filter((r) => r.recent).length
    invites = rows.map((r) => ({
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      status: r.used ? 'used' : r.revoked ? 'withdrawn' : r.expired ? 'expired' : 'pending',
    }))
  }
  return {
    did: opts.did,
    member: member
      ? {
          verifier: member.verifier,
          commitment: member.commitment,
          admittedAt: member.admittedAt,
          inGroup: member.inGroup,
          revoked: member.revoked,
        }
      : null,
    allowlisted: allow !== undefined,
    personhood: opts.config.personhood !== undefined,
    invites: {
      perPeriod: opts.config.invites.perPeriod,
      periodDays: Math.round(opts.config.invites.periodMs / 86_400_000),
      createdInPeriod,
      list: invites,
    },
  }
}

const slot = globalThis as typeof globalThis & { __curiaPersonhoodClient?: PublicClient }

/**
 * The evidence for a method: always the session's DID (every binding records the account that enrolled, the wallet
 * path too, so one person cannot bind a second commitment through another verifier), plus what the method adds.
 * Only the named fields are taken from the request.
 */
export function enrollmentEvidence(
  method: EnrollMethod,
  did: string,
  input: { code?: unknown; message?: unknown; signature?: unknown },
): Record<string, unknown> {
  switch (method) {
    case 'allowlist':
      return { did }
    case 'invite':
      return { did, code: typeof input.code === 'string' ? input.code : '' }
    case 'personhood':
      return { did, message: input.message, signature: input.signature }
  }
}

/** The verifier for a method. */
export function verifierFor(method: EnrollMethod, config: AdmissionConfig): { verifier: AdmissionVerifier } {
  switch (method) {
    case 'allowlist':
      return { verifier: allowlistVerifier() }
    case 'invite':
      return { verifier: inviteVerifier() }
    case 'personhood': {
      if (!config.personhood) {
        throw new CurationError('verifier_disabled', 'The on-chain personhood check is not configured here.')
      }
      slot.__curiaPersonhoodClient ??= createPublicClient({
        transport: http(config.personhood.rpcUrl, { timeout: 10_000, retryCount: 1 }),
      }) as PublicClient
      return {
        verifier: personhoodVerifier({
          publicClient: slot.__curiaPersonhoodClient,
          registry: config.personhood.registry,
          siwe: config.siwe,
        }),
      }
    }
  }
}
