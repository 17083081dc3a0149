/**
 * `npm run sim -- report`: runs every scenario (shipped config and recommended), the parameter sweeps and the jury
 * sweep, and writes sim/report/REPORT.md with its PNG plots. Deterministic: the same code gives the same report.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { JURY_CORE_SOURCE } from './core/jury'
import { SETTLEMENT_CORE_SOURCE } from './core/settlement'
import { juryAccuracy } from './jury-sweep'
import {
  capture,
  pooledCostPerExtraTopDay,
  type Capture,
  type CuriaMetrics,
  type FeedMetrics,
} from './metrics'
import { DEFAULT_PARAMS, withParams, type SimParams } from './params'
import { barChartSvg, lineChartSvg, svgToPng, type LineChart } from './plot'
import { ENV_SETTINGS, RECOMMENDED, RECOMMENDED_CONFIG_ONLY } from './recommend'
import { runScenario, type ScenarioResult } from './run'
import { SCENARIOS, scenarioParams } from './scenarios'
import { mean } from './stats'
import { SWEEPS, runSweep, type SweepResult } from './sweep'

export interface ReportOptions {
  outDir: string
  seeds: number[]
  sweepSeeds: number[]
  log: (line: string) => void
}

/** Grants lost per extra post-day, pooled over the scenario's seeds. */
function pooled(s: ScenarioSummary): number {
  return pooledCostPerExtraTopDay(
    s.runs.map((r, i) => ({
      lostGrants: r.curia.attackerLostGrants,
      extraTopPostDays: s.captures[i]!.extraTopPostDays,
    })),
  )
}

interface ScenarioSummary {
  name: string
  description: string
  runs: ScenarioResult[]
  captures: Capture[]
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–')
const num = (x: number, d = 1) =>
  x === Infinity ? '∞' : x === -Infinity ? '−∞' : Number.isFinite(x) ? x.toFixed(d) : '–'
const avg = (xs: number[]) => mean(xs)

function runScenarios(
  base: SimParams,
  seeds: number[],
  log: ReportOptions['log'],
  label: string,
): ScenarioSummary[] {
  const honestBySeed = new Map<number, ScenarioResult>()
  return SCENARIOS.map((s) => {
    const runs = seeds.map((seed) => runScenario(scenarioParams(s, base, seed)))
    if (s.name === 'honest') runs.forEach((r, i) => honestBySeed.set(seeds[i]!, r))
    log(`${label}: ${s.name} (${seeds.length} seeds)`)
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

function feedOf(r: ScenarioResult, feed: 'curia' | 'likes' | 'stake'): FeedMetrics {
  return r[feed]
}

function scenarioTable(summaries: ScenarioSummary[]): string {
  const rows = [
    '| scenario | feed | attacker share of top-30 impressions | low-quality share | attacker post: hours in top-30 | low-quality post: hours in top-30 (mean / p90) | attacker credits lost (grants) | extra top-30 post-days bought | cost per extra post-day (grants) | cost per extra impression (credits) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
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
        `| ${feed === 'curia' ? s.name : ''} | ${feed === 'curia' ? '**Curia**' : feed === 'likes' ? 'likes' : 'stake-weighted'} | ${pct(m((x) => x.attackerShare))} | ${pct(m((x) => x.lowQualityShare))} | ${num(m((x) => x.attackerHoursInTop))} | ${num(m((x) => x.lowQualityHoursInTop))} / ${num(
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
    '| scenario | eligible / sampled per run | votes per sampled post | accuracy (verdict = truth) | void rate | attacker posts sampled / endorsed | P(sample) attacker vs all |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
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
      'whale+farm+cartel-20, assigned',
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
    `| ${sweep.spec.label} | honest: low-quality share | honest: curator Brier | honest: market-maker loss | honest: jury accuracy / void | whale-30: share / lost (grants) | farm-100: share / lost (grants) | farm: hours in top-30 per post | farm: cost per extra post-day (grants) | farm: P(sampled) |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const p of sweep.points) {
    const v =
      sweep.spec.key === 'leaveOut'
        ? ['largest (shipped)', 'each side', 'winsorize'][p.value]!
        : String(p.value)
    rows.push(
      `| ${v} | ${pct(p.honestLowQualityShare)} | ${num(p.honestCuratorBrier, 3)} | ${num(p.honestMarketMakerLoss, 0)} | ${pct(p.honestJuryAccuracy)} / ${pct(p.honestVoidRate)} | ${pct(p.whaleAttackerShare)} / ${num(p.whaleLostGrants)} | ${pct(p.farmAttackerShare)} / ${num(p.farmLostGrants)} | ${num(p.farmAttackerHoursInTop)} | ${num(p.farmCostPerExtraTopDayGrants)} | ${num(p.farmJuryAttackerSampleProbability, 2)} |`,
    )
  }
  return rows.join('\n')
}

export function writeReport(opts: ReportOptions): void {
  const { outDir, seeds, sweepSeeds, log } = opts
  mkdirSync(outDir, { recursive: true })
  for (const f of readdirSync(outDir)) if (f.endsWith('.png')) rmSync(join(outDir, f))

  const shipped = runScenarios(DEFAULT_PARAMS, seeds, log, 'shipped')
  const recommendedParams = withParams(DEFAULT_PARAMS, RECOMMENDED)
  const recommended = runScenarios(recommendedParams, seeds, log, 'recommended')
  const configOnly = runScenarios(
    withParams(DEFAULT_PARAMS, RECOMMENDED_CONFIG_ONLY),
    seeds,
    log,
    'config only',
  )

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
              name: 'Curia (recommended)',
              values: recommended.map((s) => avg(s.runs.map((r) => f(r, 'curia')))),
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
  const farmRec = recommended.find((s) => s.name === 'farm-100')!.runs[0]!
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
          name: 'Curia (recommended)',
          points: smooth(farmRec.hourly.map((h) => ({ hour: h.hour, y: h.curiaAttacker }))),
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
        { name: 'recommended', points: calib(recommended) },
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

  const conservationChecks = [...shipped, ...recommended, ...configOnly]
    .flatMap((s) => s.runs)
    .reduce((a, r) => a + r.curia.conservationChecks, 0)
  const runCount =
    [...shipped, ...recommended, ...configOnly].reduce((a, s) => a + s.runs.length, 0) +
    sweeps.reduce((a, s) => a + s.points.length * 3 * sweepSeeds.length, 0)

  const md = renderMarkdown({
    seeds,
    sweepSeeds,
    shipped,
    recommended,
    configOnly,
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
    recommendedParams,
  })
  writeFileSync(join(outDir, 'REPORT.md'), md)
  log(`wrote ${join(outDir, 'REPORT.md')}`)
}

interface RenderInput {
  seeds: number[]
  sweepSeeds: number[]
  shipped: ScenarioSummary[]
  recommended: ScenarioSummary[]
  configOnly: ScenarioSummary[]
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
  recommendedParams: SimParams
}

function skillSentence(all: ScenarioSummary[]): string {
  const corr = all.map((s) => avg(s.runs.map((r) => r.curia.calibration.noiseProfitCorrelation)))
  const gap = all.map((s) =>
    avg(s.runs.map((r) => r.curia.calibration.sharpQuarterProfit - r.curia.calibration.noisyQuarterProfit)),
  )
  const negative = corr.filter((c) => c < 0).length
  return `Skill pays: the correlation between a curator's noise and its realised profit is negative in ${negative} of ${corr.length} scenarios (shipped and recommended configs; between ${num(Math.min(...corr), 2)} and ${num(Math.max(...corr), 2)}), and the sharpest quarter of curators out-earns the noisiest by ${num(Math.min(...gap), 0)} to ${num(Math.max(...gap), 0)} credits per run.`
}

function pick(s: ScenarioSummary[], name: string): ScenarioSummary {
  return s.find((x) => x.name === name)!
}

function renderMarkdown(x: RenderInput): string {
  const P = DEFAULT_PARAMS
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
  const medianImprOf = (s: ScenarioSummary[]) =>
    avg(pick(s, 'honest').runs.map((r) => r.curia.medianImpressionsInFeed))
  const mmOf = (s: ScenarioSummary[]) =>
    avg(pick(s, 'honest').runs.map((r) => r.curia.marketMakerLossCredits))
  const votesOf = (s: ScenarioSummary[]) =>
    avg(pick(s, 'honest').runs.map((r) => r.curia.jury.meanVotesPerSampled))
  const farmRuns = pick(x.shipped, 'farm-100').runs
  const farmClose = {
    raw: avg(farmRuns.map((r) => r.curia.attackerClosePrice.raw)),
    robust: avg(farmRuns.map((r) => r.curia.attackerClosePrice.robust)),
    robustAboveRawShare: avg(farmRuns.map((r) => r.curia.attackerClosePrice.robustAboveRawShare)),
  }
  const sweep = (key: string) => x.sweeps.find((s) => s.spec.key === key)!
  const juryCell = (assignment: string, cartel: number, votes: number) => {
    const g = x.juryGrid.find((j) => j.assignment === assignment)!
    const row = g.rows.find((r) => r.cartel === cartel)!
    return row.results[x.voteCounts.indexOf(votes)]!
  }

  const juryTableMd = x.juryGrid
    .map((g) => {
      const head = `| cartel share | ${x.voteCounts.map((v) => `${v} votes`).join(' | ')} |\n| ---: | ${x.voteCounts.map(() => '---:').join(' | ')} |`
      const body = g.rows
        .map(
          (row) =>
            `| ${pct(row.cartel)} | ${row.results.map((r) => `${pct(r.attackerRejected)} / ${pct(r.honestAccuracy)}`).join(' | ')} |`,
        )
        .join('\n')
      return `**${g.assignment === 'free' ? 'Jurors choose which sampled posts to judge (as designed today)' : 'Posts assigned to jurors by a hash of their round nullifier'}** — attacker posts rejected / honest posts judged correctly:\n\n${head}\n${body}`
    })
    .join('\n\n')

  return `# Capture resistance, measured

Generated by \`npm run sim -- report\` (sim/src/report.ts); do not edit by hand. Every number below comes from a
seeded, deterministic run of Curia's production core: the LMSR and the trade decision
(\`curation/src/market/lmsr.ts\`, \`trade.ts\`: every fill, cap, slippage bound and rounding), the ranking
(\`curation/src/ranking/market-rank.ts\`: robust price, trader minimum, freshness, exploration), the jury
(${JURY_CORE_SOURCE}: seed mixing with a beacon, exposure-weighted sampling with a floor and a capacity, tally with a
quorum) and settlement (${SETTLEMENT_CORE_SOURCE}: winning shares pay 1 credit; void or unsampled undoes the market).
The simulator supplies only the people. Scenario tables average seeds ${x.seeds.join(', ')}; sweeps average seeds
${x.sweepSeeds.join(', ')}. ${x.runCount} simulated runs in all; credits were conserved exactly (sum of balances +
escrows + treasury = minted, in integer micro-credits) at all ${x.conservationChecks.toLocaleString('en-US')} hourly
checks of the scenario runs (and at every hour of every sweep run: a run that breaks it throws).

## Targets

${targetsTable([
  { label: 'shipped', summaries: x.shipped },
  { label: 'recommended', summaries: x.recommended },
  { label: 'recommended, config only', summaries: x.configOnly },
])}

*Cost per extra post-day*: the attacker's credits lost (in starting grants), divided by the post-days its posts spent
in the top 30 beyond what the same posts got in the honest run of the same seed (low-quality posts get some top time
unaided: exploration slots, a lucky first trader), pooled over seeds (total lost / total extra). ∞ means the attacker
lost credits and bought no extra top time at all; a negative cost means capture paid. "Recommended,
config only" leaves out the one recommendation that needs code (the robust price's leave-out rule, below).

What the table says:

- **The whale alone cannot capture the feed, at any setting tried.** With 30% of all curator credits it bought no
  extra top-30 time (shipped: ${pct(shareOf(x.shipped, 'whale-30'))} of impressions, what its posts get unpromoted),
  because the robust price leaves out the largest position and the position cap bounds what one account can hold.
  The same whale on the stake-weighted feed takes ${pct(shareOf(x.shipped, 'whale-30', 'stake'))} of impressions for
  nothing. Money without accounts buys nothing in Curia; the attack that works is accounts.
- **The farm is the real threat.** 100 fresh accounts with the starting grant each take
  ${pct(shareOf(x.shipped, 'farm-100'))} of top-30 impressions under the shipped config (target ≤ 5%: missed) and pay
  ${num(costOf(x.shipped, 'farm-100'))} grants per extra post-day (target ≥ 100: missed by a factor of ${num(100 / costOf(x.shipped, 'farm-100'), 0)}).
  With the recommended config: ${pct(shareOf(x.recommended, 'farm-100'))} and ${num(costOf(x.recommended, 'farm-100'))}
  grants. On the likes feed the same farm takes ${pct(shareOf(x.shipped, 'farm-100', 'likes'))} (a like costs nothing).
- **The cartel turns capture into profit when jurors choose what to judge.** With 20% of the jury voting on every
  attacker post, ${num(endorsedOf(x.shipped, 'whale+farm+cartel-20'))} of the ${num(sampledOf(x.shipped, 'whale+farm+cartel-20'))}
  attacker posts sampled per run are endorsed, and the attacker ends up *ahead*
  (${num(lostOf(x.shipped, 'whale+farm+cartel-20'))} grants lost, i.e. a gain when negative). Assigning posts to
  jurors by a hash of their round nullifier (the cartel gets its share of each post's votes, not all of it) restores
  the cost: ${num(lostOf(x.shipped, 'whale+farm+cartel-20, assigned'))} grants lost.

Why the 100-grant target is hard: a void or unsampled market refunds every net spend, so an attacker pays only when
its post is sampled *and* rejected; what it can lose then is bounded by the position cap times its number of
accounts, and the position cap also bounds how hard honest curators can push back. The cost of capture is therefore
set by (a) the sampling probability of a post that was pushed up the feed, (b) how much honest money stands against
the farm (the verified-human grant: the farm gets only the starting grant), and (c) how much that money can express
(b and the position cap). The recommended config moves all three.

On the honest world (no attacker), low-quality posts take ${pct(lowOf(x.shipped))} of Curia's top-30 impressions with
the shipped config and ${pct(lowOf(x.recommended))} with the recommended one, against ${pct(lowOf(x.shipped, 'likes'))}
on the likes feed and ${pct(lowOf(x.shipped, 'stake'))} on the stake-weighted feed: in this world likes track
perceived quality exactly and nobody games them, which is the likes feed's best case (see the limits below); Curia
pays for its capture resistance with exploration slots and prices that take a few trades to form.

![attacker share](${x.attackerPng})

![low-quality share](${x.lowPng})

![farm timeline](${x.timePng})

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
  ${P.curators.edge}, through the real quotes and \`decideTrade\` (balance, cap, slippage bound).
- **The whale**: one account holding a share of all curator credits (30% in the scenarios), buying YES on the
  attacker's posts up to the cap. **The farm**: fresh accounts with the starting grant each; the attacker first gets a
  market past the trader minimum with 1-credit buys from distinct accounts, then buys YES account after account until
  the ranking's robust price reaches ${P.attacker.pushTo}. **The cartel**: a share of the jury that always endorses
  attacker posts and judges others honestly. **Lazy jurors** (${pct(P.jury.lazyShare)} by default) vote at random.
- **Jurors** (${P.jury.jurors}): an honest juror perceives q with noise σ = ${P.jury.noise} and endorses above 0.5;
  each casts a ballot with probability ${P.jury.participation} and judges up to ${P.jury.reviewsPerJuror} sampled posts.
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

### With the recommended config

${scenarioTable(x.recommended)}

## The jury

${juryTable(x.shipped)}

Recommended config:

${juryTable(x.recommended)}

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
cartel's reach by its size instead of letting it concentrate. **Recommendation for the jury's owner**: derive each juror's
posts from its round nullifier (e.g. post i is on the ballot when H(nullifier, marketId) falls under k / sampled
count); the server can check it without learning who the juror is, because the nullifier is already public.

## Curators' calibration

${calibrationTable(x.shipped)}

Recommended config:

${calibrationTable(x.recommended)}

![calibration](${x.calibrationPng})

${skillSentence([...x.shipped, ...x.recommended])} The market-maker loss is what the treasury pays for
the information (LMSR's subsidy, at most b ln 2 per market): ${num(mmOf(x.shipped), 0)} credits per run shipped,
${num(mmOf(x.recommended), 0)} recommended (b = ${x.recommendedParams.market.liquidityCredits}).

## Sweeps

One knob at a time around the shipped config, against the honest world, the whale (30%) and the farm (100 accounts),
seeds ${x.sweepSeeds.join(', ')}. "Cost per extra post-day" is ∞ when the farm bought no extra top-30 time.

${x.sweeps
  .map(
    (s, i) => `### ${s.spec.label}${s.spec.envVar ? ` (\`${s.spec.envVar}\`)` : ''}

${sweepTable(s)}

![${s.spec.key} shares](${x.sweepPngs[i]!.shares}) ![${s.spec.key} cost](${x.sweepPngs[i]!.cost})
`,
  )
  .join('\n')}

## Recommended defaults

| variable | shipped | recommended | exists today | why |
| --- | --- | --- | --- | --- |
${ENV_SETTINGS.map((e) => `| \`${e.name}\` | ${e.shipped} | ${e.recommended} | ${e.exists ? 'yes' : 'no: proposed name'} | ${e.note} |`).join('\n')}

Plus one change in code, for the ranking's owner: **the robust price should leave out the largest net-YES and the
largest net-NO position** (\`each-side\`), not the single largest |net| position. Measured effect (sweep above, shipped
config otherwise): farm share ${pct(sweep('leaveOut').points[0]!.farmAttackerShare)} → ${pct(sweep('leaveOut').points[1]!.farmAttackerShare)},
farm cost per extra post-day ${num(sweep('leaveOut').points[0]!.farmCostPerExtraTopDayGrants)} → ${num(sweep('leaveOut').points[1]!.farmCostPerExtraTopDayGrants)} grants,
honest low-quality share ${pct(sweep('leaveOut').points[0]!.honestLowQualityShare)} → ${pct(sweep('leaveOut').points[1]!.honestLowQualityShare)};
with the recommended bankrolls the shipped rule fails outright (point 1 below).

Reasoning, knob by knob (numbers from the sweeps and tables above):

1. **The verified-human grant is the lever that makes a farm small.** A farm of fresh DIDs gets only the starting
   grant; verified humans get the faucet grant once each. At 9,000 (10,000 in all) the honest side outweighs a
   100-account farm ten to one, and farm cost per extra post-day rises from ${num(costOf(x.shipped, 'farm-100'))} to
   ${num(costOf(x.recommended, 'farm-100'))} grants together with the knobs below. Raised alone it *hurts*
   (sweep: low-quality share ${pct(sweep('humanGrant').points[0]!.honestLowQualityShare)} →
   ${pct(sweep('humanGrant').points[2]!.honestLowQualityShare)} at 4,000): a rich first trader moves a b = 100 market
   all the way to its belief, later traders only correct it, and leaving out the largest position then leaves only
   the corrections, which point the other way. Hence b and the leave-out rule must move with it.
2. **b = 1,000**: on the scale of a verified curator's bankroll, so each trade moves the price part of the way and the
   price becomes a wealth-weighted average of curators' beliefs rather than the last trader's. It also makes pushing a
   price up expensive for the farm. Cost: the treasury's market-maker loss grows (${num(mmOf(x.recommended), 0)}
   credits per simulated run vs ${num(mmOf(x.shipped), 0)}, i.e. ${num(mmOf(x.recommended) / eligibleOf(x.recommended), 0)} vs
   ${num(mmOf(x.shipped) / eligibleOf(x.shipped), 0)} credits per settled market, against a worst case of b ln 2 = 693: credits
   the treasury mints into curators' hands for pricing posts; fund it accordingly), and with small bankrolls b = 1,000 alone makes prices
   too sluggish (sweep: honest low-quality share ${pct(sweep('liquidity').points[3]!.honestLowQualityShare)}).
3. **Position cap 3,000 shares**: with b = 1,000 a 300-share cap would let an honest curator move a price by only a
   few points; farm accounts, with 1,000 credits each, cannot use a larger cap, so raising it helps only the side
   with money. The cap no longer needs to stop a whale: the leave-out rule does.
4. **Prior 0.4**: a market below the trader minimum ranks at the prior; at 0.5 a brand-new post with a fresh timestamp
   outranks consensus-good posts a few hours old. 0.4 lowers the honest low-quality share (sweep:
   ${pct(sweep('prior').points[3]!.honestLowQualityShare)} at 0.5 → ${pct(sweep('prior').points[2]!.honestLowQualityShare)} at
   0.4) at a small cost in farm share (a pumped post stands out more against unpriced ones); 0.2–0.3 trade more of
   the one for the other.
5. **Exploration 10%**: exploration slots go to young markets regardless of price, so about half of what they show is
   low quality; with a markets page and active curators, 10% keeps new posts priced (sweep: low-quality share
   ${pct(sweep('exploration').points[2]!.honestLowQualityShare)} at 20% → ${pct(sweep('exploration').points[1]!.honestLowQualityShare)} at 10%).
6. **Jury capacity 100 and half-exposure 3,000**: the sample is what makes capture cost anything (an unsampled
   market refunds the attacker). A pumped post collects impressions; with half-exposure near the median impressions
   of a post that reached the feed (${num(medianImprOf(x.shipped), 0)} here), its inclusion probability approaches 1 while posts nobody saw stay near p_min.
   At 1,000 (shipped) most posts that reached the feed saturate and exposure stops discriminating; at 100,000 it
   barely counts. Capacity 100 leaves ${num(votesOf(x.recommended))} votes per sampled post (shipped:
   ${num(votesOf(x.shipped))}). Half-exposure is in impressions: scale it with traffic.
7. **Unchanged**: trader minimum 3 (raising it leaves consensus posts at the prior, since curators stop trading once a
   price matches their belief, so only contested posts reach it; the farm passes any minimum for free), quorum 3
   (with this jury, quorum hardly binds; larger quorums turn sampled markets void, which refunds the attacker),
   p_min 0.05, half-life 6 h (longer half-lives improve honest quality but keep a pumped post up longer).

## Findings for other owners

- **Ranking (robust price)**: leave-top-trader-out removes the single largest |net| position. In a thin market that is
  usually the first informed trader, who moved the price most; removing it leaves only the later corrections, which
  point the other way. With the shipped bankrolls (1,000 credits against b = 100) the damage is modest; with the
  bankrolls that make a farm small it inverts the ranking (sweep: honest low-quality share
  ${pct(sweep('humanGrant').points[2]!.honestLowQualityShare)} with a 4,000 grant, shipped rule). A farm can also arrange
  for an honest counter-trader to be the one removed (many equal positions, none the largest); at close that had
  happened on ${pct(farmClose.robustAboveRawShare)} of farm-pushed posts here (mean raw price ${num(farmClose.raw, 2)},
  robust ${num(farmClose.robust, 2)}), so it is the lesser problem. Leaving out the top of each side fixes the first and
  closes the second (measured above); cutting the top position down to the runner-up's size (\`winsorize\`) is a close
  second.
- **Ranking (trader minimum)**: curators stop trading once the price matches their belief, so a post everyone agrees
  on may never reach the minimum and sits at the prior, while contested posts pass it. A shrinkage rule (price
  weighted toward the prior by n / minimum) would keep the protection without that bias.
- **Jury (assignment)**: with free choice a 20% cartel decides every attacker post it samples; assign posts by
  nullifier (above).
- **Jury (sampling scale)**: \`halfExposure\` is in absolute impressions; at the shipped 1,000 it saturates for any
  post that reached the feed at this traffic. Make it configurable, or relative (e.g. the median exposure of the
  round's eligible markets).
- **Herding**: curators who trust a price in proportion to its trader count (as here) are pulled by a farm's many
  accounts; the farm inflates exactly that count. Showing "verified traders" beside the price would help.
- **Settlement**: void-and-refund is what makes unsampled capture free; it is right (the market is conditional on
  being judged), and it means the sampling probability of pushed posts is the price of capture.

## Limits of the model

The people are simple: curators perceive quality with Gaussian noise and never learn; readers' impressions are
expected counts; likes track perceived quality exactly (a real likes feed also rewards engagement bait, so the likes
baseline here is kind to it); the attacker follows one strategy (push to a robust price of ${P.attacker.pushTo}) and
does not suppress competitors with NO positions; the run covers ${P.world.postingHours} h of attack. The whale's
share is of curator credits (the treasury excluded). Absolute numbers depend on traffic and curator counts; the
comparisons between configs and between feeds on the same world are the point.
`
}
