/**
 * Parameter sweeps: one knob at a time around a base configuration, each point run against the honest world, the
 * whale and the farm, over a few seeds (the same seeds, hence the same worlds, at every point).
 */
import { DEFAULT_PARAMS, withParams, type ParamOverrides, type SimParams } from './params'
import { capture, pooledCostPerExtraTopDay } from './metrics'
import { runScenario, type ScenarioResult } from './run'
import { SCENARIOS, scenarioParams } from './scenarios'
import { mean } from './stats'

export interface SweepSpec {
  key: string
  label: string
  /** The env var Curia reads for this knob, if it has one. */
  envVar?: string
  values: number[]
  apply: (v: number) => ParamOverrides
  log?: boolean
}

export const SWEEPS: SweepSpec[] = [
  {
    key: 'liquidity',
    label: 'liquidity b (credits)',
    envVar: 'CURIA_MARKET_LIQUIDITY_CREDITS',
    values: [100, 300, 1000, 2000, 3000],
    apply: (v) => ({ market: { liquidityCredits: v } }),
    log: true,
  },
  {
    key: 'pMin',
    label: 'sampling floor p_min',
    envVar: 'CURIA_JURY_P_MIN',
    values: [0.01, 0.05, 0.1, 0.2],
    apply: (v) => ({ jury: { pMin: v } }),
  },
  {
    key: 'halfExposure',
    label: 'sampling half-exposure (impressions; lower = exposure weighs more)',
    envVar: 'CURIA_JURY_HALF_EXPOSURE',
    values: [300, 1000, 3000, 10000, 100000],
    apply: (v) => ({ jury: { halfExposure: v } }),
    log: true,
  },
  {
    key: 'capacity',
    label: 'jury capacity (posts per round)',
    envVar: 'CURIA_JURY_CAPACITY',
    values: [25, 50, 100, 200],
    apply: (v) => ({ jury: { capacity: v } }),
    log: true,
  },
  {
    key: 'quorum',
    label: 'quorum (votes)',
    envVar: 'CURIA_JURY_QUORUM',
    values: [1, 3, 5, 9, 15],
    apply: (v) => ({ jury: { quorum: v } }),
  },
  {
    key: 'minTraders',
    label: 'trader minimum',
    envVar: 'CURIA_RANK_MIN_TRADERS',
    values: [1, 3, 5, 10, 20],
    apply: (v) => ({ ranking: { minTraders: v } }),
  },
  {
    key: 'positionCap',
    label: 'position cap (shares)',
    envVar: 'CURIA_MARKET_POSITION_CAP_SHARES',
    values: [300, 1000, 3000, 10000],
    apply: (v) => ({ market: { positionCapShares: v } }),
    log: true,
  },
  {
    key: 'exploration',
    label: 'exploration share',
    envVar: 'CURIA_RANK_EXPLORATION_SHARE',
    values: [0, 0.1, 0.2, 0.3],
    apply: (v) => ({ ranking: { explorationShare: v } }),
  },
  {
    key: 'prior',
    label: 'prior price (below the trader minimum)',
    envVar: 'CURIA_RANK_PRIOR_PRICE',
    values: [0.2, 0.3, 0.4, 0.5],
    apply: (v) => ({ ranking: { priorPrice: v } }),
  },
  {
    key: 'halfLife',
    label: 'freshness half-life (hours)',
    envVar: 'CURIA_RANK_HALF_LIFE_HOURS',
    values: [3, 6, 8, 12, 24],
    apply: (v) => ({ ranking: { halfLifeHours: v } }),
    log: true,
  },
  {
    key: 'humanGrant',
    label: 'verified-human grant (credits)',
    envVar: 'CURIA_HUMAN_GRANT_CREDITS',
    values: [0, 1000, 4000, 9000],
    apply: (v) => ({ market: { humanGrantCredits: v } }),
  },
  {
    key: 'postsPerBallot',
    label: 'posts per ballot (assigned by nullifier)',
    envVar: 'CURIA_JURY_POSTS_PER_BALLOT',
    values: [4, 12, 36],
    apply: (v) => ({ jury: { postsPerBallot: v } }),
    log: true,
  },
  {
    key: 'leaveOut',
    label: 'robust price: 0 = leave out largest |net|, 1 = each side (shipped), 2 = winsorize',
    values: [0, 1, 2],
    apply: (v) => ({ ranking: { leaveOut: v === 0 ? 'largest' : v === 1 ? 'each-side' : 'winsorize' } }),
  },
]

/** A swept knob's value in `params`, as its sweep spells it (leaveOut: its index), to mark the shipped point. */
export function sweepValueOf(key: string, params: SimParams): number | undefined {
  const values: Record<string, number> = {
    liquidity: params.market.liquidityCredits,
    pMin: params.jury.pMin,
    halfExposure: params.jury.halfExposure,
    capacity: params.jury.capacity,
    quorum: params.jury.quorum,
    minTraders: params.ranking.minTraders,
    positionCap: params.market.positionCapShares,
    exploration: params.ranking.explorationShare,
    prior: params.ranking.priorPrice,
    halfLife: params.ranking.halfLifeHours,
    humanGrant: params.market.humanGrantCredits,
    postsPerBallot: params.jury.postsPerBallot,
    leaveOut: ['largest', 'each-side', 'winsorize'].indexOf(params.ranking.leaveOut),
  }
  return values[key]
}

export const SWEEP_SCENARIOS = ['honest', 'whale-30', 'farm-100'] as const
export type SweepScenario = (typeof SWEEP_SCENARIOS)[number]

export interface SweepPoint {
  value: number
  /** Means over seeds, per scenario. */
  honestLowQualityShare: number
  honestCuratorBrier: number
  honestMarketMakerLoss: number
  honestJuryAccuracy: number
  honestVoidRate: number
  /** Endorse + reject votes per sampled post, honest world. */
  honestVotesPerSampled: number
  /** Mean age (hours) of what readers saw in the top positions, honest world. */
  honestFeedAgeHours: number
  whaleAttackerShare: number
  whaleLostGrants: number
  farmAttackerShare: number
  farmLostGrants: number
  /** Credits the farm lost per extra post-day its posts spent in the top (vs the honest run), in grants. */
  farmCostPerExtraTopDayGrants: number
  whaleCostPerExtraTopDayGrants: number
  farmAttackerHoursInTop: number
  farmJuryAttackerSampleProbability: number
}

export interface SweepResult {
  spec: Omit<SweepSpec, 'apply'>
  points: SweepPoint[]
}

function runPoint(
  base: SimParams,
  over: ParamOverrides,
  seeds: readonly number[],
): Record<SweepScenario, ScenarioResult[]> {
  const out = {} as Record<SweepScenario, ScenarioResult[]>
  for (const name of SWEEP_SCENARIOS) {
    const scenario = SCENARIOS.find((s) => s.name === name)!
    out[name] = seeds.map((seed) =>
      runScenario(withParams(scenarioParams(scenario, base, seed), over), { baselines: false }),
    )
  }
  return out
}

function pooledCost(attack: ScenarioResult[], honest: ScenarioResult[]): number {
  return pooledCostPerExtraTopDay(
    attack.map((x, i) => ({
      lostGrants: x.curia.attackerLostGrants,
      extraTopPostDays: capture(x.curia, honest[i]!.curia, x.curia.attackerLostCredits, 1).extraTopPostDays,
    })),
  )
}

export function summarisePoint(value: number, r: Record<SweepScenario, ScenarioResult[]>): SweepPoint {
  const m = (rs: ScenarioResult[], f: (x: ScenarioResult) => number) => mean(rs.map(f))
  return {
    value,
    honestLowQualityShare: m(r.honest, (x) => x.curia.lowQualityShare),
    honestCuratorBrier: m(r.honest, (x) => x.curia.calibration.curatorBrier),
    honestMarketMakerLoss: m(r.honest, (x) => x.curia.marketMakerLossCredits),
    honestJuryAccuracy: m(r.honest, (x) => x.curia.jury.accuracy),
    honestVoidRate: m(r.honest, (x) => x.curia.jury.voidRate),
    honestVotesPerSampled: m(r.honest, (x) => x.curia.jury.meanVotesPerSampled),
    honestFeedAgeHours: m(r.honest, (x) => x.curia.feedAgeHours),
    whaleAttackerShare: m(r['whale-30'], (x) => x.curia.attackerShare),
    whaleLostGrants: m(r['whale-30'], (x) => x.curia.attackerLostGrants),
    farmAttackerShare: m(r['farm-100'], (x) => x.curia.attackerShare),
    farmLostGrants: m(r['farm-100'], (x) => x.curia.attackerLostGrants),
    farmCostPerExtraTopDayGrants: pooledCost(r['farm-100'], r.honest),
    whaleCostPerExtraTopDayGrants: pooledCost(r['whale-30'], r.honest),
    farmAttackerHoursInTop: m(r['farm-100'], (x) => x.curia.attackerHoursInTop),
    farmJuryAttackerSampleProbability: m(r['farm-100'], (x) => x.curia.jury.attackerSampleProbability),
  }
}

export function runSweep(
  spec: SweepSpec,
  opts: { base?: SimParams; seeds: readonly number[]; onPoint?: (p: SweepPoint) => void },
): SweepResult {
  const base = opts.base ?? DEFAULT_PARAMS
  const points = spec.values.map((value) => {
    const point = summarisePoint(value, runPoint(base, spec.apply(value), opts.seeds))
    opts.onPoint?.(point)
    return point
  })
  const { apply: _apply, ...rest } = spec
  return { spec: rest, points }
}
