/**
 * What a run measures, per feed (Curia, likes, stake-weighted) and for Curia's market and jury. Plain numbers, so a
 * test can pin them and a report can print them.
 */
import type { FeedRun } from './baselines'
import type { CuriaRun, HourImpressions } from './curia-run'
import type { SimParams } from './params'
import { correlation, mean, quantile } from './stats'
import { HOUR_MS, isLowQuality, measuredHours, QUALITY_LINE, type Post } from './world'

export interface FeedMetrics {
  /** Share of measured top-feed impressions that went to low-quality posts (q < 0.5). */
  lowQualityShare: number
  /** Share that went to the attacker's posts. */
  attackerShare: number
  /**
   * Mean age (hours) of the posts readers saw in the top positions, impression-weighted: how fresh the feed is. A
   * slower freshness decay can lower the low-quality share by showing older, well-priced posts; this shows the price.
   */
  feedAgeHours: number
  /** Mean hours a measured low-quality post spent in the top positions (all of them, zeros included). */
  lowQualityHoursInTop: number
  /** 90th percentile of the same. */
  lowQualityHoursInTopP90: number
  /** Mean hours a measured good post spent there (for contrast). */
  goodHoursInTop: number
  /** Mean hours a measured attacker post spent there. */
  attackerHoursInTop: number
  /** Total days attacker posts spent in the top positions (post-days), over the whole run. */
  attackerTopPostDays: number
  /** All impressions attacker posts received over the whole run. */
  attackerImpressions: number
}

export interface CuriaMetrics extends FeedMetrics {
  /** Credits the attacker's accounts (whale + farm) lost, net (negative: it profited). */
  attackerLostCredits: number
  /** The same in starting grants. */
  attackerLostGrants: number
  /**
   * Attacker posts' mean closing prices, raw and as the ranking saw them (robust, or the prior below the trader
   * minimum): a robust price above the raw one means leave-one-out removed a counter-trader.
   */
  attackerClosePrice: { raw: number; robust: number; robustAboveRawShare: number }
  /** Median impressions of a measured post that reached the top positions at all (the scale for half-exposure). */
  medianImpressionsInFeed: number
  /** Of the exploration slots' impressions, the share that went to attacker posts. */
  explorationImpressionShare: number
  jury: {
    eligible: number
    sampled: number
    /** Sampled markets with a verdict (not void). */
    decided: number
    /** Verdicts that match the hidden truth (q >= 0.5 endorse). */
    accuracy: number
    voidRate: number
    meanVotesPerSampled: number
    /** Jury rounds in the run, and their mean sample size and ballot count (all rounds). */
    rounds: number
    sampledPerRound: number
    ballotsPerRound: number
    /** J x min(k, n) / n per round (J ballots, k posts per ballot, n sampled), averaged over sampled posts. */
    expectedVotesPerSampled: number
    attackerSampled: number
    attackerEndorsed: number
    /** Mean sampling probability of attacker posts vs all eligible posts. */
    attackerSampleProbability: number
    meanSampleProbability: number
  }
  calibration: {
    /** Brier score of honest curators' forecasts (the price they traded toward) against the verdict. */
    curatorBrier: number
    /** Brier of always forecasting the base rate of endorsements (lower is better; the skill reference). */
    baseRateBrier: number
    /** Brier of the market's closing price against the verdict. */
    marketBrier: number
    /** Brier of the closing price against the hidden truth, over every measured market (sampled or not). */
    marketTruthBrier: number
    /** Forecast deciles: mean forecast vs observed endorsement rate. */
    bins: { forecast: number; observed: number; n: number }[]
    /** Correlation between a curator's noise and its realised profit (negative: skill pays). */
    noiseProfitCorrelation: number
    /** Mean realised profit (credits) of the sharpest and the noisiest quarter of curators. */
    sharpQuarterProfit: number
    noisyQuarterProfit: number
  }
  /** Credits the market makers paid out over settled markets (subsidy escrowed minus remainder returned), net. */
  marketMakerLossCredits: number
  trades: number
  refusals: Record<string, number>
  conservationChecks: number
}

export interface Targets {
  /** Attacker's share of top impressions <= 5%. */
  attackerShareAtMost5pct: boolean
  /** Holding a bad post in the top for a day costs >= 100 starting grants (or capture never happens). */
  captureCostAtLeast100Grants: boolean
}

function isMeasured(post: Post, p: SimParams): boolean {
  const h = post.createdAtMs / HOUR_MS
  return h >= p.world.warmupHours && h < p.world.postingHours
}

function shares(
  hourly: readonly HourImpressions[],
  p: SimParams,
): { low: number; attacker: number; ageHours: number } {
  const { from, to } = measuredHours(p)
  let total = 0
  let low = 0
  let attacker = 0
  let ageHours = 0
  for (const h of hourly) {
    if (h.hour < from || h.hour >= to) continue
    total += h.total
    low += h.low
    attacker += h.attacker
    ageHours += h.ageHours
  }
  const per = (x: number) => (total > 0 ? x / total : 0)
  return { low: per(low), attacker: per(attacker), ageHours: per(ageHours) }
}

export function feedMetrics(
  run: Pick<FeedRun, 'hourly'> & { posts: readonly { impressions: number; hoursInTop: number }[] },
  posts: readonly Post[],
  p: SimParams,
): FeedMetrics {
  const s = shares(run.hourly, p)
  const measured = posts.filter((post) => isMeasured(post, p))
  const hours = (pred: (post: Post) => boolean) =>
    measured.filter(pred).map((post) => run.posts[post.id - 1]!.hoursInTop)
  const low = hours((post) => isLowQuality(post) && post.author === 'honest')
  const attackerPosts = posts.filter((post) => post.author === 'attacker')
  return {
    lowQualityShare: s.low,
    attackerShare: s.attacker,
    feedAgeHours: s.ageHours,
    lowQualityHoursInTop: orZero(mean(hours(isLowQuality))),
    lowQualityHoursInTopP90: orZero(quantile(low, 0.9)),
    goodHoursInTop: orZero(mean(hours((post) => !isLowQuality(post)))),
    attackerHoursInTop: orZero(mean(hours((post) => post.author === 'attacker'))),
    attackerTopPostDays: attackerPosts.reduce((a, post) => a + run.posts[post.id - 1]!.hoursInTop, 0) / 24,
    attackerImpressions: attackerPosts.reduce((a, post) => a + run.posts[post.id - 1]!.impressions, 0),
  }
}

const orZero = (x: number) => (Number.isNaN(x) ? 0 : x)

export function curiaMetrics(run: CuriaRun, posts: readonly Post[], p: SimParams): CuriaMetrics {
  const feed = feedMetrics(run, posts, p)
  const lostMicro = run.attacker.endowmentMicro - run.attacker.finalMicro
  const lostCredits = Number(lostMicro) / 1e6
  const grant = p.market.startingGrantCredits
  const attackerPosts = posts.filter((post) => post.author === 'attacker')

  // Only markets that reached a jury round (every measured one does; later background ones may not).
  const eligible = posts.filter((post) => run.posts[post.id - 1]!.eligible)
  const sampled = eligible.filter((post) => run.posts[post.id - 1]!.sampled)
  const decided = sampled.filter((post) => {
    const v = run.posts[post.id - 1]!.verdict
    return v === 'endorse' || v === 'reject'
  })
  const correct = decided.filter(
    (post) => (run.posts[post.id - 1]!.verdict === 'endorse') === post.quality >= QUALITY_LINE,
  )
  const verdictOf = new Map<number, number>()
  for (const post of decided) verdictOf.set(post.id, run.posts[post.id - 1]!.verdict === 'endorse' ? 1 : 0)

  const scored = run.forecasts.filter((f) => verdictOf.has(f.postId))
  const baseRate = mean([...verdictOf.values()])
  const bins = Array.from({ length: 10 }, (_, i) => {
    const inBin = scored.filter((f) => Math.min(9, Math.floor(f.forecast * 10)) === i)
    return {
      forecast: orZero(mean(inBin.map((f) => f.forecast))),
      observed: orZero(mean(inBin.map((f) => verdictOf.get(f.postId)!))),
      n: inBin.length,
    }
  })
  const measured = posts.filter((post) => isMeasured(post, p))
  const curators = [...run.curators].sort((a, b) => a.noise - b.noise)
  const quarter = Math.max(1, Math.floor(curators.length / 4))
  const profit = (c: (typeof curators)[number]) => Number(c.realizedMicro) / 1e6

  let exploration = 0
  let explorationAttacker = 0
  for (const post of posts) {
    const o = run.posts[post.id - 1]!
    exploration += o.explorationImpressions
    if (post.author === 'attacker') explorationAttacker += o.explorationImpressions
  }

  return {
    ...feed,
    attackerLostCredits: lostCredits,
    attackerLostGrants: lostCredits / grant,
    explorationImpressionShare: exploration > 0 ? explorationAttacker / exploration : 0,
    medianImpressionsInFeed: orZero(
      quantile(
        measured
          .map((post) => run.posts[post.id - 1]!)
          .filter((o) => o.hoursInTop > 0)
          .map((o) => o.impressions),
        0.5,
      ),
    ),
    attackerClosePrice: {
      raw: orZero(mean(attackerPosts.map((post) => run.posts[post.id - 1]!.closePrice))),
      robust: orZero(mean(attackerPosts.map((post) => run.posts[post.id - 1]!.closeRobustPrice))),
      robustAboveRawShare: orZero(
        mean(
          attackerPosts.map((post) => {
            const o = run.posts[post.id - 1]!
            return o.closeRobustPrice > o.closePrice + 0.05 ? 1 : 0
          }),
        ),
      ),
    },
    jury: {
      eligible: eligible.length,
      sampled: sampled.length,
      decided: decided.length,
      accuracy: orZero(correct.length / decided.length),
      voidRate: sampled.length > 0 ? (sampled.length - decided.length) / sampled.length : 0,
      meanVotesPerSampled: orZero(mean(run.jury.votesPerSampled)),
      rounds: run.jury.rounds,
      sampledPerRound: orZero(mean(run.jury.roundSizes.map((r) => r.sampled))),
      ballotsPerRound: orZero(mean(run.jury.roundSizes.map((r) => r.ballots))),
      expectedVotesPerSampled: orZero(
        run.jury.roundSizes.reduce((a, r) => a + r.ballots * Math.min(p.jury.postsPerBallot, r.sampled), 0) /
          run.jury.roundSizes.reduce((a, r) => a + r.sampled, 0),
      ),
      attackerSampled: attackerPosts.filter((post) => run.posts[post.id - 1]!.sampled).length,
      attackerEndorsed: attackerPosts.filter((post) => run.posts[post.id - 1]!.verdict === 'endorse').length,
      attackerSampleProbability: orZero(
        mean(attackerPosts.map((post) => run.posts[post.id - 1]!.sampleProbability)),
      ),
      meanSampleProbability: orZero(mean(eligible.map((post) => run.posts[post.id - 1]!.sampleProbability))),
    },
    calibration: {
      curatorBrier: orZero(mean(scored.map((f) => (f.forecast - verdictOf.get(f.postId)!) ** 2))),
      baseRateBrier: orZero(mean(scored.map((f) => (baseRate - verdictOf.get(f.postId)!) ** 2))),
      marketBrier: orZero(
        mean(decided.map((post) => (run.posts[post.id - 1]!.closePrice - verdictOf.get(post.id)!) ** 2)),
      ),
      marketTruthBrier: orZero(
        mean(
          measured.map(
            (post) => (run.posts[post.id - 1]!.closePrice - (post.quality >= QUALITY_LINE ? 1 : 0)) ** 2,
          ),
        ),
      ),
      bins,
      noiseProfitCorrelation: orZero(
        correlation(
          curators.map((c) => c.noise),
          curators.map(profit),
        ),
      ),
      sharpQuarterProfit: orZero(mean(curators.slice(0, quarter).map(profit))),
      noisyQuarterProfit: orZero(mean(curators.slice(-quarter).map(profit))),
    },
    marketMakerLossCredits: Number(run.ledger.marketMakerLossMicro) / 1e6,
    trades: run.trades.fills,
    refusals: run.trades.refusals,
    conservationChecks: run.ledger.checks,
  }
}

/**
 * What the attacker bought, against the same world with nobody promoting its posts (the "honest" run of the same
 * seed and parameters): low-quality posts get some top-feed time on their own (exploration, a lucky first trader),
 * and only the excess is capture.
 */
export interface Capture {
  extraTopPostDays: number
  extraImpressions: number
  /** Credits lost per extra post-day in the top positions, in starting grants. Infinity: nothing was bought. */
  costPerExtraTopDayGrants: number
  /** Credits lost per extra impression. */
  costPerExtraImpression: number
}

export function capture(
  attack: FeedMetrics,
  reference: FeedMetrics,
  lostCredits: number,
  grantCredits: number,
): Capture {
  const extraTopPostDays = attack.attackerTopPostDays - reference.attackerTopPostDays
  const extraImpressions = attack.attackerImpressions - reference.attackerImpressions
  const per = (lost: number, extra: number) =>
    extra > 1e-9 ? lost / extra : lost >= 0 ? Infinity : -Infinity
  return {
    extraTopPostDays,
    extraImpressions,
    costPerExtraTopDayGrants: per(lostCredits / grantCredits, extraTopPostDays),
    costPerExtraImpression: per(lostCredits, extraImpressions),
  }
}

/**
 * Cost per extra post-day pooled over several runs (seeds): total grants lost over total extra post-days bought.
 * A mean of per-run ratios would let one run with a sliver of extra top time dominate.
 */
export function pooledCostPerExtraTopDay(
  items: readonly { lostGrants: number; extraTopPostDays: number }[],
): number {
  let lost = 0
  let extra = 0
  for (const i of items) {
    lost += i.lostGrants
    extra += i.extraTopPostDays
  }
  return extra > 1e-9 ? lost / extra : lost >= 0 ? Infinity : -Infinity
}

/** The brief's targets, for a scenario with an attacker, given its capture against the honest run. */
export function targets(m: CuriaMetrics, c: Capture): Targets {
  return {
    attackerShareAtMost5pct: m.attackerShare <= 0.05,
    captureCostAtLeast100Grants: c.costPerExtraTopDayGrants >= 100,
  }
}
