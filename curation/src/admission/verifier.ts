/**
 * Pluggable admission verifiers (MECHANISM.md "Jury layer"). A verifier turns evidence into the person's keys: the
 * signed-in Bluesky account (every verifier's evidence carries the DID the caller authenticated: enrolling always
 * happens signed in) and, for the personhood check, the wallet. Each key binds at most one identity commitment,
 * whichever verifier comes first, so one person binds one. `admitJuror` (../service/admission.ts) takes any verifier.
 *
 * Two halves, so nothing slow runs under a lock and nothing is spent unless the whole admission commits:
 * - `verify` runs first, outside any transaction: parse the evidence, check signatures, read a chain. It throws a
 *   CurationError with the verifier's own code on refusal.
 * - `redeem` runs inside the admission's transaction, after the binding row is written: it re-checks what could
 *   have changed (the DID still on the allowlist) and consumes what is single-use (the invite, the nonce). If it
 *   throws, the transaction rolls back and nothing at all is recorded.
 */
import type { AdmissionVerifier as AdmissionVerifierKind } from '@curia/db'
import type { Database } from '@curia/db'
import type { Tx } from '../ledger/transaction'

export type { AdmissionVerifierKind }

export interface VerifiedPerson {
  /** The signed-in account that enrolls: unique per binding. */
  did: string
  /** The wallet (lower-case `0x...`) the personhood check verified, unique per binding; null for the others. */
  wallet: string | null
  redeem(tx: Tx, ctx: { bindingId: number; now: Date }): Promise<void>
}

export interface AdmissionVerifier {
  readonly kind: AdmissionVerifierKind
  verify(database: Database, evidence: unknown, now: Date): Promise<VerifiedPerson>
}

/** A DID as atproto writes them (the same rule as the ledger's). */
export const DID = /^did:[a-z]+:[a-zA-Z0-9._:%-]{1,2000}$/
