/**
 * `npm run sim -- <command>`:
 *   report [--quick]          run everything and write sim/report/REPORT.md with its plots (--quick: one seed, for a look)
 *   run <scenario> [--seed N] [--previous] [--set section.key=value ...]   one scenario, its metrics as JSON
 *                             (--previous: the defaults Curia shipped before it adopted the report's recommendations)
 *   eval [--seeds 1,2,3] [--previous] [--set section.key=value ...]   a candidate configuration over every scenario
 *                             (Curia's feed only): the targets table's numbers, the honest world's, as a table
 *   list                      the scenarios
 * --set overrides one knob of the simulator's params (src/params.ts), e.g. --set ranking.halfLifeHours=3; repeatable.
 */
import { resolve } from 'node:path'
import { evaluationRows, parseOverrides, runScenarios } from './evaluate'
import { DEFAULT_PARAMS, withParams } from './params'
import { PREVIOUS_DEFAULTS } from './recommend'
import { writeReport } from './report'
import { runScenario } from './run'
import { SCENARIOS, scenarioParams } from './scenarios'

const [command = 'report', ...args] = process.argv.slice(2)
const flag = (name: string) => args.includes(`--${name}`)
const option = (name: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}
const log = (line: string) => console.log(`sim: ${line}`)
const sets = args.flatMap((a, i) => (a === '--set' && args[i + 1] !== undefined ? [args[i + 1]!] : []))
/** The base config (--previous or shipped) with every --set applied; a bad --set exits with its error. */
const configured = () => {
  try {
    const base = flag('previous') ? withParams(DEFAULT_PARAMS, PREVIOUS_DEFAULTS) : DEFAULT_PARAMS
    return withParams(base, parseOverrides(sets))
  } catch (err) {
    console.error((err as Error).message)
    process.exit(2)
  }
}
const optionValues = new Set(
  args.flatMap((a, i) => (['--seed', '--seeds', '--set'].includes(a) && args[i + 1] ? [args[i + 1]] : [])),
)

if (command === 'report') {
  const quick = flag('quick')
  const started = performance.now()
  writeReport({
    outDir: resolve(import.meta.dirname, '..', 'report'),
    seeds: quick ? [1] : [1, 2, 3],
    sweepSeeds: quick ? [1] : [1, 2],
    heldOutSeeds: quick ? [4] : [4, 5, 6, 7, 8],
    log,
  })
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`)
} else if (command === 'run') {
  const name = args.find((a) => !a.startsWith('--') && !optionValues.has(a))
  const scenario = SCENARIOS.find((s) => s.name === name)
  if (!scenario) {
    console.error(
      `unknown scenario ${JSON.stringify(name)}; one of: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    )
    process.exit(2)
  }
  const seed = Number(option('seed') ?? 1)
  const result = runScenario(scenarioParams(scenario, configured(), seed))
  const { hourly: _hourly, ...rest } = result
  console.log(JSON.stringify(rest, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v), 2))
} else if (command === 'eval') {
  const seeds = (option('seeds') ?? '1,2,3').split(',').map(Number)
  if (seeds.some((x) => !Number.isSafeInteger(x))) {
    console.error(`--seeds needs integers separated by commas, got ${option('seeds')}`)
    process.exit(2)
  }
  const rows = evaluationRows(runScenarios(configured(), seeds, { baselines: false }))
  const f = (x: number, d: number) => (Number.isNaN(x) ? '–' : x === Infinity ? '∞' : x.toFixed(d))
  const ok = (met: boolean) => (met ? 'ok' : 'MISS')
  console.log(
    [`seeds ${seeds.join(',')}`, flag('previous') ? 'previous defaults' : 'shipped', ...sets].join('; '),
  )
  console.log('scenario                             attacker  low-q   age h  lost    extra  cost/post-day')
  for (const r of rows) {
    console.log(
      `${r.scenario.padEnd(36)} ${(f(r.attackerShare * 100, 2) + '%').padStart(6)} ${ok(r.meetsShare).padEnd(4)}${(f(r.lowQualityShare * 100, 1) + '%').padStart(6)} ${f(r.feedAgeHours, 1).padStart(6)} ${f(r.lostGrants, 1).padStart(6)} ${f(r.extraTopPostDays, 2).padStart(6)} ${f(r.costPerExtraTopDayGrants, 1).padStart(7)} ${r.meetsCost ? '' : 'MISS'}`,
    )
  }
} else if (command === 'list') {
  for (const s of SCENARIOS) console.log(`${s.name.padEnd(34)} ${s.description}`)
} else {
  console.error(`unknown command ${command}: report | run <scenario> | eval | list`)
  process.exit(2)
}
