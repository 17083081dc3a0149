import { describe, expect, it } from 'vitest'
import { createRateLimiter, retryAfterText } from '../server/rate-limit'

describe('createRateLimiter', () => {
  it('allows a burst, then one request per interval, per key', () => {
    const limiter = createRateLimiter({ burst: 3, everyMs: 1_000 })
    const t = 1_000_000
    expect([1, 2, 3].map(() => limiter.take('a', t))).toEqual([undefined, undefined, undefined])
    expect(limiter.take('a', t)).toBe(1_000)
    expect(limiter.take('a', t + 400)).toBe(600)
    // Another key is untouched by the first one's burst.
    expect(limiter.take('b', t)).toBeUndefined()
    // One interval later exactly one more is allowed; a full burst after the bucket has refilled.
    expect(limiter.take('a', t + 1_000)).toBeUndefined()
    expect(limiter.take('a', t + 1_000)).toBe(1_000)
    expect([1, 2, 3].map(() => limiter.take('a', t + 10_000))).toEqual([undefined, undefined, undefined])
    expect(limiter.take('a', t + 10_000)).toBeGreaterThan(0)
  })

  it('refused requests do not push the wait further out', () => {
    const limiter = createRateLimiter({ burst: 1, everyMs: 5_000 })
    expect(limiter.take('a', 0)).toBeUndefined()
    for (let i = 0; i < 100; i++) expect(limiter.take('a', 1_000)).toBe(4_000)
    expect(limiter.take('a', 5_000)).toBeUndefined()
  })

  it('forgets the least recently seen keys beyond its bound, never one that keeps asking', () => {
    const limiter = createRateLimiter({ burst: 1, everyMs: 60_000 }, { maxKeys: 2 })
    expect(limiter.take('a', 0)).toBeUndefined()
    expect(limiter.take('b', 0)).toBeUndefined()
    expect(limiter.take('a', 0)).toBe(60_000) // refused, and now the most recently seen
    expect(limiter.take('c', 0)).toBeUndefined() // a third key: 'b', the least recently seen, is dropped
    expect(limiter.take('a', 0)).toBe(60_000) // 'a' is still limited
    expect(limiter.take('b', 0)).toBeUndefined() // 'b' was forgotten: a fresh allowance
  })

  it('refuses nonsense limits and words its waits for people', () => {
    expect(() => createRateLimiter({ burst: 0, everyMs: 1 })).toThrow(RangeError)
    expect(() => createRateLimiter({ burst: 1, everyMs: 0 })).toThrow(RangeError)
    expect(retryAfterText(1)).toBe('Try again in 1 second.')
    expect(retryAfterText(59_001)).toBe('Try again in 60 seconds.')
    expect(retryAfterText(600_000)).toBe('Try again in 10 minutes.')
  })
})
