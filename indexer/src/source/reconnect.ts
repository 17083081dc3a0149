import { describeError } from '../log'

export interface BackoffOptions {
  initialMs: number
  maxMs: number
}

export const DEFAULT_RECONNECT: BackoffOptions = { initialMs: 1_000, maxMs: 60_000 }

/**
 * Exponential backoff with jitter: attempt n waits between half and all of `initialMs * 2^n` (capped), so a fleet
 * of indexers that lost the same endpoint does not come back in lockstep. `random` is passed in (pure).
 */
export function backoffDelayMs(attempt: number, opts: BackoffOptions, random: number): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30))
  return Math.round(ceiling / 2 + (ceiling / 2) * random)
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
])

/** Whether an error means the endpoint could not be reached at all (offline, DNS, nothing listening). */
export function isUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && UNREACHABLE.has(code)) return true
    if (e instanceof AggregateError && e.errors.some((inner) => isUnreachable(inner))) return true
    if (/getaddrinfo|ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(e.message)) return true
  }
  return false
}

/** The line an operator reads when a source's endpoint is down. */
export function describeReconnect(
  name: string,
  url: string,
  err: unknown,
  delayMs: number,
  resumeCursor: number | undefined,
): string {
  const wait = `${Math.max(1, Math.round(delayMs / 1000))}s`
  if (isUnreachable(err)) {
    return `cannot reach ${name} at ${url} (offline?) — retrying in ${wait}; the feed keeps serving what is already indexed`
  }
  const from = resumeCursor === undefined ? 'the live tail' : `cursor ${resumeCursor}`
  return `${name} connection lost (${describeError(err)}) — reconnecting in ${wait} from ${from}`
}
