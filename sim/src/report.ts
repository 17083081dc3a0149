/**
 * `npm run sim -- report`: runs every scenario (Curia's shipped config, and the defaults it shipped before adopting
 * this report's recommendations), the parameter sweeps and the jury sweep, and writes sim/report/REPORT.md with its
 * PNG plots. Deterministic: the same code gives the same report.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { JURY_CORE_SOURCE } from './core/jury'
import { SETTLEMENT_CORE_SOURCE } from './core/settlement'
import { juryAccuracy } from './jury-sweep'
import { evaluationRows, pooled, runScenarios, type EvaluationRow, type ScenarioSummary } from './evaluate'
import { pooledCostPerExtraTopDay, type CuriaMetrics, type FeedMetrics } from './metrics'
import { DEFAULT_PARAMS, withParams, type SimParams } from './params'
import { barChartSvg, lineChartSvg, svgToPng, type LineChart } from './plot'
import { ENV_SETTINGS, FIRST_RECOMMENDATION, PREVIOUS_DEFAULTS, SECOND_ROUND_CANDIDATES } from './recommend'
import type { ScenarioResult } from './run'
import { mean } from './stats'
import { SWEEPS, runSweep, sweepValueOf, type SweepResult } from './sweep'

export interface ReportOptions {
  outDir: string
  seeds: number[]
  sweepSeeds: number[]
  /** Seeds no choice in this report was made on: the shipped and the first recommendation, re-checked. */
  heldOutSeeds: number[]
  log: (line: string) => void
}

/** The attacks the second round's candidates (and the held-out check) run: the rows the targets apply to as shipped. */
const ROUND_ATTACKS = ['whale-30', 'farm-100', 'whale-30+farm-100', 'whale+farm+cartel-20']
/** The runner-up, better than the shipped config on the chosen seeds: the held-out seeds check it too. */
const RUNNER_UP = 'b = 2,000 + prior 0.3 + half-life 10 h + half-exposure 1,000'
/** The shipped combination with the first recommendation's prior: fresher, for a deployment that values that more. */
const FRESHER = 'b = 2,000 + half-life 8 h + half-exposure 1,000'
/** The shipped config with a trader minimum of 5, which its own sweep flattered. */
const MIN_TRADERS_5 = 'shipped + trader minimum 5'
/** The candidates the held-out seeds re-check, besides the shipped config and the first recommendation. */
const HELD_OUT_CANDIDATES = [RUNNER_UP, FRESHER, MIN_TRADERS_5]

interface CandidateResult {
  label: string
  rows: EvaluationRow[]
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–')
const num = (x: number, d = 1) =>
  x === Infinity ? '∞' : x === -Infinity ? '−∞' : Number.isFinite(x) ? x.toFixed(d) : '–'
const avg = (xs: number[]) => mean(xs)

function feedOf(r: ScenarioResult, feed: 'curia' | 'likes' | 'stake'): FeedMetrics {
  return r[feed]
}

function scenarioTable(summaries: ScenarioSummary[]): string {
  const rows = [
    '| scenario | feed | attacker share of top-30 impressions | low-quality share | feed age (h) | attacker post: hours in top-30 | low-quality post: hours in top-30 (mean / p90) | attacker credits lost (grants) | extra top-30 post-days bought | cost per extra post-day (grants) | cost per extra impression (credits) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const s of summaries) {
    for (const feed of ['curia', 'likes', 'stake'] as const) {
      const m = (f: (x: FeedMetrics) => number) => avg(s.runs.map((r) => f(feedOf(r, feed))))
      const isCuria = feed === 'curia'
      const lost = isCuria ? avg(s.runs.map((r) => r.curia.attackerLostGrants)) : 0
      const extra = isCuria
        ? avg(s.captures.map((c) => c.extraTopPostDays))
        : avg(
            s.runs.map(
              (r, i) =>
                feedOf(r, feed).attackerTopPostDays -
                feedOf(summaries[0]!.runs[i]!, feed).attackerTopPostDays,
            ),
          )
      const cost = isCuria ? pooled(s) : extra > 0 ? 0 : Infinity
      const costImpr = isCuria
        ? pooledCostPerExtraTopDay(
            s.runs.map((r, i) => ({
              lostGrants: r.curia.attackerLostCredits,
              extraTopPostDays: s.captures[i]!.extraImpressions,
            })),
          )
        : extra > 0
          ? 0
          : Infinity
      const attacked = s.name !== 'honest' && s.name !== 'lazy-jury-40'
      rows.push(
        `| ${feed === 'curia' ? s.name : ''} | ${feed === 'curia' ? '**Curia**' : feed === 'likes' ? 'likes' : 'stake-weighted'} | ${pct(m((x) => x.attackerShare))} | ${pct(m((x) => x.lowQualityShare))} | ${num(m((x) => x.feedAgeHours))} | ${num(m((x) => x.attackerHoursInTop))} | ${num(m((x) => x.lowQualityHoursInTop))} / ${num(
          m((x) => x.lowQualityHoursInTopP90),
          0,
        )} | ${attacked ? num(lost) : '–'} | ${attacked ? num(extra, 2) : '–'} | ${attacked ? num(cost) : '–'} | ${attacked ? num(costImpr, 3) : '–'} |`,
      )
    }
  }
  return rows.join('\n')
}

function juryTable(summaries: ScenarioSummary[]): string {
  const rows = [
    '| scenario | eligible / sampled per run | ballots per round | votes per sampled post | accuracy (verdict = truth) | void rate | attacker posts sampled / endorsed | P(sample) attacker vs all |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const s of summaries) {
    const j = (f: (x: CuriaMetrics['jury']) => number) => avg(s.runs.map((r) => f(r.curia.jury)))
    rows.push(
      `| ${s.name} | ${num(
        j((x) => x.eligible),
        0,
      )} / ${num(
        j((x) => x.sampled),
        0,
      )} | ${num(
        j((x) => x.ballotsPerRound),
        0,
      )} | ${num(j((x) => x.meanVotesPerSampled))} | ${pct(j((x) => x.accuracy))} | ${pct(j((x) => x.voidRate))} | ${num(j((x) => x.attackerSampled))} / ${num(j((x) => x.attackerEndorsed))} | ${num(
        j((x) => x.attackerSampleProbability),
        2,
      )} vs ${num(
        j((x) => x.meanSampleProbability),
        2,
      )} |`,
    )
  }
  return rows.join('\n')
}

function calibrationTable(summaries: ScenarioSummary[]): string {
  const rows = [
    '| scenario | curator Brier (vs verdict) | base-rate Brier | closing price Brier (vs verdict) | closing price Brier (vs truth, all markets) | corr(noise, profit) | profit: sharpest / noisiest quarter (credits) | market-maker loss (credits per run) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const s of summaries) {
    const c = (f: (x: CuriaMetrics['calibration']) => number) =>
      avg(s.runs.map((r) => f(r.curia.calibration)))
    rows.push(
      `| ${s.name} | ${num(
        c((x) => x.curatorBrier),
        3,
      )} | ${num(
        c((x) => x.baseRateBrier),
        3,
      )} | ${num(
        c((x) => x.marketBrier),
        3,
      )} | ${num(
        c((x) => x.marketTruthBrier),
        3,
      )} | ${num(
        c((x) => x.noiseProfitCorrelation),
        2,
      )} | ${num(
        c((x) => x.sharpQuarterProfit),
        0,
      )} / ${num(
        c((x) => x.noisyQuarterProfit),
        0,
      )} | ${num(avg(s.runs.map((r) => r.curia.marketMakerLossCredits)), 0)} |`,
    )
  }
  return rows.join('\n')
}

function targetsTable(configs: { label: string; summaries: ScenarioSummary[] }[]): string {
  const rows = [
    '| config | scenario | attacker share (target ≤ 5%) | cost per extra top-30 post-day (target ≥ 100 grants) | same capture, stake-weighted feed |',
    '| --- | --- | ---: | ---: | ---: |',
  ]
  for (const { label, summaries } of configs) {
    for (const name of [
      'whale-30',
      'farm-100',
      'whale-30+farm-100',
      'whale+farm+cartel-20',
      'whale+farm+cartel-20, free choice',
    ]) {
      const s = summaries.find((x) => x.name === name)!
      const share = avg(s.runs.map((r) => r.curia.attackerShare))
      const cost = pooled(s)
      const bought = avg(s.captures.map((c) => c.extraTopPostDays))
      const stakeShare = avg(s.runs.map((r) => r.stake.attackerShare))
      const costText =
        cost === Infinity
          ? '∞ (bought nothing) ✅'
          : `${num(cost)} (${num(bought, 2)} extra post-days per run) ${cost >= 100 ? '✅' : '❌'}`
      rows.push(
        `| ${label} | ${name} | ${pct(share)} ${share <= 0.05 ? '✅' : '❌'} | ${costText} | ${pct(stakeShare)} of impressions for 0 credits |`,
      )
    }
  }
  return rows.join('\n')
}

/** Rows of configs over the round's attacks: the honest world's shares, feed age and subsidy, each attack's share and cost. */
function candidateTable(results: CandidateResult[]): string {
  const rows = [
    `| config | honest: low-quality share / attacker share | honest: feed age (h) | market-maker loss (credits per run) | ${ROUND_ATTACKS.map((n) => `${n}: share / cost`).join(' | ')} | cost target met |`,
    `| --- | ---: | ---: | ---: | ${ROUND_ATTACKS.map(() => '---:').join(' | ')} | ---: |`,
  ]
  for (const c of results) {
    const honest = rowOf(c, 'honest')
    const attacks = ROUND_ATTACKS.map((n) => rowOf(c, n))
    rows.push(
      `| ${c.label} | ${pct(honest.lowQualityShare)} / ${pct(honest.attackerShare)} | ${num(honest.feedAgeHours)} | ${num(honest.marketMakerLossCredits, 0)} | ${attacks.map((r) => `${pct(r.attackerShare)} / ${num(r.costPerExtraTopDayGrants)}${r.meetsCost ? '' : ' ❌'}`).join(' | ')} | ${attacks.filter((r) => r.meetsCost && r.meetsShare).length} of ${attacks.length} |`,
    )
  }
  return rows.join('\n')
}

function rowOf(c: CandidateResult, scenario: string): EvaluationRow {
  const row = c.rows.find((r) => r.scenario === scenario)
  if (!row) throw new Error(`${c.label} has no ${scenario} row`)
  return row
}

/** Per sweep: the shipped value's farm cost and honest low-quality share against the sweep's best on each. */
function holdUpTable(sweeps: SweepResult[]): string {
  const label = (key: string, v: number) =>
    key === 'leaveOut' ? (['largest', 'each side', 'winsorize'][v] ?? String(v)) : v.toLocaleString('en-US')
  const rows = [
    '| knob | shipped | farm cost per extra post-day: shipped / best (at) | honest low-quality share: shipped / best (at) |',
    '| --- | ---: | ---: | ---: |',
  ]
  for (const s of sweeps) {
    const shipped = sweepValueOf(s.spec.key, DEFAULT_PARAMS)
    const at = s.points.find((p) => p.value === shipped)
    if (!at) continue
    const cost = s.points.reduce((b, p) =>
      p.farmCostPerExtraTopDayGrants > b.farmCostPerExtraTopDayGrants ? p : b,
    )
    const low = s.points.reduce((b, p) => (p.honestLowQualityShare < b.honestLowQualityShare ? p : b))
    const mark = (best: typeof at, same: boolean) => (same || best.value === at.value ? ' ✅' : '')
    rows.push(
      `| ${s.spec.key} | ${label(s.spec.key, at.value)} | ${num(at.farmCostPerExtraTopDayGrants)} / ${num(cost.farmCostPerExtraTopDayGrants)} (${label(s.spec.key, cost.value)})${mark(cost, at.farmCostPerExtraTopDayGrants === cost.farmCostPerExtraTopDayGrants)} | ${pct(at.honestLowQualityShare)} / ${pct(low.honestLowQualityShare)} (${label(s.spec.key, low.value)})${mark(low, at.honestLowQualityShare === low.honestLowQualityShare)} |`,
    )
  }
  return `${rows.join('\n')}\n\n✅ marks the shipped value where it is (or ties) the sweep's best on that column. Elsewhere it
trades one column against the other, or against what this table does not show (the treasury's subsidy, votes per
post, a juror's time); the notes below cover the knobs this report chose.`
}

function writePng(dir: string, name: string, svg: string): string {
  writeFileSync(join(dir, name), svgToPng(svg))
  return name
}

function sweepCharts(dir: string, sweep: SweepResult): { shares: string; cost: string } {
  const { spec, points } = sweep
  const xTicks =
    spec.key === 'leaveOut'
      ? [
          { x: 0, label: 'largest' },
          { x: 1, label: 'each side' },
          { x: 2, label: 'winsorize' },
        ]
      : undefined
  const series = (name: string, f: (p: (typeof points)[number]) => number, dashed = false) => ({
    name,
    dashed,
    points: points.map((p) => ({ x: p.value, y: f(p) })),
  })
  const xLog = spec.log && points.every((p) => p.value > 0)
  const shares: LineChart = {
    title: `Sweep: ${spec.label}`,
    xLabel: spec.label,
    yLabel: 'share of top-30 impressions',
    xLog,
    xTicks,
    yMin: 0,
    series: [
      series('honest: low quality', (p) => p.honestLowQualityShare),
      series('farm-100: attacker', (p) => p.farmAttackerShare),
      series('whale-30: attacker', (p) => p.whaleAttackerShare),
    ],
    hLines: [{ y: 0.05, label: 'target 5%' }],
  }
  const cost: LineChart = {
    title: `Sweep: ${spec.label} — cost of capture`,
    xLabel: spec.label,
    yLabel: 'starting grants',
    xLog,
    xTicks,
    yLog: true,
    series: [
      series('per extra post-day', (p) => p.farmCostPerExtraTopDayGrants),
      series('farm: lost in all', (p) => p.farmLostGrants, true),
    ],
    hLines: [{ y: 100, label: 'target 100 grants' }],
  }
  return {
    shares: writePng(dir, `sweep-${spec.key}-shares.png`, lineChartSvg(shares)),
    cost: writePng(dir, `sweep-${spec.key}-cost.png`, lineChartSvg(cost)),
  }
}

function sweepTable(sweep: SweepResult): string {
  const rows = [
    `| ${sweep.spec.label} | honest: low-quality share | honest: feed age (h) | honest: curator Brier | honest: market-maker loss | honest: jury votes per sampled post / accuracy / void | whale-30: share / lost (grants) | farm-100: share / lost (grants) | farm: hours in top-30 per post | farm: cost per extra post-day (grants) | farm: P(sampled) |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const p of sweep.points) {
    const v =
      sweep.spec.key === 'leaveOut'
        ? ['largest', 'each side', 'winsorize'][p.value]!
        : p.value.toLocaleString('en-US')
    const shipped = sweepValueOf(sweep.spec.key, DEFAULT_PARAMS) === p.value ? ' (shipped)' : ''
    rows.push(
      `| ${v}${shipped} | ${pct(p.honestLowQualityShare)} | ${num(p.honestFeedAgeHours)} | ${num(p.honestCuratorBrier, 3)} | ${num(p.honestMarketMakerLoss, 0)} | ${num(p.honestVotesPerSampled)} / ${pct(p.honestJuryAccuracy)} / ${pct(p.honestVoidRate)} | ${pct(p.whaleAttackerShare)} / ${num(p.whaleLostGrants)} | ${pct(p.farmAttackerShare)} / ${num(p.farmLostGrants)} | ${num(p.farmAttackerHoursInTop)} | ${num(p.farmCostPerExtraTopDayGrants)} | ${num(p.farmJuryAttackerSampleProbability, 2)} |`,
    )
  }
  return rows.join('\n')
}

export function writeReport(opts: ReportOptions): void {
  const { outDir, seeds, sweepSeeds, heldOutSeeds, log } = opts
  mkdirSync(outDir, { recursive: true })
  for (const f of readdirSync(outDir)) if (f.endsWith('.png')) rmSync(join(outDir, f))

  const shipped = runScenarios(DEFAULT_PARAMS, seeds, { log, label: 'shipped' })
  const previousParams = withParams(DEFAULT_PARAMS, PREVIOUS_DEFAULTS)
  const previous = runScenarios(previousParams, seeds, { log, label: 'previous defaults' })
  const firstParams = withParams(DEFAULT_PARAMS, FIRST_RECOMMENDATION)
  const first = runScenarios(firstParams, seeds, { log, label: 'first recommendation' })

  // The second round: each candidate over the attacks, Curia's feed only (no candidate changes the baselines).
  const evaluate = (params: SimParams, on: number[]) =>
    evaluationRows(runScenarios(params, on, { baselines: false, only: ROUND_ATTACKS }))
  const candidates: CandidateResult[] = SECOND_ROUND_CANDIDATES.map((c) => {
    log(`candidate: ${c.label}`)
    return { label: c.label, rows: evaluate(withParams(firstParams, c.over), seeds) }
  })
  log(`held-out seeds ${heldOutSeeds.join(', ')}`)
  const heldOut: CandidateResult[] = [
    { label: 'shipped', rows: evaluate(DEFAULT_PARAMS, heldOutSeeds) },
    { label: 'first recommendation', rows: evaluate(firstParams, heldOutSeeds) },
    ...HELD_OUT_CANDIDATES.map((label) => {
      const c = SECOND_ROUND_CANDIDATES.find((k) => k.label === label)!
      return { label, rows: evaluate(withParams(firstParams, c.over), heldOutSeeds) }
    }),
  ]

  const sweeps = SWEEPS.map((spec) => {
    log(`sweep: ${spec.key}`)
    return runSweep(spec, { seeds: sweepSeeds })
  })

  // Jury alone: accuracy against votes per post and the cartel's share.
  const voteCounts = [3, 5, 9, 15, 25, 45]
  const cartelShares = [0, 0.1, 0.2, 0.3, 0.4]
  const juryGrid = (['free', 'nullifier'] as const).map((assignment) => ({
    assignment,
    rows: cartelShares.map((c) => ({
      cartel: c,
      results: voteCounts.map((votes) =>
        juryAccuracy({
          seed: 1,
          votes,
          cartelShare: c,
          lazyShare: DEFAULT_PARAMS.jury.lazyShare,
          noise: DEFAULT_PARAMS.jury.noise,
          quorum: DEFAULT_PARAMS.jury.quorum,
          assignment,
          jurors: DEFAULT_PARAMS.jury.jurors,
          trials: 4000,
        }),
      ),
    })),
  }))

  // Plots.
  const groups = shipped.map((s) => s.name)
  const bar = (
    title: string,
    f: (r: ScenarioResult, feed: 'curia' | 'likes' | 'stake') => number,
    file: string,
    target?: number,
  ) =>
    writePng(
      outDir,
      file,
      barChartSvg({
        title,
        yLabel: 'share of top-30 impressions',
        groups,
        series: (['curia', 'likes', 'stake'] as const)
          .map((feed) => ({
            name: feed === 'curia' ? 'Curia (shipped)' : feed === 'likes' ? 'likes feed' : 'stake-weighted',
            values: shipped.map((s) => avg(s.runs.map((r) => f(r, feed)))),
          }))
          .concat([
            {
              name: 'Curia (previous defaults)',
              values: previous.map((s) => avg(s.runs.map((r) => f(r, 'curia')))),
            },
          ]),
        hLines: target === undefined ? undefined : [{ y: target, label: 'target 5%' }],
      }),
    )
  const attackerPng = bar(
    'Attacker posts’ share of top-30 impressions',
    (r, feed) => r[feed].attackerShare,
    'attacker-share.png',
    0.05,
  )
  const lowPng = bar(
    'Low-quality posts’ share of top-30 impressions',
    (r, feed) => r[feed].lowQualityShare,
    'low-quality-share.png',
  )

  const farmRun = shipped.find((s) => s.name === 'farm-100')!.runs[0]!
  const farmPrev = previous.find((s) => s.name === 'farm-100')!.runs[0]!
  const smooth = (xs: { hour: number; y: number }[]) =>
    xs.map((p, i) => ({ x: p.hour, y: mean(xs.slice(Math.max(0, i - 5), i + 1).map((q) => q.y)) }))
  const timePng = writePng(
    outDir,
    'farm-timeline.png',
    lineChartSvg({
      title: 'farm-100: attacker share of top-30 impressions by hour (6 h mean)',
      xLabel: 'hour',
      yLabel: 'share',
      yMin: 0,
      series: [
        {
          name: 'Curia (shipped)',
          points: smooth(farmRun.hourly.map((h) => ({ hour: h.hour, y: h.curiaAttacker }))),
        },
        {
          name: 'likes feed',
          points: smooth(farmRun.hourly.map((h) => ({ hour: h.hour, y: h.likesAttacker }))),
        },
        {
          name: 'stake-weighted',
          points: smooth(farmRun.hourly.map((h) => ({ hour: h.hour, y: h.stakeAttacker }))),
        },
        {
          name: 'Curia (previous defaults)',
          points: smooth(farmPrev.hourly.map((h) => ({ hour: h.hour, y: h.curiaAttacker }))),
        },
      ].map((s) => ({ ...s, points: s.points.filter((p) => Number.isFinite(p.y) && p.x < 125) })),
      hLines: [{ y: 0.05, label: '5%' }],
    }),
  )
  const calib = (s: ScenarioSummary[]) => {
    const bins = s[0]!.runs.map((r) => r.curia.calibration.bins)
    return bins[0]!
      .map((_, i) => {
        const n = bins.reduce((a, b) => a + b[i]!.n, 0)
        const w = (f: (x: { forecast: number; observed: number; n: number }) => number) =>
          n > 0 ? bins.reduce((a, b) => a + f(b[i]!) * b[i]!.n, 0) / n : Number.NaN
        return { x: w((x) => x.forecast), y: w((x) => x.observed), n }
      })
      .filter((p) => p.n >= 20)
  }
  const calibrationPng = writePng(
    outDir,
    'calibration.png',
    lineChartSvg({
      title: 'Honest curators’ forecasts vs jury verdicts (honest world)',
      xLabel: 'forecast (price the curator traded toward)',
      yLabel: 'share endorsed',
      yMin: 0,
      yMax: 1,
      diagonal: true,
      series: [
        { name: 'shipped config', points: calib(shipped) },
        { name: 'previous defaults', points: calib(previous) },
      ],
    }),
  )
  const juryPngs = juryGrid.map((g) =>
    writePng(
      outDir,
      `jury-accuracy-${g.assignment}.png`,
      lineChartSvg({
        title: `Attacker posts rejected vs votes per post (${g.assignment === 'free' ? 'jurors choose posts' : 'posts assigned by nullifier'})`,
        xLabel: 'votes per sampled post',
        yLabel: 'share of attacker posts rejected',
        xLog: true,
        yMin: 0,
        yMax: 1,
        series: g.rows.map((row) => ({
          name: `cartel ${pct(row.cartel)}`,
          points: row.results.map((r, i) => ({ x: voteCounts[i]!, y: r.attackerRejected })),
        })),
      }),
    ),
  )
  const sweepPngs = sweeps.map((s) => sweepCharts(outDir, s))

  const conservationChecks = [...shipped, ...previous, ...first]
    .flatMap((s) => s.runs)
    .reduce((a, r) => a + r.curia.conservationChecks, 0)
  const runCount =
    [...shipped, ...previous, ...first].reduce((a, s) => a + s.runs.length, 0) +
    sweeps.reduce((a, s) => a + s.points.length * 3 * sweepSeeds.length, 0) +
    (candidates.length * seeds.length + heldOut.length * heldOutSeeds.length) * (ROUND_ATTACKS.length + 1)

  const md = renderMarkdown({
    seeds,
    sweepSeeds,
    heldOutSeeds,
    shipped,
    previous,
    first,
    candidates,
    heldOut,
    sweeps,
    sweepPngs,
    juryGrid,
    voteCounts,
    attackerPng,
    lowPng,
    timePng,
    calibrationPng,
    juryPngs,
    conservationChecks,
    runCount,
    previousParams,
  })
  writeFileSync(join(outDir, 'REPORT.md'), md)
  log(`wrote ${join(outDir, 'REPORT.md')}`)
}

interface RenderInput {
  seeds: number[]
  sweepSeeds: number[]
  heldOutSeeds: number[]
  shipped: ScenarioSummary[]
  previous: ScenarioSummary[]
  /** The first recommendation: what shipped before the second round. */
  first: ScenarioSummary[]
  candidates: CandidateResult[]
  heldOut: CandidateResult[]
  sweeps: SweepResult[]
  sweepPngs: { shares: string; cost: string }[]
  juryGrid: { assignment: string; rows: { cartel: number; results: ReturnType<typeof juryAccuracy>[] }[] }[]
  voteCounts: number[]
  attackerPng: string
  lowPng: string
  timePng: string
  calibrationPng: string
  juryPngs: string[]
  conservationChecks: number
  runCount: number
  previousParams: SimParams
}

function skillSentence(all: ScenarioSummary[], configs: string): string {
  const corr = all.map((s) => avg(s.runs.map((r) => r.curia.calibration.noiseProfitCorrelation)))
  const gap = all.map((s) =>
    avg(s.runs.map((r) => r.curia.calibration.sharpQuarterProfit - r.curia.calibration.noisyQuarterProfit)),
  )
  const negative = corr.filter((c) => c < 0).length
  return `Skill pays: the correlation between a curator's noise and its realised profit is negative in ${negative} of ${corr.length} scenarios (${configs}; between ${num(Math.min(...corr), 2)} and ${num(Math.max(...corr), 2)}), and the sharpest quarter of curators out-earns the noisiest by ${num(Math.min(...gap), 0)} to ${num(Math.max(...gap), 0)} credits per run.`
}

function pick(s: ScenarioSummary[], name: string): ScenarioSummary {
  return s.find((x) => x.name === name)!
}

function renderMarkdown(x: RenderInput): string {
  const P = DEFAULT_PARAMS
  const Q = x.previousParams
  const F = withParams(DEFAULT_PARAMS, FIRST_RECOMMENDATION)
  const ageOf = (s: ScenarioSummary[], feed: 'curia' | 'likes' | 'stake' = 'curia') =>
    avg(pick(s, 'honest').runs.map((r) => r[feed].feedAgeHours))
  /** A second-round candidate by its label (recommend.ts), and one of its rows. */
  const cand = (label: string) => {
    const c = x.candidates.find((k) => k.label === label)
    if (!c) throw new Error(`no candidate ${label}`)
    return c
  }
  const cr = (label: string, scenario: string) => rowOf(cand(label), scenario)
  const shippedCand = x.candidates.find((c) => c.label.endsWith('(shipped)'))!
  const firstCand = x.candidates[0]!
  const metIn = (c: CandidateResult) =>
    ROUND_ATTACKS.filter((n) => rowOf(c, n).meetsCost && rowOf(c, n).meetsShare)
  const minCost = (c: CandidateResult) =>
    Math.min(...ROUND_ATTACKS.map((n) => rowOf(c, n).costPerExtraTopDayGrants))
  const heldShipped = x.heldOut.find((c) => c.label === 'shipped')!
  const heldFirst = x.heldOut.find((c) => c.label === 'first recommendation')!
  const held = (label: string) => x.heldOut.find((c) => c.label === label)!
  const heldRunnerUp = held(RUNNER_UP)
  const shareOf = (s: ScenarioSummary[], name: string, feed: 'curia' | 'likes' | 'stake' = 'curia') =>
    avg(pick(s, name).runs.map((r) => r[feed].attackerShare))
  const costOf = (s: ScenarioSummary[], name: string) => pooled(pick(s, name))
  const lowOf = (s: ScenarioSummary[], feed: 'curia' | 'likes' | 'stake' = 'curia') =>
    avg(pick(s, 'honest').runs.map((r) => r[feed].lowQualityShare))
  const lostOf = (s: ScenarioSummary[], name: string) =>
    avg(pick(s, name).runs.map((r) => r.curia.attackerLostGrants))
  const endorsedOf = (s: ScenarioSummary[], name: string) =>
    avg(pick(s, name).runs.map((r) => r.curia.jury.attackerEndorsed))
  const sampledOf = (s: ScenarioSummary[], name: string) =>
    avg(pick(s, name).runs.map((r) => r.curia.jury.attackerSampled))
  const eligibleOf = (s: ScenarioSummary[]) => avg(pick(s, 'honest').runs.map((r) => r.curia.jury.eligible))
  const juryOf = (s: ScenarioSummary[], f: (j: CuriaMetrics['jury']) => number) =>
    avg(pick(s, 'honest').runs.map((r) => f(r.curia.jury)))
  const medianImprOf = (s: ScenarioSummary[]) =>
    avg(pick(s, 'honest').runs.map((r) => r.curia.medianImpressionsInFeed))
  const mmOf = (s: ScenarioSummary[]) =>
    avg(pick(s, 'honest').runs.map((r) => r.curia.marketMakerLossCredits))
  const votesOf = (s: ScenarioSummary[]) =>
    avg(pick(s, 'honest').runs.map((r) => r.curia.jury.meanVotesPerSampled))
  const voidOf = (s: ScenarioSummary[]) => avg(pick(s, 'honest').runs.map((r) => r.curia.jury.voidRate))
  const farmRuns = pick(x.shipped, 'farm-100').runs
  const farmClose = {
    raw: avg(farmRuns.map((r) => r.curia.attackerClosePrice.raw)),
    robust: avg(farmRuns.map((r) => r.curia.attackerClosePrice.robust)),
    robustAboveRawShare: avg(farmRuns.map((r) => r.curia.attackerClosePrice.robustAboveRawShare)),
  }
  const sweep = (key: string) => x.sweeps.find((s) => s.spec.key === key)!
  /** A sweep's point at a value (the values are in sweep.ts). */
  const pt = (key: string, value: number) => {
    const found = sweep(key).points.find((p) => p.value === value)
    if (!found) throw new Error(`sweep ${key} has no point ${value}`)
    return found
  }
  /** The sweep point with the largest f (ties: the first). */
  const bestOf = (key: string, f: (p: SweepResult['points'][number]) => number) =>
    sweep(key).points.reduce((best, p) => (f(p) > f(best) ? p : best))
  const juryCell = (assignment: string, cartel: number, votes: number) => {
    const g = x.juryGrid.find((j) => j.assignment === assignment)!
    const row = g.rows.find((r) => r.cartel === cartel)!
    return row.results[x.voteCounts.indexOf(votes)]!
  }
  const ATTACKS = [
    'whale-30',
    'farm-100',
    'whale-30+farm-100',
    'whale+farm+cartel-20',
    'whale+farm+cartel-20, free choice',
  ]
  const meets = (s: ScenarioSummary[], name: string) => ({
    share: shareOf(s, name) <= 0.05,
    cost: costOf(s, name) >= 100,
  })
  const shippedAttacks = ATTACKS.filter((n) => !n.endsWith('free choice'))
  const missedShare = shippedAttacks.filter((n) => !meets(x.shipped, n).share)
  const missedCost = shippedAttacks.filter((n) => !meets(x.shipped, n).cost)
  const listNames = (names: string[]) => names.map((n) => `\`${n}\``).join(', ')
  const withCostOf = (s: ScenarioSummary[], names: string[]) =>
    names.map((n) => `\`${n}\` (${num(costOf(s, n))})`).join(', ')
  const withCost = (names: string[]) => withCostOf(x.shipped, names)
  const verdictLine =
    missedShare.length === 0 && missedCost.length === 0
      ? `**Verdict.** Under the shipped config every attack (${listNames(shippedAttacks)}) meets both targets.`
      : `**Verdict.** Under the shipped config the attacker-share target (≤ 5%) is ${missedShare.length === 0 ? 'met in every attack scenario' : `missed in ${listNames(missedShare)}`}; the cost target (≥ 100 grants per extra post-day) is ${missedCost.length === 0 ? 'met in every attack scenario' : `missed in ${withCost(missedCost)} and met in ${withCost(shippedAttacks.filter((n) => !missedCost.includes(n)))}`}. Under the first recommendation (what shipped before the second round) ${shippedAttacks.filter((n) => !meets(x.first, n).share || !meets(x.first, n).cost).length} of ${shippedAttacks.length} missed a target${
          shippedAttacks.some((n) => !meets(x.first, n).cost)
            ? ` (the cost target in ${withCostOf(
                x.first,
                shippedAttacks.filter((n) => !meets(x.first, n).cost),
              )})`
            : ''
        }; under the previous defaults ${ATTACKS.filter((n) => !meets(x.previous, n).share || !meets(x.previous, n).cost).length} of ${ATTACKS.length} attack rows missed a target.`
  const LIQ = [100, 1000, 2000, 3000]
  const PRIORS = [0.2, 0.3, 0.4, 0.5]
  const HALF_LIVES = [3, 6, 8, 12, 24]
  const grantRatio =
    (P.market.startingGrantCredits + P.market.humanGrantCredits) / P.market.startingGrantCredits

  const juryTableMd = x.juryGrid
    .map((g) => {
      const head = `| cartel share | ${x.voteCounts.map((v) => `${v} votes`).join(' | ')} |\n| ---: | ${x.voteCounts.map(() => '---:').join(' | ')} |`
      const body = g.rows
        .map(
          (row) =>
            `| ${pct(row.cartel)} | ${row.results.map((r) => `${pct(r.attackerRejected)} / ${pct(r.honestAccuracy)}`).join(' | ')} |`,
        )
        .join('\n')
      return `**${g.assignment === 'free' ? 'Jurors choose which sampled posts to judge (before assignment)' : 'Posts assigned to ballots by a hash of the round nullifier (what ships)'}** — attacker posts rejected / honest posts judged correctly:\n\n${head}\n${body}`
    })
    .join('\n\n')

  const FIRST = firstCand.label
  const honestOf = (label: string) => cr(label, 'honest')
  /** "worse honest world" for a candidate: more low-quality and more unaided attacker share than before the round. */
  const worsensHonest = (label: string) =>
    honestOf(label).lowQualityShare > honestOf(FIRST).lowQualityShare &&
    honestOf(label).attackerShare > honestOf(FIRST).attackerShare
  const move = (
    label: string,
    scenario: string,
    f: (r: EvaluationRow) => number,
    fmt: (v: number) => string,
  ) => `${fmt(f(cr(FIRST, scenario)))} → ${fmt(f(cr(label, scenario)))}`
  const costMove = (label: string, scenario: string) =>
    move(
      label,
      scenario,
      (r) => r.costPerExtraTopDayGrants,
      (v) => num(v),
    )
  const shareMove = (label: string, scenario: string) => move(label, scenario, (r) => r.attackerShare, pct)
  const lowMove = (label: string) => move(label, 'honest', (r) => r.lowQualityShare, pct)
  const referenceKnobs = ['prior 0.5', 'half-life 3 h'].filter(
    (l) =>
      worsensHonest(l) &&
      cr(l, 'farm-100').costPerExtraTopDayGrants > cr(FIRST, 'farm-100').costPerExtraTopDayGrants,
  )
  const HINTED = 'half-exposure 1,000 + prior 0.5 + half-life 3 h'
  const B2000 = 'b = 2,000'
  const LONG = 'half-life 12 h'
  const S = shippedCand.label
  const runnerUpBetter =
    minCost(cand(RUNNER_UP)) > minCost(shippedCand) &&
    honestOf(RUNNER_UP).lowQualityShare < honestOf(shippedCand.label).lowQualityShare
  const heldMisses = (c: CandidateResult) => ROUND_ATTACKS.filter((n) => !rowOf(c, n).meetsCost)
  const secondRound = `## The second round: b, prior, half-life and half-exposure

The first recommendation met the cost target in ${metIn(firstCand).length} of ${ROUND_ATTACKS.length} attack rows, by thin margins either way
(${ROUND_ATTACKS.map((n) => `\`${n}\` ${num(cr(FIRST, n).costPerExtraTopDayGrants)}`).join(', ')}), and its sweeps pointed at half-exposure
1,000, prior 0.5 and half-life 3 h as the knobs that raise the farm's cost. The second round ran them alone and
together, and the combinations they led to, on top of the first recommendation (seeds ${x.seeds.join(', ')}, Curia's feed;
cost in grants per extra top-30 post-day, ❌ below 100; \`npm run sim -- eval --set ...\` runs any other):

${candidateTable(x.candidates)}

What it found:

- ${
    referenceKnobs.length > 0
      ? `**${referenceKnobs.join(' and ').replace(/^./, (c) => c.toUpperCase())} raise${referenceKnobs.length === 1 ? 's' : ''} the cost by making the honest world worse.** The cost is
  measured against the honest run of the same config, so a knob that gives low-quality posts more top time unaided
  shrinks the "extra" the attacker buys: ${referenceKnobs.map((l) => `${l}: farm cost ${costMove(l, 'farm-100')}, but the honest low-quality share ${lowMove(l)}, the attacker's unaided share ${shareMove(l, 'honest')} and the farm's own share ${shareMove(l, 'farm-100')}`).join('; ')}.
  The attacker holds more of the feed, not less; a cost bought that way is not capture resistance, so neither was
  adopted.`
      : `**Prior 0.5 and half-life 3 h**: farm cost ${costMove('prior 0.5', 'farm-100')} and ${costMove('half-life 3 h', 'farm-100')}, honest low-quality share ${lowMove('prior 0.5')} and ${lowMove('half-life 3 h')}.`
  }
  Together with half-exposure 1,000 (${HINTED}) they meet the cost target in ${metIn(cand(HINTED)).length} of ${ROUND_ATTACKS.length} rows with
  the honest low-quality share at ${pct(honestOf(HINTED).lowQualityShare)}.
- **Half-exposure 1,000 alone** samples more of what reached the feed: farm cost ${costMove('half-exposure 1,000', 'farm-100')}, the cartel
  row ${costMove('half-exposure 1,000', 'whale+farm+cartel-20')}, honest low-quality share ${lowMove('half-exposure 1,000')}; ${metIn(cand('half-exposure 1,000')).length} of ${ROUND_ATTACKS.length} rows met.
- **A slower decay alone** (half-life 12 h): honest low-quality share ${lowMove(LONG)}, farm cost ${costMove(LONG, 'farm-100')}, the cartel
  row ${costMove(LONG, 'whale+farm+cartel-20')}; ${metIn(cand(LONG)).length} of ${ROUND_ATTACKS.length} rows met${minCost(cand(LONG)) < minCost(firstCand) ? ': a pushed post that gets into the feed stays there longer' : ''}. **Deeper markets alone** (b = 2,000): farm cost
  ${costMove(B2000, 'farm-100')}, ${metIn(cand(B2000)).length} of ${ROUND_ATTACKS.length} rows met, honest low-quality share ${lowMove(B2000)}${honestOf(B2000).lowQualityShare > honestOf(FIRST).lowQualityShare ? " (a new post's price starts at 0.5, above the prior, and moves more slowly, so a low-quality post holds an even price longer)" : ''}.
- **Together** (shipped: b = ${P.market.liquidityCredits.toLocaleString('en-US')}, prior ${P.ranking.priorPrice}, half-life ${P.ranking.halfLifeHours} h, half-exposure ${P.jury.halfExposure.toLocaleString('en-US')}) each covers
  another's fault: the deeper market makes a push expensive, the lower prior keeps an unpriced post below an even-priced
  one (so a new low-quality post does not ride its timestamp into the feed), the slower decay keeps well-priced posts
  up, and the lower half-exposure judges more of what was pushed. Cost target met in ${metIn(shippedCand).length} of ${ROUND_ATTACKS.length} rows
  (${ROUND_ATTACKS.map((n) => `\`${n}\` ${costMove(S, n)}`).join(', ')}), honest low-quality share ${lowMove(S)}, the farm's share
  ${shareMove(S, 'farm-100')}, the cartel row's ${shareMove(S, 'whale+farm+cartel-20')}.
- **What it costs.** Readers see older posts: feed age ${move(
    S,
    'honest',
    (r) => r.feedAgeHours,
    (v) => `${num(v)} h`,
  )} (this model's readers value only
  quality, so it does not count this against the config; the likes feed at the same half-life shows ${num(ageOf(x.shipped, 'likes'))} h).
  The treasury pays the market makers ${move(
    S,
    'honest',
    (r) => r.marketMakerLossCredits,
    (v) => num(v, 0),
  )} credits per run
  (×${num(honestOf(S).marketMakerLossCredits / honestOf(FIRST).marketMakerLossCredits, 2)}: LMSR's subsidy scales with b). ${
    cr(S, 'whale-30').attackerShare > cr(FIRST, 'whale-30').attackerShare
      ? `The whale's share rises a little (${shareMove(S, 'whale-30')}, against ${pct(honestOf(S).attackerShare)} for the same posts unpromoted); it ${cr(S, 'whale-30').costPerExtraTopDayGrants === Infinity ? 'still buys no extra top time' : `pays ${num(cr(S, 'whale-30').costPerExtraTopDayGrants)} grants per extra post-day`}.`
      : `The whale's share: ${shareMove(S, 'whale-30')}.`
  } ${
    ROUND_ATTACKS.map((n) => cr(S, n).costPerExtraTopDayGrants).some((c) => c > 0 && c < 150)
      ? 'The margins over the cost target are modest, not wide.'
      : ''
  }

The shipped combination was chosen on seeds ${x.seeds.join(', ')} before it was run on seeds ${x.heldOutSeeds.join(', ')}; so was the
runner-up (half-life 10 h), which ${runnerUpBetter ? 'has the larger smallest cost and the lower low-quality share on seeds ' + x.seeds.join(', ') : 'is compared on them too'}. On the new seeds:

${candidateTable(x.heldOut)}

${
  heldMisses(heldFirst).length > 0
    ? `The first recommendation's margins did not survive new worlds: it misses the cost target in ${heldMisses(
        heldFirst,
      )
        .map((n) => `\`${n}\` (${num(rowOf(heldFirst, n).costPerExtraTopDayGrants)})`)
        .join(', ')}. `
    : 'The first recommendation meets the cost target on these seeds too. '
}${
    heldMisses(heldShipped).length > 0
      ? `The shipped config misses it in ${heldMisses(heldShipped)
          .map((n) => `\`${n}\` (${num(rowOf(heldShipped, n).costPerExtraTopDayGrants)})`)
          .join(', ')}.`
      : `The shipped config meets it in every row (smallest ${num(minCost(heldShipped))} grants): thinly, so "met" stays "met in this world".`
  } ${
    heldMisses(heldRunnerUp).length > 0
      ? `The runner-up misses it in ${heldMisses(heldRunnerUp)
          .map((n) => `\`${n}\` (${num(rowOf(heldRunnerUp, n).costPerExtraTopDayGrants)})`)
          .join(', ')}${
          heldMisses(heldRunnerUp).length > heldMisses(heldShipped).length
            ? `: ${x.seeds.length} seeds were not enough to tell the two apart, and the half-life that holds on both sets ships`
            : ''
        }.`
      : 'The runner-up meets it too.'
  }

Two alternatives, on both sets of seeds (attack rows meeting the cost target, out of ${ROUND_ATTACKS.length}, on seeds ${x.seeds.join(', ')} / ${x.heldOutSeeds.join(', ')}):

- **Prior 0.4 with the rest** (${FRESHER}): ${metIn(cand(FRESHER)).length} / ${metIn(held(FRESHER)).length} rows met against the shipped ${metIn(shippedCand).length} / ${metIn(heldShipped).length};
  honest low-quality share ${pct(honestOf(FRESHER).lowQualityShare)} against ${pct(honestOf(S).lowQualityShare)}, feed age ${num(honestOf(FRESHER).feedAgeHours)} h against
  ${num(honestOf(S).feedAgeHours)} h. Prior ${P.ranking.priorPrice} takes ${num((honestOf(FRESHER).lowQualityShare - honestOf(S).lowQualityShare) * 100)} points off the low-quality share at the price of
  ${num(honestOf(S).feedAgeHours - honestOf(FRESHER).feedAgeHours)} h of freshness; a deployment whose readers value freshness more than this model's do can set
  \`CURIA_RANK_PRIOR_PRICE=0.4\`.
- **Trader minimum 5** on top of the shipped config (its own sweep below looks good): ${metIn(cand(MIN_TRADERS_5)).length} / ${metIn(held(MIN_TRADERS_5)).length} rows met,
  smallest cost ${num(minCost(cand(MIN_TRADERS_5)))} / ${num(minCost(held(MIN_TRADERS_5)))} against the shipped ${num(minCost(shippedCand))} / ${num(minCost(heldShipped))}, honest low-quality
  share ${pct(honestOf(MIN_TRADERS_5).lowQualityShare)}, feed age ${num(honestOf(MIN_TRADERS_5).feedAgeHours)} h.${
    minCost(cand(MIN_TRADERS_5)) < minCost(shippedCand) || minCost(held(MIN_TRADERS_5)) < minCost(heldShipped)
      ? ' Not a clear gain over 3 on both sets, so 3 stays.'
      : ''
  }
`

  return `# Capture resistance, measured

Generated by \`npm run sim -- report\` (sim/src/report.ts); do not edit by hand. Every number below comes from a
seeded, deterministic run of Curia's production core: the LMSR and the trade decision
(\`curation/src/market/lmsr.ts\`, \`trade.ts\`: every fill, cap, slippage bound and rounding), the ranking
(\`curation/src/ranking/market-rank.ts\`: robust price, trader minimum, freshness, exploration), the jury
(${JURY_CORE_SOURCE}: seed mixing with a beacon, exposure-weighted sampling with a floor and a capacity, each
ballot's posts assigned by a hash of the juror's round nullifier, tally with a quorum) and settlement
(${SETTLEMENT_CORE_SOURCE}: winning shares pay 1 credit; void or unsampled undoes the market). The simulator supplies
only the people (and, having no Semaphore proofs, a hash of (seed, round, juror) as each juror's round nullifier).
Scenario tables average seeds ${x.seeds.join(', ')}; sweeps average seeds ${x.sweepSeeds.join(', ')}. ${x.runCount}
simulated runs in all; credits were conserved exactly (sum of balances + escrows + treasury = minted, in integer
micro-credits) at all ${x.conservationChecks.toLocaleString('en-US')} hourly checks of the scenario runs (and at every
hour of every sweep run: a run that breaks it throws).

**What is measured.** *Shipped* is Curia's default configuration today: what this report recommends, adopted in
two rounds (the simulator's defaults are Curia's own constants, checked by
\`sim/test/shipped.test.ts\`): b = ${P.market.liquidityCredits.toLocaleString('en-US')}
credits, position cap ${P.market.positionCapShares.toLocaleString('en-US')} shares, starting grant
${P.market.startingGrantCredits.toLocaleString('en-US')} plus a verified-human grant of
${P.market.humanGrantCredits.toLocaleString('en-US')}, the robust price leaving out the top net-YES and the top net-NO
position, prior ${P.ranking.priorPrice}, freshness half-life ${P.ranking.halfLifeHours} h, exploration ${pct(P.ranking.explorationShare)}, jury capacity ${P.jury.capacity},
half-exposure ${P.jury.halfExposure.toLocaleString('en-US')}, quorum ${P.jury.quorum}, and ${P.jury.postsPerBallot}
posts per ballot assigned by nullifier. *First recommendation* is what shipped from this report's first
recommendation until the second round (the section of that name): the same but b = ${F.market.liquidityCredits.toLocaleString('en-US')}, prior
${F.ranking.priorPrice}, half-life ${F.ranking.halfLifeHours} h and half-exposure ${F.jury.halfExposure.toLocaleString('en-US')}. *Previous defaults* is what Curia shipped before it adopted this report's
recommendations (b = ${Q.market.liquidityCredits}, cap ${Q.market.positionCapShares}, no verified-human grant, the
single largest position left out, prior ${Q.ranking.priorPrice}, half-life ${Q.ranking.halfLifeHours} h, exploration ${pct(Q.ranking.explorationShare)},
capacity ${Q.jury.capacity}, half-exposure ${Q.jury.halfExposure.toLocaleString('en-US')}, every ballot covering the
whole sample so a juror chooses what to judge): the counterfactual that shows what the change bought.

## Targets

${targetsTable([
  { label: 'shipped', summaries: x.shipped },
  { label: 'first recommendation', summaries: x.first },
  { label: 'previous defaults', summaries: x.previous },
])}

*Cost per extra post-day*: the attacker's credits lost (in starting grants), divided by the post-days its posts spent
in the top 30 beyond what the same posts got in the honest run of the same seed (low-quality posts get some top time
unaided: exploration slots, a lucky first trader), pooled over seeds (total lost / total extra). ∞ means the attacker
lost credits and bought no extra top time at all; a negative cost means capture paid. The last row of each config,
\`free choice\`, is the counterfactual jury: the cartel votes on every attacker post, as it could before ballots were
assigned (under the previous defaults both cartel rows are that jury, hence identical).

${verdictLine}

What the table says:

- **The whale alone cannot capture the feed.** With 30% of all curator credits it takes
  ${pct(shareOf(x.shipped, 'whale-30'))} of top-30 impressions (shipped; ${pct(shareOf(x.shipped, 'honest'))} is what
  the same posts get unpromoted), because the robust price leaves out the top position on each side and the position
  cap bounds what one account can hold. The same whale on the stake-weighted feed takes
  ${pct(shareOf(x.shipped, 'whale-30', 'stake'))} of impressions for nothing. Money without accounts buys little in
  Curia; the attack that works is accounts.
- **The farm is the real threat${meets(x.shipped, 'farm-100').share && meets(x.shipped, 'farm-100').cost ? ', and the shipped config holds it' : meets(x.shipped, 'farm-100').share ? '; the shipped config keeps it out of the feed but does not make it pay the target' : ''}.** 100 fresh accounts with the starting grant each
  take ${pct(shareOf(x.shipped, 'farm-100'))} of top-30 impressions (target ≤ 5%) and pay
  ${num(costOf(x.shipped, 'farm-100'))} grants per extra post-day (target ≥ 100). Under the previous defaults the same
  farm took ${pct(shareOf(x.previous, 'farm-100'))} for ${num(costOf(x.previous, 'farm-100'))} grants per extra
  post-day. On the likes feed it takes ${pct(shareOf(x.shipped, 'farm-100', 'likes'))} (a like costs nothing).
- **Assignment takes the cartel's profit away.** When jurors choose what to judge (\`free choice\`), a cartel of 20% of
  the jury votes on every attacker post: ${num(endorsedOf(x.shipped, 'whale+farm+cartel-20, free choice'))} of the
  ${num(sampledOf(x.shipped, 'whale+farm+cartel-20, free choice'))} attacker posts sampled per run are endorsed and the
  attacker ends ${lostOf(x.shipped, 'whale+farm+cartel-20, free choice') < 0 ? '*ahead*' : 'down'}
  (${num(lostOf(x.shipped, 'whale+farm+cartel-20, free choice'))} grants lost; negative is a gain), even with the
  shipped market settings. With the shipped assignment the same cartel gets about its share of each post's votes:
  ${num(endorsedOf(x.shipped, 'whale+farm+cartel-20'))} of ${num(sampledOf(x.shipped, 'whale+farm+cartel-20'))}
  endorsed, ${num(lostOf(x.shipped, 'whale+farm+cartel-20'))} grants lost, ${num(costOf(x.shipped, 'whale+farm+cartel-20'))}
  grants per extra post-day.

Why the 100-grant target is hard: a void or unsampled market refunds every net spend, so an attacker pays only when
its post is sampled *and* rejected; what it can lose then is bounded by the position cap times its number of
accounts, and the position cap also bounds how hard honest curators can push back. The cost of capture is therefore
set by (a) the sampling probability of a post that was pushed up the feed, (b) how much honest money stands against
the farm (the verified-human grant: the farm gets only the starting grant), (c) how much that money can express
(b and the position cap), and (d) whether the jury that samples it can be concentrated (assignment). The shipped
config moves all four. The cost is also measured *against* the honest run, so a config that gives low-quality posts
more top time unaided makes each extra post-day look dearer without making capture harder (the second round below
shows two such knobs). The smallest cost among the shipped attack rows is ${num(Math.min(...shippedAttacks.map((n) => costOf(x.shipped, n))))} grants on seeds
${x.seeds.join(', ')} and ${num(minCost(heldShipped))} on the held-out seeds ${x.heldOutSeeds.join(', ')}: treat "met" as "met in this world", not as a
guarantee.

On the honest world (no attacker), low-quality posts take ${pct(lowOf(x.shipped))} of Curia's top-30 impressions with
the shipped config (${pct(lowOf(x.first))} with the first recommendation, ${pct(lowOf(x.previous))} with the previous
defaults), against ${pct(lowOf(x.shipped, 'likes'))} on the likes feed and ${pct(lowOf(x.shipped, 'stake'))} on the
stake-weighted feed: in this world likes track perceived quality exactly and nobody games them, which is the likes
feed's best case (see the limits below); Curia pays for its capture resistance with exploration slots and prices
that take a few trades to form. What readers see is ${num(ageOf(x.shipped))} h old on average, impression-weighted
(${num(ageOf(x.first))} h with the first recommendation; the likes feed, with the same half-life, ${num(ageOf(x.shipped, 'likes'))} h).

![attacker share](${x.attackerPng})

![low-quality share](${x.lowPng})

![farm timeline](${x.timePng})

${secondRound}
## The world and the people

- **Posts**: ${P.world.honestPostsPerHour} honest posts an hour (Poisson), hidden quality q ~ Beta(2, 2); the jury's
  line is q = 0.5 ("low quality" means q < 0.5). The attacker posts one post every ${P.world.attackerPostEveryHours} h
  with q uniform in [${P.world.attackerQuality.join(', ')}] during the first ${P.world.postingHours} h. Honest posts
  keep arriving until the run ends, so the feed is as full at the end as at the start; metrics count hours
  ${P.world.warmupHours}–${P.world.postingHours + P.market.windowHours}. Every post gets a market (the candidate policy
  with a zero threshold); markets close ${P.market.windowHours} h after the post; a jury round runs every 24 h on the
  markets that closed since the last, and settles them.
- **Honest curators** (${P.curators.count}): each perceives a post's quality with private Gaussian noise (σ spread
  evenly from ${P.curators.noise[0]} to ${P.curators.noise[1]} across curators), believes P(endorse) =
  Φ((signal − 0.5)/σ), and visits with probability ${P.curators.activePerHour} an hour, looking at
  ${P.curators.looksPerVisit} posts (${pct(P.curators.discoveryShare)} from the newest markets, the rest from the feed
  by the readers' attention curve). It trades toward a target that blends its belief with the displayed price (log-odds
  weight ${P.curators.priceTrust} per trader so far, at most ${P.curators.maxPriceWeight}), staking fractional Kelly
  (×${P.curators.kellyMultiplier}, at most ${pct(P.curators.riskFraction)} of its balance), only when the gap exceeds
  ${P.curators.edge}, through the real quotes and \`decideTrade\` (balance, cap, slippage bound). Each holds the
  starting grant plus the verified-human grant.
- **The whale**: one account holding a share of all curator credits (30% in the scenarios), buying YES on the
  attacker's posts up to the cap. **The farm**: fresh accounts with the starting grant each (no verified-human
  grant: they are not verified humans); the attacker first gets a market past the trader minimum with 1-credit buys
  from distinct accounts, then buys YES account after account until the ranking's robust price reaches
  ${P.attacker.pushTo}. **The cartel**: a share of the jury that always endorses attacker posts on its ballots and
  judges others honestly. **Lazy jurors** (${pct(P.jury.lazyShare)} by default) vote at random.
- **Jurors** (${P.jury.jurors}): an honest juror perceives q with noise σ = ${P.jury.noise} and endorses above 0.5;
  each casts a ballot with probability ${P.jury.participation} (the cartel always does). A ballot covers the
  ${P.jury.postsPerBallot} sampled posts production's \`assignBallotPosts\` gives the juror's round nullifier (all of
  them when fewer were sampled). In the \`free choice\` counterfactual the cartel puts every sampled attacker post on
  its ballots instead and fills the rest from its assignment.
- **Readers**: ${P.readers.perHour} sessions an hour view the top ${P.ranking.depth}; position r is seen with
  probability 0.5^(r/${P.readers.attentionHalfLifeRanks}). Impressions are the expected counts; they become the
  markets' exposure, which drives sampling.
- **Baselines on the same world**: a likes feed (score log2(2 + likes) × freshness; readers like with probability
  ${P.readers.likeRate} × Φ((q − 0.5)/${P.readers.noise}); each post gets ${P.readers.followerViews} follower views
  outside the feed; every farm account likes every attacker post), and a Steem-style feed (score = sum of the stake of
  upvoters × freshness; curators upvote what they believe the jury would endorse, weighted by their credits; the whale
  and farm upvote their posts with all they hold; voting spends nothing).

## All scenarios (shipped config)

${x.shipped.map((s) => `- **${s.name}**: ${s.description}`).join('\n')}

${scenarioTable(x.shipped)}

### With the previous defaults

${scenarioTable(x.previous)}

## The jury

${juryTable(x.shipped)}

Previous defaults:

${juryTable(x.previous)}

Quorum and assignment, shipped config (honest world): a run has ${num(
    juryOf(x.shipped, (j) => j.rounds),
    0,
  )} daily
rounds sampling ${num(
    juryOf(x.shipped, (j) => j.sampledPerRound),
    0,
  )} posts each on average, with
${num(
  juryOf(x.shipped, (j) => j.ballotsPerRound),
  0,
)} ballots a round (${P.jury.jurors} jurors,
${pct(P.jury.participation)} turnout) of ${P.jury.postsPerBallot} posts each. With J ballots, k posts per ballot and n
sampled posts a post expects J × k / n votes: ${num(juryOf(x.shipped, (j) => j.expectedVotesPerSampled))} here (every
simulated vote is endorse or reject, so this is also the measured mean, ${num(votesOf(x.shipped))} on the scored
posts), ${juryOf(x.shipped, (j) => j.expectedVotesPerSampled) >= 3 * P.jury.quorum ? 'far above' : juryOf(x.shipped, (j) => j.expectedVotesPerSampled) >= P.jury.quorum ? 'above' : 'below'} the
quorum of ${P.jury.quorum}; ${pct(voidOf(x.shipped))} of sampled honest markets went void. Before assignment a ballot
covered the whole sample but a juror judged only what it chose and abstained on the rest (the simulator's honest
jurors judge ${P.jury.postsPerBallot} posts in both cases), so votes per post were J × k / n then too
(${num(votesOf(x.previous))} with the previous defaults: capacity ${Q.jury.capacity}, fewer posts per round): what
assignment changes is who picks a ballot's posts, not how many votes a post gets. The posts-per-ballot sweep below
shows what k does.

### Accuracy against sample size and cartel share

Ballots drawn from the juror model above and tallied by production's \`verdictOf\` (quorum ${P.jury.quorum}; 10% lazy
jurors; 4,000 posts per cell, half of them attacker posts).

${juryTableMd}

![jury, free choice](${x.juryPngs[0]}) ![jury, assigned](${x.juryPngs[1]})

With free choice, a cartel of ${pct(0.2)} of a ${P.jury.jurors}-juror pool casts ${Math.round(0.2 * P.jury.jurors)}
endorsements on every attacker post it likes, against the handful of honest votes a post gets: it wins unless each
post draws far more votes than that (with 45 votes per post it still carries
${pct(1 - juryCell('free', 0.2, 45).attackerRejected)} of attacker posts). Assigned by nullifier, a 20% cartel is a
minority on every post: at 15 votes ${pct(juryCell('nullifier', 0.2, 15).attackerRejected)} of attacker posts are
rejected; a larger cartel still carries some (at 15 votes, ${pct(1 - juryCell('nullifier', 0.3, 15).attackerRejected)} of
attacker posts at 30% and ${pct(1 - juryCell('nullifier', 0.4, 15).attackerRejected)} at 40%), so assignment bounds a
cartel's reach by its size instead of letting it concentrate. This is what ships (\`curation/src/jury/assignment.ts\`):
a ballot must cover exactly the ${P.jury.postsPerBallot} posts with the smallest
sha256(tag | mixed seed | nullifier | post), the server refuses anything else (\`wrong_assignment\`), and the offline
verifier re-checks it; the nullifier is already public in the proof, so the check learns nothing about the juror.

## Curators' calibration

${calibrationTable(x.shipped)}

Previous defaults:

${calibrationTable(x.previous)}

![calibration](${x.calibrationPng})

${skillSentence([...x.shipped, ...x.previous], 'shipped and previous defaults')} The market-maker loss is what the treasury pays for the information
(LMSR's subsidy, at most b ln 2 per market): ${num(mmOf(x.shipped), 0)} credits per run shipped (b =
${P.market.liquidityCredits.toLocaleString('en-US')}; ${num(mmOf(x.shipped) / Math.max(1, eligibleOf(x.shipped)), 0)} per
settled market against a worst case of ${num(P.market.liquidityCredits * Math.LN2, 0)}), ${num(mmOf(x.first), 0)} with the
first recommendation (b = ${F.market.liquidityCredits.toLocaleString('en-US')}), ${num(mmOf(x.previous), 0)} with the
previous defaults (b = ${Q.market.liquidityCredits}).

## Sweeps

One knob at a time around the shipped config (its row is marked), against the honest world, the whale (30%) and the
farm (100 accounts), seeds ${x.sweepSeeds.join(', ')}. "Cost per extra post-day" is ∞ when the farm bought no extra
top-30 time.

${x.sweeps
  .map(
    (s, i) => `### ${s.spec.label}${s.spec.envVar ? ` (\`${s.spec.envVar}\`)` : ''}

${sweepTable(s)}

![${s.spec.key} shares](${x.sweepPngs[i]!.shares}) ![${s.spec.key} cost](${x.sweepPngs[i]!.cost})
`,
  )
  .join('\n')}

## Shipped defaults, and why

Curia ships what this report recommended (the table lists each variable's default today, under the first
recommendation, and before either):

| variable | shipped (= recommended) | first recommendation | previous default | why |
| --- | --- | --- | --- | --- |
${ENV_SETTINGS.map((e) => `| \`${e.name}\` | ${e.shipped} | ${e.firstRound} | ${e.previous} | ${e.note} |`).join('\n')}

Plus two rules in code: the robust price leaves out the largest net-YES **and** the largest net-NO position
(\`each-side\`; sweep: farm share ${pct(pt('leaveOut', 0).farmAttackerShare)} with the single largest left out,
${pct(pt('leaveOut', 1).farmAttackerShare)} shipped; honest low-quality share ${pct(pt('leaveOut', 0).honestLowQualityShare)}
→ ${pct(pt('leaveOut', 1).honestLowQualityShare)}), and ballots are assigned by nullifier (the jury section).

Does each shipped value still hold up in its own sweep (around today's config)? The best point of each sweep for the
two quantities the targets care about, next to the shipped one:

${holdUpTable(x.sweeps)}

Reasoning, knob by knob (numbers from the sweeps above, all other knobs shipped):

1. **The verified-human grant is the lever that makes a farm small.** A farm of fresh DIDs gets only the starting
   grant; verified humans get the faucet grant once each. At ${P.market.humanGrantCredits.toLocaleString('en-US')}
   (${num(grantRatio, 0)}× the starting grant in all) the honest side outweighs a 100-account farm. Sweep, no grant →
   shipped: farm share ${pct(pt('humanGrant', 0).farmAttackerShare)} → ${pct(pt('humanGrant', P.market.humanGrantCredits).farmAttackerShare)},
   farm cost per extra post-day ${num(pt('humanGrant', 0).farmCostPerExtraTopDayGrants)} →
   ${num(pt('humanGrant', P.market.humanGrantCredits).farmCostPerExtraTopDayGrants)} grants, honest low-quality share
   ${pct(pt('humanGrant', 0).honestLowQualityShare)} → ${pct(pt('humanGrant', P.market.humanGrantCredits).honestLowQualityShare)}.
   It works only with the rules that let money express itself (b, the cap) and with the each-side leave-out: with
   the single-largest rule a rich first trader is the one removed, which inverted the ranking in this report's first
   version.
2. **b = ${P.market.liquidityCredits.toLocaleString('en-US')}**: on the scale of a verified curator's bankroll, so each
   trade moves the price part of the way and the price becomes a wealth-weighted average of curators' beliefs rather
   than the last trader's; it also makes pushing a price up expensive for the farm. Sweep (with today's prior and
   half-life), b = ${LIQ.map((v) => v.toLocaleString('en-US')).join(' → ')}: farm share ${LIQ.map((v) => pct(pt('liquidity', v).farmAttackerShare)).join(' → ')},
   farm cost ${LIQ.map((v) => num(pt('liquidity', v).farmCostPerExtraTopDayGrants)).join(' → ')} grants, honest low-quality share
   ${LIQ.map((v) => pct(pt('liquidity', v).honestLowQualityShare)).join(' → ')}, and the treasury's market-maker loss
   ${LIQ.map((v) => num(pt('liquidity', v).honestMarketMakerLoss, 0)).join(' → ')} credits per run (credits the treasury mints into
   curators' hands for pricing posts: fund it accordingly).${
     pt('liquidity', 3000).farmCostPerExtraTopDayGrants >
       pt('liquidity', P.market.liquidityCredits).farmCostPerExtraTopDayGrants &&
     pt('liquidity', 3000).honestLowQualityShare >
       pt('liquidity', P.market.liquidityCredits).honestLowQualityShare
       ? ` 3,000 makes capture costlier still, but prices too sluggish for the honest feed and the subsidy larger: ${P.market.liquidityCredits.toLocaleString('en-US')} is the compromise.`
       : ''
   }${
     pt('liquidity', 1000).honestLowQualityShare <
       pt('liquidity', P.market.liquidityCredits).honestLowQualityShare &&
     pt('liquidity', 1000).farmCostPerExtraTopDayGrants < 100
       ? ` 1,000 shows readers less low-quality content in this sweep but lets the farm through at ${num(pt('liquidity', 1000).farmCostPerExtraTopDayGrants)} grants per extra post-day.`
       : ''
   }${
     honestOf(B2000).lowQualityShare > honestOf(FIRST).lowQualityShare &&
     honestOf(S).lowQualityShare < honestOf(FIRST).lowQualityShare
       ? ` b = 2,000 on its own (with the first recommendation's prior and half-life) raised the honest low-quality share; with prior ${P.ranking.priorPrice} and half-life ${P.ranking.halfLifeHours} h it lowers it (the second round).`
       : ''
   }
3. **Position cap ${P.market.positionCapShares.toLocaleString('en-US')} shares**: with b = ${P.market.liquidityCredits.toLocaleString('en-US')} a 300-share cap lets an
   honest curator move a price by only a few points; farm accounts, with 1,000 credits each, cannot use a larger cap,
   so raising it helps only the side with money. Sweep, 300 → 3,000 → 10,000: farm cost
   ${num(pt('positionCap', 300).farmCostPerExtraTopDayGrants)} → ${num(pt('positionCap', 3000).farmCostPerExtraTopDayGrants)} →
   ${num(pt('positionCap', 10000).farmCostPerExtraTopDayGrants)} grants, whale share
   ${pct(pt('positionCap', 300).whaleAttackerShare)} → ${pct(pt('positionCap', 3000).whaleAttackerShare)} →
   ${pct(pt('positionCap', 10000).whaleAttackerShare)}. The leave-out rule, not the cap, is what stops a whale.
4. **Prior ${P.ranking.priorPrice}**: a market below the trader minimum ranks at the prior; at 0.5 (a new market's own
   price) a brand-new post with a fresh timestamp outranks consensus-good posts a few hours old. Sweep, prior
   ${PRIORS.join(' → ')}: honest low-quality share ${PRIORS.map((v) => pct(pt('prior', v).honestLowQualityShare)).join(' → ')}, feed age
   ${PRIORS.map((v) => num(pt('prior', v).honestFeedAgeHours)).join(' → ')} h, farm share ${PRIORS.map((v) => pct(pt('prior', v).farmAttackerShare)).join(' → ')}, farm
   cost per extra post-day ${PRIORS.map((v) => num(pt('prior', v).farmCostPerExtraTopDayGrants)).join(' → ')} grants.${
     pt('prior', 0.5).farmCostPerExtraTopDayGrants >
     pt('prior', P.ranking.priorPrice).farmCostPerExtraTopDayGrants
       ? ` A higher prior raises the cost per post-day while ${pt('prior', 0.5).farmAttackerShare >= pt('prior', P.ranking.priorPrice).farmAttackerShare ? "the farm's share does not fall" : "the farm's share falls only a little"}: unpriced low-quality posts get more top time unaided, which is the reference the cost is measured against. ${P.ranking.priorPrice} favours what readers see.`
       : ''
   }
5. **Exploration ${pct(P.ranking.explorationShare)}**: exploration slots go to young markets regardless of price, so
   about half of what they show is low quality; with a markets page and active curators, 10% keeps new posts priced
   (sweep, 20% → 10%: honest low-quality share ${pct(pt('exploration', 0.2).honestLowQualityShare)} →
   ${pct(pt('exploration', 0.1).honestLowQualityShare)}).
6. **Jury capacity ${P.jury.capacity} and half-exposure ${P.jury.halfExposure.toLocaleString('en-US')}**: the sample is
   what makes capture cost anything (an unsampled market refunds the attacker). A pumped post collects impressions,
   so exposure-weighted sampling judges it more often than a post nobody saw (p_min). Sweep, half-exposure 1,000 →
   3,000 → 100,000: farm P(sampled) ${num(pt('halfExposure', 1000).farmJuryAttackerSampleProbability, 2)} →
   ${num(pt('halfExposure', 3000).farmJuryAttackerSampleProbability, 2)} → ${num(pt('halfExposure', 100000).farmJuryAttackerSampleProbability, 2)},
   farm cost ${num(pt('halfExposure', 1000).farmCostPerExtraTopDayGrants)} → ${num(pt('halfExposure', 3000).farmCostPerExtraTopDayGrants)} →
   ${num(pt('halfExposure', 100000).farmCostPerExtraTopDayGrants)} grants, votes per sampled post
   ${num(pt('halfExposure', 1000).honestVotesPerSampled)} → ${num(pt('halfExposure', 3000).honestVotesPerSampled)} →
   ${num(pt('halfExposure', 100000).honestVotesPerSampled)}. ${
     bestOf('halfExposure', (p) => p.farmCostPerExtraTopDayGrants).value !== P.jury.halfExposure
       ? `Around today's config ${bestOf('halfExposure', (p) => p.farmCostPerExtraTopDayGrants).value.toLocaleString('en-US')} makes the farm pay most in this sweep, ${P.jury.halfExposure.toLocaleString('en-US')} ships: the sweep's seeds are two, the second round's candidates three plus five held out, and the cost is noisy between neighbouring points.`
       : `The shipped value makes the farm pay most in this sweep.`
   } The first recommendation's 3,000 came from sweeps around the previous defaults, where the capacity of 50 bound;
   with the capacity at 100 a lower half-exposure samples more of what reached the feed (the median such post has
   ${num(medianImprOf(x.shipped), 0)} impressions here), at the price of fewer votes per sampled post. Capacity 50 → 100 → 200: farm cost ${num(pt('capacity', 50).farmCostPerExtraTopDayGrants)} →
   ${num(pt('capacity', 100).farmCostPerExtraTopDayGrants)} → ${num(pt('capacity', 200).farmCostPerExtraTopDayGrants)} grants,
   votes per sampled post ${num(pt('capacity', 50).honestVotesPerSampled)} → ${num(pt('capacity', 100).honestVotesPerSampled)} →
   ${num(pt('capacity', 200).honestVotesPerSampled)}${
     pt('capacity', 100).farmCostPerExtraTopDayGrants === pt('capacity', 200).farmCostPerExtraTopDayGrants &&
     pt('capacity', 100).honestVotesPerSampled === pt('capacity', 200).honestVotesPerSampled
       ? `: 100 and 200 give identical runs, because at this traffic a round samples about ${num(
           juryOf(x.shipped, (j) => j.sampledPerRound),
           0,
         )} posts and the capacity does not bind; 50 does, and judges fewer pushed posts`
       : `: a round samples about ${num(
           juryOf(x.shipped, (j) => j.sampledPerRound),
           0,
         )} posts on average here, so at ${P.jury.capacity} the capacity binds in some rounds; 50 binds in all and judges fewer pushed posts`
   }. Half-exposure and capacity are in impressions and posts: scale them with traffic.
7. **${P.jury.postsPerBallot} posts per ballot**: with J ballots, k posts each and n sampled posts, a post expects
   J × k / n votes. Sweep, k = 4 → 12 → 36: votes per sampled post ${num(pt('postsPerBallot', 4).honestVotesPerSampled)} →
   ${num(pt('postsPerBallot', 12).honestVotesPerSampled)} → ${num(pt('postsPerBallot', 36).honestVotesPerSampled)}, honest
   accuracy ${pct(pt('postsPerBallot', 4).honestJuryAccuracy)} → ${pct(pt('postsPerBallot', 12).honestJuryAccuracy)} →
   ${pct(pt('postsPerBallot', 36).honestJuryAccuracy)}, void rate ${pct(pt('postsPerBallot', 4).honestVoidRate)} →
   ${pct(pt('postsPerBallot', 12).honestVoidRate)} → ${pct(pt('postsPerBallot', 36).honestVoidRate)}, farm cost
   ${num(pt('postsPerBallot', 4).farmCostPerExtraTopDayGrants)} → ${num(pt('postsPerBallot', 12).farmCostPerExtraTopDayGrants)} →
   ${num(pt('postsPerBallot', 36).farmCostPerExtraTopDayGrants)} grants. 12 is a sitting a person can judge with care
   and, at this jury's size, leaves each post well above the quorum; a smaller jury (or a larger capacity) needs a
   larger k or a smaller quorum, since posts that miss the quorum are void and refund the attacker.
8. **Half-life ${P.ranking.halfLifeHours} h**: sweep (today's b and prior), ${HALF_LIVES.join(' → ')} h: honest low-quality share
   ${HALF_LIVES.map((v) => pct(pt('halfLife', v).honestLowQualityShare)).join(' → ')}, feed age ${HALF_LIVES.map((v) => num(pt('halfLife', v).honestFeedAgeHours)).join(' → ')} h, farm share
   ${HALF_LIVES.map((v) => pct(pt('halfLife', v).farmAttackerShare)).join(' → ')}, farm cost per extra post-day
   ${HALF_LIVES.map((v) => num(pt('halfLife', v).farmCostPerExtraTopDayGrants)).join(' → ')} grants. A slower decay shows readers
   better-priced posts and fewer pushed ones${pt('halfLife', 12).farmCostPerExtraTopDayGrants < pt('halfLife', P.ranking.halfLifeHours).farmCostPerExtraTopDayGrants ? ', but each pushed post that does get in stays longer, so the cost per extra post-day falls' : ''};
   and readers see older posts, which this model's readers do not mind (they value only quality), so the feed-age
   column is there for a reader who does. With the second round's other changes, 10 h ${runnerUpBetter ? `did better than ${P.ranking.halfLifeHours} h on seeds ${x.seeds.join(', ')}` : `was no better than ${P.ranking.halfLifeHours} h on seeds ${x.seeds.join(', ')}`} and ${heldMisses(heldRunnerUp).length > 0 ? 'missed the cost target on the held-out seeds' : 'held on the held-out seeds too'} (the second round).
9. **Unchanged**: trader minimum 3 (10 and 20 leave consensus posts at the prior, since curators stop trading once a
   price matches their belief, so only contested posts reach it, while the farm passes any minimum for free: honest
   low-quality share ${pct(pt('minTraders', 10).honestLowQualityShare)} and ${pct(pt('minTraders', 20).honestLowQualityShare)}, farm share ${pct(pt('minTraders', 10).farmAttackerShare)} and ${pct(pt('minTraders', 20).farmAttackerShare)}; 5 is the
   second round's last alternative), quorum 3
   (sweep: quorum ${P.jury.quorum} → 15 turns void rate ${pct(pt('quorum', P.jury.quorum).honestVoidRate)} →
   ${pct(pt('quorum', 15).honestVoidRate)}; void refunds the attacker), p_min 0.05.

## Findings for other owners

- **Ranking (robust price)**: leaving out the top position on each side (what ships) answers the single-largest
  rule's two faults: it removed the first informed trader opposite a whale, and a farm could arrange for an honest
  counter-trader to be the one removed. A farm's many equal positions still shape what is left: at close the robust
  price of a farm-pushed post exceeded its raw price by more than 0.05 on ${pct(farmClose.robustAboveRawShare)} of them
  (mean raw ${num(farmClose.raw, 2)}, robust ${num(farmClose.robust, 2)}). Winsorizing the top position is the
  alternative the leave-out sweep measures.
- **Ranking (trader minimum)**: curators stop trading once the price matches their belief, so a post everyone agrees
  on may never reach the minimum and sits at the prior, while contested posts pass it. A shrinkage rule (price
  weighted toward the prior by n / minimum) would keep the protection without that bias.
- **Jury (sampling scale)**: \`halfExposure\` is in absolute impressions (\`CURIA_JURY_HALF_EXPOSURE\`); at another
  traffic level it must be re-tuned, or made relative (e.g. the median exposure of the round's eligible markets).
- **Jury (turnout)**: assignment makes votes per post depend on turnout (J × k / n). A round whose turnout collapses
  voids many markets, which refunds every attacker. A deployment should watch ballots per round against the sample
  size and raise \`CURIA_JURY_POSTS_PER_BALLOT\` (or lower the capacity) when J × k / n nears the quorum.
- **Herding**: curators who trust a price in proportion to its trader count (as here) are pulled by a farm's many
  accounts; the farm inflates exactly that count. Showing "verified traders" beside the price would help.
- **Settlement**: void-and-refund is what makes unsampled capture free; it is right (the market is conditional on
  being judged), and it means the sampling probability of pushed posts is the price of capture.

## Limits of the model

The people are simple: curators perceive quality with Gaussian noise and never learn; readers' impressions are
expected counts; likes track perceived quality exactly (a real likes feed also rewards engagement bait, so the likes
baseline here is kind to it); the attacker follows one strategy (push to a robust price of ${P.attacker.pushTo}) and
does not suppress competitors with NO positions; the cartel does not grind identities (one per verified human) and
the operator does not grind the sample seed (the block beacon prevents it); the attacker never deletes or rewrites a
post once it is sampled (in Curia that changes nothing: the jury judges each post as it stood when its market opened,
\`market_post_copy\`; a deleted post was once void and refunded, a free way out this model never took); the run covers
${P.world.postingHours} h of attack. The whale's share is of curator credits (the treasury excluded). Absolute numbers depend on traffic, curator
and juror counts and turnout; the comparisons between configs and between feeds on the same world are the point.
`
}
