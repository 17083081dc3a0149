import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { isRankable, rankInterim, scoreInterim, type InterimRankingParams } from '../src/ranking/interim'

const HOUR = 3_600_000
const params: InterimRankingParams = { halfLifeMs: 6 * HOUR, windowMs: 48 * HOUR, minEngagement: 0 }
const now = Date.UTC(2026, 10, 21)
const post = (id: number, ageH: number, likes = 0, reposts = 0) => ({
  id,
  createdAtMs: now - ageH * HOUR,
  likeCount: likes,
  repostCount: reposts,
})

describe('interim ranking', () => {
  it('halves a score every half-life', () => {
    const fresh = scoreInterim(post(1, 0, 6), now, params)
    expect(scoreInterim(post(1, 6, 6), now, params)).toBeCloseTo(fresh / 2, 10)
    expect(scoreInterim(post(1, 12, 6), now, params)).toBeCloseTo(fresh / 4, 10)
  })

  it('damps engagement logarithmically and weighs a repost as two likes', () => {
    expect(scoreInterim(post(1, 0), now, params)).toBe(1)
    expect(scoreInterim(post(1, 0, 2), now, params)).toBe(2)
    expect(scoreInterim(post(1, 0, 0, 1), now, params)).toBe(scoreInterim(post(1, 0, 2), now, params))
    expect(scoreInterim(post(1, 0, 1022), now, params)).toBe(10)
  })

  it('treats posts from the future as brand new, not as boosted', () => {
    expect(scoreInterim(post(1, -5, 3), now, params)).toBe(scoreInterim(post(1, 0, 3), now, params))
  })

  it('excludes posts outside the window or below the engagement threshold', () => {
    expect(isRankable(post(1, 49), now, params)).toBe(false)
    expect(isRankable(post(1, 1, 1), now, { ...params, minEngagement: 2 })).toBe(false)
    expect(isRankable(post(1, 1, 1, 1), now, { ...params, minEngagement: 2 })).toBe(true)
  })

  it('orders by score, ties by newer id, and honours depth', () => {
    const ranked = rankInterim([post(1, 1, 5), post(2, 1, 5), post(3, 0, 50), post(4, 30)], now, params, 3)
    expect(ranked.postIds).toEqual([3, 2, 1])
    expect(ranked.scores).toHaveLength(3)
  })

  it('always returns scores sorted descending (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            ageH: fc.double({ min: -1, max: 60, noNaN: true }),
            likes: fc.nat(10_000),
            reposts: fc.nat(1_000),
          }),
        ),
        (specs) => {
          const ranked = rankInterim(
            specs.map((s, i) => post(i, s.ageH, s.likes, s.reposts)),
            now,
            params,
            1_000,
          )
          for (let i = 1; i < ranked.scores.length; i++)
            expect(ranked.scores[i]!).toBeLessThanOrEqual(ranked.scores[i - 1]!)
          expect(new Set(ranked.postIds).size).toBe(ranked.postIds.length)
        },
      ),
    )
  })
})
