import { describe, expect, it } from 'vitest'
import { evaluationRows, parseOverrides, runScenarios } from '../src/evaluate'
import { DEFAULT_PARAMS, withParams } from '../src/params'
import { runScenario } from '../src/run'
import { small } from './small'

describe('--set overrides', () => {
  it('parse into the knobs they name, numbers and enums', () => {
    const over = parseOverrides([
      'ranking.halfLifeHours=8',
      'jury.halfExposure=1e3',
      'ranking.leaveOut=winsorize',
    ])
    const p = withParams(DEFAULT_PARAMS, over)
    expect(p.ranking.halfLifeHours).toBe(8)
    expect(p.jury.halfExposure).toBe(1000)
    expect(p.ranking.leaveOut).toBe('winsorize')
    expect(p.market).toEqual(DEFAULT_PARAMS.market)
  })

  it('refuse what they cannot apply, naming it', () => {
    expect(() => parseOverrides(['halfLifeHours=8'])).toThrow(/section\.key=value/)
    expect(() => parseOverrides(['ranking.halfLife=8'])).toThrow(/unknown knob ranking\.halfLife/)
    expect(() => parseOverrides(['nope.x=1'])).toThrow(/unknown knob nope\.x/)
    expect(() => parseOverrides(['ranking.priorPrice=high'])).toThrow(/ranking\.priorPrice needs a number/)
    expect(() => parseOverrides(['jury.assignment=random'])).toThrow(/one of free, nullifier/)
    expect(() => parseOverrides(['curators.noise=0.1'])).toThrow(/cannot be set/)
  })
})

describe('evaluation', () => {
  it('a slower freshness decay shows readers older posts (the feed-age metric moves with the half-life)', () => {
    const fast = runScenario(small({ ranking: { halfLifeHours: 3 } }), { baselines: false }).curia
    const slow = runScenario(small({ ranking: { halfLifeHours: 24 } }), { baselines: false }).curia
    expect(fast.feedAgeHours).toBeGreaterThan(0)
    expect(slow.feedAgeHours).toBeGreaterThan(fast.feedAgeHours + 1)
    expect(slow.feedAgeHours).toBeLessThan(small().market.windowHours)
  })

  it('checks the targets on attacks only, against the honest run of the same seed', () => {
    const rows = evaluationRows(runScenarios(small(), [7], { baselines: false }))
    const honest = rows.find((r) => r.scenario === 'honest')!
    expect(honest.meetsCost && honest.meetsShare).toBe(true)
    expect(honest.costPerExtraTopDayGrants).toBeNaN()
    const farm = rows.find((r) => r.scenario === 'farm-100')!
    expect(farm.meetsShare).toBe(farm.attackerShare <= 0.05)
    expect(farm.meetsCost).toBe(farm.costPerExtraTopDayGrants >= 100)
    expect(Number.isNaN(farm.lostGrants)).toBe(false)
  })
})
