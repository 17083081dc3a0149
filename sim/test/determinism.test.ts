import { describe, expect, it } from 'vitest'
import { runScenario, type ScenarioResult } from '../src/run'
import { createRng } from '../src/rng'
import { small } from './small'

const canonical = (r: ScenarioResult) =>
  JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))

describe('a run is a pure function of its seed and parameters', () => {
  const params = small({ attacker: { whaleShare: 0.3, farmSize: 30, cartelShare: 0.2 } }, 7)

  it('runs twice to the same bytes', () => {
    expect(canonical(runScenario(params))).toBe(canonical(runScenario(params)))
  })

  it('pins a small scenario’s metrics exactly', () => {
    const r = runScenario(params)
    expect({
      posts: r.posts,
      attackerPosts: r.attackerPosts,
      trades: r.curia.trades,
      refusals: r.curia.refusals,
      attackerLostCredits: r.curia.attackerLostCredits,
      attackerShare: r.curia.attackerShare.toFixed(12),
      lowQualityShare: r.curia.lowQualityShare.toFixed(12),
      sampled: r.curia.jury.sampled,
      attackerEndorsed: r.curia.jury.attackerEndorsed,
      marketMakerLossCredits: r.curia.marketMakerLossCredits,
      curatorBrier: r.curia.calibration.curatorBrier.toFixed(12),
      likesAttackerShare: r.likes.attackerShare.toFixed(12),
      stakeAttackerShare: r.stake.attackerShare.toFixed(12),
    }).toMatchInlineSnapshot(`
      {
        "attackerEndorsed": 0,
        "attackerLostCredits": 11619.964817,
        "attackerPosts": 8,
        "attackerShare": "0.011030001333",
        "curatorBrier": "0.120364496941",
        "likesAttackerShare": "0.049701315347",
        "lowQualityShare": "0.284169079423",
        "marketMakerLossCredits": 33868.998417,
        "posts": 366,
        "refusals": {
          "insufficient_balance": 25,
        },
        "sampled": 59,
        "stakeAttackerShare": "0.202716778820",
        "trades": 4133,
      }
    `)
  })

  it('another seed is another world', () => {
    const other = runScenario({ ...params, seed: 8 })
    expect(canonical(other)).not.toBe(canonical(runScenario(params)))
  })

  it('the PRNG is seeded and forks independently', () => {
    const a = createRng(1)
    const b = createRng(1)
    const xs = Array.from({ length: 5 }, () => a.next())
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs)
    expect(createRng(2).next()).not.toBe(xs[0])
    // Drawing from one fork does not move another.
    const root = createRng(3)
    const first = root.fork('jury').next()
    root.fork('posts').next()
    expect(createRng(3).fork('jury').next()).toBe(first)
  })
})
