import { describe, expect, it } from 'vitest'
import { runScenario, type ScenarioResult } from '../src/run'
import { small } from './small'

const honest = runScenario(small())
const whale = runScenario(small({ attacker: { whaleShare: 0.3 } }))
const farm = runScenario(small({ attacker: { farmSize: 30 } }))

describe('baselines behave as their real counterparts', () => {
  it('the stake-weighted feed is captured by the whale, for free', () => {
    expect(honest.stake.attackerShare).toBeLessThan(0.02)
    expect(whale.stake.attackerShare).toBeGreaterThan(0.12)
    expect(whale.stake.attackerShare).toBeGreaterThan(10 * honest.stake.attackerShare)
    // Its posts sit in the top for most of their life.
    expect(whale.stake.attackerHoursInTop).toBeGreaterThan(5 * honest.stake.attackerHoursInTop)
  })

  it('the likes feed is gamed by the farm, and not by the whale (one account, one like)', () => {
    expect(farm.likes.attackerShare).toBeGreaterThan(0.03)
    expect(farm.likes.attackerShare).toBeGreaterThan(8 * honest.likes.attackerShare)
    expect(whale.likes.attackerShare).toBeLessThan(3 * honest.likes.attackerShare + 0.005)
  })

  it('on the same world, Curia gives the whale nothing for its money', () => {
    expect(whale.curia.attackerShare).toBeLessThanOrEqual(honest.curia.attackerShare + 0.002)
    expect(whale.curia.attackerLostCredits).toBeGreaterThan(0)
  })

  it('honest feeds rank good posts above bad ones', () => {
    for (const r of [honest.curia, honest.likes, honest.stake]) {
      expect(r.goodHoursInTop).toBeGreaterThan(r.lowQualityHoursInTop)
      expect(r.lowQualityShare).toBeLessThan(0.45)
    }
  })

  it('the three feeds saw the same world', () => {
    const sameWorld = (r: ScenarioResult) => [r.posts, r.attackerPosts]
    expect(sameWorld(whale)).toEqual(sameWorld(honest))
    expect(sameWorld(farm)).toEqual(sameWorld(honest))
  })
})
