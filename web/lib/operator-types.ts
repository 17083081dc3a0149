/** What the operator's page and its server actions exchange. Times are ISO 8601 UTC. */

import type { Refusal } from './refusal'

export interface OperatorMemberView {
  /**
   * The member's DID, or `eth:<wallet>` for a personhood member enrolled before accounts were recorded (never their
   * commitment). Revoking by it revokes the member's account and wallet alike.
   */
  personKey: string
  /** The wallet a personhood member verified with; null for the other verifiers. */
  wallet: string | null
  handle: string | null
  verifier: 'allowlist' | 'invite' | 'personhood'
  /** 0 for the tree's roots (the operator's invites, the allowlist, personhood checks). */
  depth: number
  admittedAt: string
  revokedAt: string | null
  invites: { created: number; used: number; pending: number; withdrawn: number; expired: number }
  /** Everyone admitted through this member's invites, transitively, including the revoked. */
  descendants: number
}

export interface AllowlistView {
  did: string
  handle: string | null
  note: string | null
  addedAt: string
  member: boolean
}

export interface OperatorConsoleView {
  /** Parents before children, each member's branch right after them. */
  members: OperatorMemberView[]
  allowlist: AllowlistView[]
  inviteTtlDays: number
  /** The operators' log, newest first: who (an operator's @handle or DID, or `cli:<user>`) did what, when. */
  log: { id: number; at: string; actor: string; text: string }[]
}

export type RevokeBranchResult =
  { status: 'revoked'; members: number; invites: number; removed: number } | Refusal
export type AllowlistResult =
  { status: 'added' | 'already' | 'removed' | 'absent'; did: string; handle: string | null } | Refusal
export type OperatorInvitesResult =
  { status: 'created'; invites: { code: string; expiresAt: string }[] } | Refusal
