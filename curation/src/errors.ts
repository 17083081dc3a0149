/** Every way the curation core or its services can refuse, as a closed set. Boundaries translate these once. */
export type CurationErrorCode =
  | 'bad_cursor'
  | 'bad_request'
  | 'unknown_feed'
  | 'auth_required'
  | 'bad_auth'
  // A handle a person typed that no account holds.
  | 'unknown_account'
  // Market layer: trades, market opening, the ledger.
  | 'insufficient_balance'
  | 'market_closed'
  | 'slippage_exceeded'
  | 'position_cap'
  | 'bad_amount'
  | 'unknown_market'
  | 'idempotency_conflict'
  // Jury layer: the group, rounds and ballots. A ballot is refused with the first check it fails, in this order.
  | 'bad_commitment'
  | 'duplicate_member'
  | 'group_full'
  | 'unknown_round'
  | 'round_state'
  | 'seed_mismatch'
  | 'beacon_pending'
  | 'bad_ballot'
  | 'wrong_depth'
  | 'wrong_scope'
  | 'wrong_root'
  | 'wrong_message'
  | 'voting_closed'
  | 'wrong_assignment'
  | 'invalid_proof'
  | 'duplicate_ballot'
  // Settlement: a market still trading cannot settle; books that do not add up are refused, never paid.
  | 'market_not_closed'
  | 'settlement_invariant'
  // Jury admission (one verifier's refusal each; nothing is recorded on any of them).
  | 'not_allowlisted'
  | 'invite_invalid'
  | 'invite_expired'
  | 'invite_quota'
  | 'siwe_invalid'
  | 'siwe_nonce'
  | 'not_human'
  | 'already_admitted'
  | 'commitment_taken'
  | 'admission_revoked'
  | 'verifier_disabled'
  // Finishing an enrollment (`finishAdmission`): the signed-in account holds no binding to finish.
  | 'not_admitted'
  // On-chain anchoring.
  | 'already_anchored'
  | 'chain_unavailable'
  // The verified-human faucet (a claim is refused with the first check it fails; nothing is recorded).
  | 'faucet_disabled'
  | 'bad_proof'
  | 'human_already_claimed'
  | 'did_already_claimed'

export class CurationError extends Error {
  readonly code: CurationErrorCode
  constructor(code: CurationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CurationError'
    this.code = code
  }
}

/**
 * True for a CurationError, also one thrown by another bundle's copy of this module (Next.js bundles a page and a
 * route handler separately, and they share server-side singletons), hence the check by name and shape.
 */
export function isCurationError(err: unknown, code?: CurationErrorCode): err is CurationError {
  const shaped =
    err instanceof CurationError ||
    (err instanceof Error &&
      err.name === 'CurationError' &&
      typeof (err as { code?: unknown }).code === 'string')
  return shaped && (code === undefined || (err as CurationError).code === code)
}
