/** Every way the curation core or its services can refuse, as a closed set. Boundaries translate these once. */
export type CurationErrorCode =
  | 'bad_cursor'
  | 'bad_request'
  | 'unknown_feed'
  | 'auth_required'
  | 'bad_auth'
  // Market layer: trades, market opening, the ledger.
  | 'insufficient_balance'
  | 'market_closed'
  | 'slippage_exceeded'
  | 'position_cap'
  | 'bad_amount'
  | 'unknown_market'
  | 'idempotency_conflict'

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
