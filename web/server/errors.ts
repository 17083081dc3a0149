import { isCurationError, type CurationErrorCode } from '@curia/curation/errors'

/**
 * `isCurationError` that also recognises an error thrown by another copy of the curation module.
 *
 * Next bundles the page and each route handler separately, each with its own copy of `@curia/curation`, while the
 * snapshot store is one per process (cached on globalThis by server/db.ts). A store created by the page's copy
 * throws a `CurationError` that fails `instanceof` against the route's copy, so the name and code are checked too.
 */
export function isCurationErrorLike(
  err: unknown,
  code: CurationErrorCode,
): err is Error & { code: CurationErrorCode } {
  if (isCurationError(err, code)) return true
  return err instanceof Error && err.name === 'CurationError' && (err as { code?: unknown }).code === code
}
