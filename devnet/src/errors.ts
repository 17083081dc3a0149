export type DevnetErrorCode =
  'missing_postgres' | 'bad_schema' | 'bad_request' | 'relay_closed' | 'timeout' | 'simulation_stopped'

/** The one error class of the devnet package; `code` is a closed set so callers can branch on it. */
export class DevnetError extends Error {
  constructor(
    readonly code: DevnetErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'DevnetError'
  }
}
