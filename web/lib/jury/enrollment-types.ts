/** What the jury's enrollment page and its server actions exchange. Times are ISO 8601 UTC. */

import type { Refusal } from '../refusal'

export type EnrollMethod = 'invite' | 'allowlist' | 'personhood'

export interface InviteView {
  createdAt: string
  expiresAt: string
  status: 'pending' | 'used' | 'expired' | 'withdrawn'
}

export interface EnrollmentView {
  did: string
  /** The signed-in person's own membership (their own commitment, shown only to them), or null. */
  member: {
    verifier: 'allowlist' | 'invite' | 'personhood'
    commitment: string
    admittedAt: string
    /** False only between recording the binding and adding it to the group (Finish enrolling: finishAdmission). */
    inGroup: boolean
    revoked: boolean
  } | null
  /** The operator's allowlist names this DID. */
  allowlisted: boolean
  /** The on-chain personhood check is configured. */
  personhood: boolean
  invites: { perPeriod: number; periodDays: number; createdInPeriod: number; list: InviteView[] }
}

export type EnrollResult = { status: 'enrolled'; method: EnrollMethod; rootVersion: number } | Refusal

export type InviteResult = { status: 'created'; code: string; expiresAt: string } | Refusal

export type SiwePrepareResult = { status: 'ready'; message: string } | Refusal
