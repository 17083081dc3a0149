/**
 * `npm run sim -- <command>`:
 *   report [--quick]          run everything and write sim/report/REPORT.md with its plots (--quick: one seed, for a look)
 *   run <scenario> [--seed N] [--previous]   one scenario, its metrics as JSON (--previous: the defaults Curia shipped
 *                             before it adopted the report's recommendations)
 *   list                      the scenarios
 */
import { resolve } from 'node:path'
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

if (command === 'report') {
  const quick = flag('quick')
  const started = performance.now()
  writeReport({
    outDir: resolve(import.meta.dirname, '..', 'report'),
    seeds: quick ? [1] : [1, 2, 3],
    sweepSeeds: quick ? [1] : [1, 2],
    log,
  })
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`)
} else if (command === 'run') {
  const name = args.find((a) => !a.startsWith('--') && a !== option('seed'))
  const scenario = SCENARIOS.find((s) => s.name === name)
  if (!scenario) {
    console.error(
      `unknown scenario ${JSON.stringify(name)}; one of: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    )
    process.exit(2)
  }
  const base = flag('previous') ? withParams(DEFAULT_PARAMS, PREVIOUS_DEFAULTS) : DEFAULT_PARAMS
  const seed = Number(option('seed') ?? 1)
  const result = runScenario(scenarioParams(scenario, base, seed))
  const { hourly: _hourly, ...rest } = result
  console.log(JSON.stringify(rest, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v), 2))
} else if (command === 'list') {
  for (const s of SCENARIOS) console.log(`${s.name.padEnd(34)} ${s.description}`)
} else {
  console.error(`unknown command ${command}: report | run <scenario> | list`)
  process.exit(2)
}
