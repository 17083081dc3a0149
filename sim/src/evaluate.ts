/**
 * Every named scenario under one configuration, with each attack's capture measured against the honest run of the
 * same seed: what the report's tables are built from, and what `npm run sim -- eval` prints for a candidate
 * configuration (`--set section.key=value`, parsed here) before anyone changes a default.
 */
import { capture, pooledCostPerExtraTopDay, type Capture } from './metrics'
import { DEFAULT_PARAMS, type ParamOverrides, type SimParams } from './params'
import { runScenario, type ScenarioResult } from './run'
import { SCENARIOS, scenarioParams } from './scenarios'
import { mean } from './stats'

export interface ScenarioSummary {
  name: string
  description: string
  runs: ScenarioResult[]
  captures: Capture[]
}

/**
 * Runs every scenario (the honest one first: it is each attack's reference) on `seeds`, or those named in `only`
 * (the honest one always). `baselines: false` skips the likes and stake-weighted feeds, which no Curia knob changes.
 */
export function runScenarios(
  base: SimParams,
  seeds: readonly number[],
  opts: { log?: (line: string) => void; label?: string; baselines?: boolean; only?: readonly string[] } = {},
): ScenarioSummary[] {
  const honestBySeed = new Map<number, ScenarioResult>()
  const scenarios = SCENARIOS.filter((s) => !opts.only || s.name === 'honest' || opts.only.includes(s.name))
  return scenarios.map((s) => {
    const runs = seeds.map((seed) =>
      runScenario(scenarioParams(s, base, seed), { baselines: opts.baselines ?? true }),
    )
    if (s.name === 'honest') runs.forEach((r, i) => honestBySeed.set(seeds[i]!, r))
    opts.log?.(`${opts.label ?? 'config'}: ${s.name} (${seeds.length} seeds)`)
    const captures = runs.map((r, i) =>
      capture(
        r.curia,
        honestBySeed.get(seeds[i]!)!.curia,
        r.curia.attackerLostCredits,
        base.market.startingGrantCredits,
      ),
    )
    return { name: s.name, description: s.description, runs, captures }
  })
}

/** Grants lost per extra post-day, pooled over the scenario's seeds. */
export function pooled(s: ScenarioSummary): number {
  return pooledCostPerExtraTopDay(
    s.runs.map((r, i) => ({
      lostGrants: r.curia.attackerLostGrants,
      extraTopPostDays: s.captures[i]!.extraTopPostDays,
    })),
  )
}

/** The scenarios with an attacker (the rows the targets apply to). */
export const isAttack = (name: string) => name !== 'honest' && name !== 'lazy-jury-40'

export interface EvaluationRow {
  scenario: string
  attackerShare: number
  lowQualityShare: number
  /** Mean impression-weighted age of what readers saw in the top positions, hours. */
  feedAgeHours: number
  lostGrants: number
  extraTopPostDays: number
  costPerExtraTopDayGrants: number
  /** What the treasury paid the market makers per run (credits): the subsidy the config costs. */
  marketMakerLossCredits: number
  meetsShare: boolean
  meetsCost: boolean
}

/** One row per scenario, Curia's feed, means over seeds (the cost pooled), with the targets checked for attacks. */
export function evaluationRows(summaries: readonly ScenarioSummary[]): EvaluationRow[] {
  return summaries.map((s) => {
    const m = (f: (r: ScenarioResult) => number) => mean(s.runs.map(f))
    const attack = isAttack(s.name)
    const attackerShare = m((r) => r.curia.attackerShare)
    const cost = attack ? pooled(s) : Number.NaN
    return {
      scenario: s.name,
      attackerShare,
      lowQualityShare: m((r) => r.curia.lowQualityShare),
      feedAgeHours: m((r) => r.curia.feedAgeHours),
      lostGrants: attack ? m((r) => r.curia.attackerLostGrants) : Number.NaN,
      extraTopPostDays: attack ? mean(s.captures.map((c) => c.extraTopPostDays)) : Number.NaN,
      costPerExtraTopDayGrants: cost,
      marketMakerLossCredits: m((r) => r.curia.marketMakerLossCredits),
      meetsShare: !attack || attackerShare <= 0.05,
      meetsCost: !attack || cost >= 100,
    }
  })
}

const ENUMS: Record<string, readonly string[]> = {
  'ranking.leaveOut': ['largest', 'each-side', 'winsorize'],
  'jury.assignment': ['free', 'nullifier'],
}

/**
 * `section.key=value` assignments (e.g. `ranking.halfLifeHours=3`) as overrides of DEFAULT_PARAMS: a key the
 * simulator does not have, a value that is not a finite number (or not one of an enum's values), or a list-valued
 * knob is an error naming it, never silently ignored.
 */
export function parseOverrides(assignments: readonly string[]): ParamOverrides {
  const out: ParamOverrides & Record<string, Record<string, unknown>> = {}
  for (const a of assignments) {
    const m = /^([A-Za-z]+)\.([A-Za-z]+)=(.+)$/.exec(a)
    if (!m) throw new Error(`bad --set ${JSON.stringify(a)}: expected section.key=value`)
    const [, section, key, raw] = m as unknown as [string, string, string, string]
    const defaults = (DEFAULT_PARAMS as unknown as Record<string, unknown>)[section]
    if (typeof defaults !== 'object' || defaults === null || !(key in defaults)) {
      throw new Error(`unknown knob ${section}.${key}`)
    }
    const current = (defaults as Record<string, unknown>)[key]
    let value: unknown
    if (typeof current === 'number') {
      value = Number(raw)
      if (raw.trim() === '' || !Number.isFinite(value))
        throw new Error(`${section}.${key} needs a number, got ${raw}`)
    } else if (ENUMS[`${section}.${key}`]) {
      if (!ENUMS[`${section}.${key}`]!.includes(raw)) {
        throw new Error(
          `${section}.${key} must be one of ${ENUMS[`${section}.${key}`]!.join(', ')}, got ${raw}`,
        )
      }
      value = raw
    } else {
      throw new Error(`${section}.${key} cannot be set from the command line`)
    }
    out[section] = { ...out[section], [key]: value }
  }
  return out
}
