import { parseCurationConfig } from '@curia/curation/config'
import { assignBallotPosts } from '@curia/curation/jury/assignment'
import { DEFAULT_ROUND_PARAMS } from '@curia/curation/jury/round'
import { DEFAULT_LEDGER_PARAMS, DEFAULT_MARKET_PARAMS } from '@curia/curation/market/params'
import { DEFAULT_JURY_CONFIG } from '@curia/curation/service/jury-config'
import { describe, expect, it } from 'vitest'
import { assignedPostIds, postUri, simNullifier } from '../src/core/jury'
import { DEFAULT_PARAMS, withParams } from '../src/params'
import {
  ENV_SETTINGS,
  FIRST_RECOMMENDATION,
  PREVIOUS_DEFAULTS,
  RECOMMENDED,
  SECOND_ROUND_CANDIDATES,
} from '../src/recommend'
import { runScenario } from '../src/run'
import { SWEEPS, sweepValueOf } from '../src/sweep'
import { small } from './small'

const HOUR_MS = 3_600_000
const credits = (micro: bigint) => Number(micro) / 1_000_000

describe('the simulator’s defaults are what Curia ships', () => {
  it('market, grants, ranking and jury equal Curia’s own defaults', () => {
    const curation = parseCurationConfig({})
    expect(DEFAULT_PARAMS.market).toMatchObject({
      liquidityCredits: credits(DEFAULT_MARKET_PARAMS.liquidityMicro),
      positionCapShares: credits(DEFAULT_MARKET_PARAMS.positionCapMicro),
      startingGrantCredits: credits(DEFAULT_LEDGER_PARAMS.startingGrantMicro),
      humanGrantCredits: credits(DEFAULT_LEDGER_PARAMS.humanGrantMicro),
      windowHours: DEFAULT_MARKET_PARAMS.windowMs / HOUR_MS,
    })
    // The values this session's report measures, spelled out (a change of Curia's defaults must show up here).
    expect(DEFAULT_PARAMS.market).toMatchObject({
      liquidityCredits: 2000,
      positionCapShares: 3000,
      humanGrantCredits: 9000,
    })
    expect(DEFAULT_PARAMS.ranking).toMatchObject({ halfLifeHours: 8, priorPrice: 0.3, explorationShare: 0.1 })
    const r = DEFAULT_PARAMS.ranking
    expect({
      halfLifeMs: r.halfLifeHours * HOUR_MS,
      minTraders: r.minTraders,
      priorPrice: r.priorPrice,
      explorationShare: r.explorationShare,
      explorationMaxTrades: r.explorationMaxTrades,
    }).toEqual({
      halfLifeMs: curation.ranking.halfLifeMs,
      minTraders: curation.ranking.minTraders,
      priorPrice: curation.ranking.priorPrice,
      explorationShare: curation.ranking.explorationShare,
      explorationMaxTrades: curation.ranking.explorationMaxTrades,
    })
    // market-rank.ts's robustPrice removes the top net-YES and the top net-NO position.
    expect(r.leaveOut).toBe('each-side')
    expect(DEFAULT_PARAMS.jury).toMatchObject({ ...DEFAULT_ROUND_PARAMS, assignment: 'nullifier' })
    expect(DEFAULT_JURY_CONFIG.params).toEqual(DEFAULT_ROUND_PARAMS)
    expect(DEFAULT_PARAMS.jury).toMatchObject({ capacity: 100, halfExposure: 1000, postsPerBallot: 12 })
  })

  it('every sweep runs through the shipped value, and that value is what its env var defaults to', () => {
    for (const spec of SWEEPS) {
      const shipped = sweepValueOf(spec.key, DEFAULT_PARAMS)
      expect(shipped, spec.key).toBeDefined()
      expect(spec.values, spec.key).toContain(shipped)
      // The sweep moves the knob it names: applying the shipped value is a no-op.
      expect(withParams(DEFAULT_PARAMS, spec.apply(shipped!)), spec.key).toEqual(DEFAULT_PARAMS)
      if (spec.envVar) {
        const env = ENV_SETTINGS.find((e) => e.name === spec.envVar)
        if (env) expect(Number(env.shipped), spec.key).toBe(shipped)
      }
    }
  })

  it('ships the recommendation: applying it changes nothing', () => {
    expect(withParams(DEFAULT_PARAMS, RECOMMENDED)).toEqual(DEFAULT_PARAMS)
    for (const e of ENV_SETTINGS) {
      expect(e.exists, e.name).toBe(true)
      expect(e.shipped, e.name).toBe(e.recommended)
    }
  })

  it('the second round’s candidates start from the first recommendation and include what ships', () => {
    const first = withParams(DEFAULT_PARAMS, FIRST_RECOMMENDATION)
    const configs = SECOND_ROUND_CANDIDATES.map((c) => withParams(first, c.over))
    expect(configs[0]).toEqual(first)
    const shipped = SECOND_ROUND_CANDIDATES.filter((c) => c.label.endsWith('(shipped)'))
    expect(shipped).toHaveLength(1)
    expect(withParams(first, shipped[0]!.over)).toEqual(DEFAULT_PARAMS)
  })

  it('the env table’s earlier columns are the configs the report runs as counterfactuals', () => {
    const first = withParams(DEFAULT_PARAMS, FIRST_RECOMMENDATION)
    const previous = withParams(DEFAULT_PARAMS, PREVIOUS_DEFAULTS)
    for (const spec of SWEEPS) {
      const env = ENV_SETTINGS.find((e) => e.name === spec.envVar)
      if (!env) continue
      expect(Number(env.firstRound), spec.key).toBe(sweepValueOf(spec.key, first))
      // '(none)': the knob did not exist, which the simulator models as 0 (no grant) or whole-sample ballots.
      if (!env.previous.startsWith('(none')) {
        expect(Number(env.previous), spec.key).toBe(sweepValueOf(spec.key, previous))
      }
    }
    // The first recommendation differs from today's only where this round changed a default.
    const changed = ENV_SETTINGS.filter((e) => e.firstRound !== e.shipped).map((e) => e.name)
    expect(changed.sort()).toEqual([
      'CURIA_JURY_HALF_EXPOSURE',
      'CURIA_MARKET_LIQUIDITY_CREDITS',
      'CURIA_RANK_HALF_LIFE_HOURS',
      'CURIA_RANK_PRIOR_PRICE',
    ])
  })
})

describe('jurors judge what Curia’s assignment gives them', () => {
  it('the simulator’s ballots cover exactly the production assignment', () => {
    const ids = Array.from({ length: 40 }, (_, i) => i + 1)
    const seed = `0x${'11'.repeat(32)}` as const
    for (let juror = 0; juror < 20; juror++) {
      const nullifier = simNullifier(1, 3, juror)
      const mine = assignedPostIds(seed, nullifier, ids, 12)
      expect(mine).toHaveLength(12)
      expect(mine.map(postUri).sort()).toEqual(
        assignBallotPosts({
          mixedSeed: seed,
          nullifier,
          sampledPostUris: ids.map(postUri),
          postsPerBallot: 12,
        }),
      )
    }
    expect(simNullifier(1, 3, 0)).not.toBe(simNullifier(1, 4, 0))
    expect(simNullifier(1, 3, 0)).not.toBe(simNullifier(2, 3, 0))
  })

  it('assigned, a 20% cartel carries fewer attacker posts and its attacker loses more than when jurors choose', () => {
    const over = { attacker: { whaleShare: 0.3, farmSize: 30, cartelShare: 0.2 } }
    const sum = (assignment: 'free' | 'nullifier') =>
      [7, 8, 9]
        .map((seed) => runScenario(small({ ...over, jury: { assignment } }, seed)).curia)
        .reduce(
          (a, c) => ({
            sampled: a.sampled + c.jury.attackerSampled,
            endorsed: a.endorsed + c.jury.attackerEndorsed,
            lost: a.lost + c.attackerLostCredits,
          }),
          { sampled: 0, endorsed: 0, lost: 0 },
        )
    const free = sum('free')
    const assigned = sum('nullifier')
    // The same worlds and the same samples: only who votes on which post differs.
    expect(assigned.sampled).toBe(free.sampled)
    expect(free.endorsed).toBeGreaterThan(assigned.endorsed)
    expect(assigned.lost).toBeGreaterThan(free.lost)
  })
})
