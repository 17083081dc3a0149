/**
 * Per-account limits on the requests that make Curia do costly work for someone: opening a market resolves an
 * arbitrary handle and may fetch a post from the network; a grant claim verifies a zero-knowledge proof; starting a
 * sign-in resolves the account asked for and stores an OAuth state. A token
 * bucket per key (the account's DID): `burst` requests at once, then one every `everyMs`. Trades are not limited
 * here: each costs its trader credits, and the trade desk batches them.
 *
 * In memory, per process: a deployment with several web processes multiplies the allowance by their number, which
 * is fine for what this guards (work, not money: every money rule lives in the database). The map holds at most
 * `maxKeys` accounts, dropping the least recently seen, so a flood of new keys cannot grow it without bound.
 */
export interface RateLimit {
  burst: number
  everyMs: number
}

export interface RateLimiter {
  /** Takes one request for `key`: undefined when allowed, else the milliseconds until the next one is. */
  take(key: string, nowMs?: number): number | undefined
}

export function createRateLimiter(limit: RateLimit, opts: { maxKeys?: number } = {}): RateLimiter {
  if (!(Number.isSafeInteger(limit.burst) && limit.burst >= 1)) throw new RangeError('burst must be >= 1')
  if (!(limit.everyMs > 0)) throw new RangeError('everyMs must be positive')
  const maxKeys = opts.maxKeys ?? 10_000
  /** Per key: the time at which its bucket will be full again (a "virtual scheduling" bucket, one number). */
  const fullAt = new Map<string, number>()
  const span = limit.burst * limit.everyMs
  return {
    take(key, nowMs = Date.now()) {
      const stored = fullAt.get(key)
      const full = Math.max(stored ?? nowMs, nowMs)
      // Taking one token pushes "full again" one interval later; more than a whole burst ahead is refused.
      const next = full + limit.everyMs
      const allowed = next - nowMs <= span
      // Re-inserted last, refused or not: the map's order is least recently seen first, and a key being refused
      // is the last one that should be forgotten (and so start afresh).
      fullAt.delete(key)
      fullAt.set(key, allowed ? next : stored!)
      if (!allowed) return Math.ceil(next - span - nowMs)
      if (fullAt.size > maxKeys) fullAt.delete(fullAt.keys().next().value!)
      return undefined
    },
  }
}

/**
 * At most `max` of some costly work at once in this process, for requests that have no account to limit (an
 * anonymous ballot, a sign-in not finished yet): `run` returns `busy()` at once beyond that, rather than queueing
 * until the app stops answering everyone. `max` may be given per call (tests).
 */
export function createInFlightLimit(defaultMax: number) {
  let inFlight = 0
  return async function run<T>(
    work: () => Promise<T>,
    busy: () => T | Promise<T>,
    max = defaultMax,
  ): Promise<T> {
    if (inFlight >= max) return busy()
    inFlight++
    try {
      return await work()
    } finally {
      inFlight--
    }
  }
}

/** "Try again in 40 seconds." for a wait in milliseconds. */
export function retryAfterText(waitMs: number): string {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000))
  if (seconds < 90) return `Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`
  return `Try again in ${Math.ceil(seconds / 60)} minutes.`
}

/** Opening markets: 10 at once, then one every 30 s (120 an hour). */
export const OPEN_MARKET_LIMIT: RateLimit = { burst: 10, everyMs: 30_000 }
/** Grant claims: a human claims once; a few retries after a failed proof are all anyone needs. */
export const GRANT_CLAIM_LIMIT: RateLimit = { burst: 5, everyMs: 60_000 }
/** Sign-ins per handle or DID (before there is a session, the account asked for is the key): 10, then 1 per 6 s. */
export const SIGN_IN_LIMIT: RateLimit = { burst: 10, everyMs: 6_000 }

interface Limiters {
  openMarket: RateLimiter
  grantClaim: RateLimiter
  signIn: RateLimiter
}
const slot = globalThis as typeof globalThis & { __curiaLimits?: Limiters }

/** The process's limiters, shared by every action through globalThis (Next bundles each action separately). */
export function getRateLimiters(): Limiters {
  slot.__curiaLimits ??= {
    openMarket: createRateLimiter(OPEN_MARKET_LIMIT),
    grantClaim: createRateLimiter(GRANT_CLAIM_LIMIT),
    signIn: createRateLimiter(SIGN_IN_LIMIT),
  }
  return slot.__curiaLimits
}
