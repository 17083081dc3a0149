/**
 * Every way the indexer refuses or gives up, as a closed set. The indexer's boundary translates once: a bad record
 * or frame is skipped and counted (never thrown), a database failure (`write_timeout` included) pauses the source
 * and is retried, and only `invalid_config` reaches the caller.
 */
export type IndexerErrorCode = 'invalid_config' | 'write_timeout'

export class IndexerError extends Error {
  readonly code: IndexerErrorCode
  constructor(code: IndexerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'IndexerError'
    this.code = code
  }
}

export function isIndexerError(err: unknown, code?: IndexerErrorCode): err is IndexerError {
  return err instanceof IndexerError && (code === undefined || err.code === code)
}
