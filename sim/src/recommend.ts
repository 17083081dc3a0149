/**
 * The configuration this simulator recommends, chosen from the sweeps in the report (sim/report/REPORT.md explains
 * each value), how each knob maps to Curia's environment, and the configurations that shipped before Curia adopted
 * it (the report's counterfactuals). Curia ships the recommendation: DEFAULT_PARAMS (params.ts) is Curia's shipped
 * config, and test/shipped.test.ts checks that applying RECOMMENDED to it changes nothing.
 */
import type { ParamOverrides } from './params'

export const RECOMMENDED: ParamOverrides = {
  market: { liquidityCredits: 2000, humanGrantCredits: 9000, positionCapShares: 3000 },
  ranking: { leaveOut: 'each-side', priorPrice: 0.3, explorationShare: 0.1, halfLifeHours: 8 },
  jury: { capacity: 100, halfExposure: 1000, assignment: 'nullifier', postsPerBallot: 12 },
}

/**
 * What Curia shipped from the report's first recommendation until the second round of tuning (the report compares
 * the two): b = 1,000, prior 0.4, half-life 6 h, half-exposure 3,000; everything else as shipped today.
 */
export const FIRST_RECOMMENDATION: ParamOverrides = {
  market: { liquidityCredits: 1000 },
  ranking: { priorPrice: 0.4, halfLifeHours: 6 },
  jury: { halfExposure: 3000 },
}

/**
 * The second round's candidates, each applied on top of FIRST_RECOMMENDATION (what shipped when the round began):
 * the knobs the first round's sweeps pointed at, alone and together, and the combinations that led to today's
 * defaults. The report runs every one over the scenarios, so the choice can be re-checked.
 */
export const SECOND_ROUND_CANDIDATES: { label: string; over: ParamOverrides }[] = [
  { label: 'first recommendation (before this round)', over: {} },
  { label: 'half-exposure 1,000', over: { jury: { halfExposure: 1000 } } },
  { label: 'prior 0.5', over: { ranking: { priorPrice: 0.5 } } },
  { label: 'half-life 3 h', over: { ranking: { halfLifeHours: 3 } } },
  {
    label: 'half-exposure 1,000 + prior 0.5 + half-life 3 h',
    over: { jury: { halfExposure: 1000 }, ranking: { priorPrice: 0.5, halfLifeHours: 3 } },
  },
  { label: 'half-life 12 h', over: { ranking: { halfLifeHours: 12 } } },
  { label: 'b = 2,000', over: { market: { liquidityCredits: 2000 } } },
  {
    label: 'b = 2,000 + half-life 8 h + half-exposure 1,000',
    over: { market: { liquidityCredits: 2000 }, ranking: { halfLifeHours: 8 }, jury: { halfExposure: 1000 } },
  },
  {
    label: 'b = 2,000 + prior 0.3 + half-life 7 h + half-exposure 1,000',
    over: {
      market: { liquidityCredits: 2000 },
      ranking: { priorPrice: 0.3, halfLifeHours: 7 },
      jury: { halfExposure: 1000 },
    },
  },
  {
    label: 'b = 2,000 + prior 0.3 + half-life 10 h + half-exposure 1,000',
    over: {
      market: { liquidityCredits: 2000 },
      ranking: { priorPrice: 0.3, halfLifeHours: 10 },
      jury: { halfExposure: 1000 },
    },
  },
  {
    label: 'b = 2,000 + prior 0.3 + half-life 8 h + half-exposure 1,000 (shipped)',
    over: {
      market: { liquidityCredits: 2000 },
      ranking: { priorPrice: 0.3, halfLifeHours: 8 },
      jury: { halfExposure: 1000 },
    },
  },
  {
    label: 'shipped + trader minimum 5',
    over: {
      market: { liquidityCredits: 2000 },
      ranking: { priorPrice: 0.3, halfLifeHours: 8, minTraders: 5 },
      jury: { halfExposure: 1000 },
    },
  },
]

/**
 * What Curia shipped before it adopted the recommendations (the first version of this report measured it): thin
 * markets, no verified-human grant, the single-largest leave-out rule, and jurors free to choose their posts.
 */
export const PREVIOUS_DEFAULTS: ParamOverrides = {
  market: { liquidityCredits: 100, humanGrantCredits: 0, positionCapShares: 300 },
  ranking: { leaveOut: 'largest', priorPrice: 0.5, explorationShare: 0.2, halfLifeHours: 6 },
  jury: { capacity: 50, halfExposure: 1000, assignment: 'free' },
}

export interface EnvSetting {
  name: string
  /** Curia's default today. */
  shipped: string
  recommended: string
  /** The default from the first recommendation until the second round of tuning (FIRST_RECOMMENDATION). */
  firstRound: string
  /** The default before Curia adopted the recommendation. */
  previous: string
  /** Whether Curia reads this variable (false: a knob that is a code constant). */
  exists: boolean
  note: string
}

export const ENV_SETTINGS: EnvSetting[] = [
  {
    name: 'CURIA_MARKET_LIQUIDITY_CREDITS',
    shipped: '2000',
    recommended: '2000',
    firstRound: '1000',
    previous: '100',
    exists: true,
    note: 'b on the scale of a verified curator’s bankroll, deep enough that a farm of starting grants moves a price little; the treasury pays about twice the subsidy of b = 1,000 (see the market-maker loss).',
  },
  {
    name: 'CURIA_MARKET_POSITION_CAP_SHARES',
    shipped: '3000',
    recommended: '3000',
    firstRound: '3000',
    previous: '300',
    exists: true,
    note: 'lets a verified curator answer a farm with its whole conviction; farm accounts hold 1,000 credits and cannot use it.',
  },
  {
    name: 'CURIA_RANK_PRIOR_PRICE',
    shipped: '0.3',
    recommended: '0.3',
    firstRound: '0.4',
    previous: '0.5',
    exists: true,
    note: 'an unpriced post ranks below a consensus-good one, so a fresh low-quality post does not ride its timestamp into the feed; exploration still shows new posts.',
  },
  {
    name: 'CURIA_RANK_EXPLORATION_SHARE',
    shipped: '0.1',
    recommended: '0.1',
    firstRound: '0.1',
    previous: '0.2',
    exists: true,
    note: 'with 200 active curators and a markets page, 10% of slots keeps young posts priced.',
  },
  {
    name: 'CURIA_RANK_MIN_TRADERS',
    shipped: '3',
    recommended: '3',
    firstRound: '3',
    previous: '3',
    exists: true,
    note: 'unchanged: 10 or more leave consensus posts at the prior and let the farm in; 5 is no clear gain (the second round).',
  },
  {
    name: 'CURIA_RANK_HALF_LIFE_HOURS',
    shipped: '8',
    recommended: '8',
    firstRound: '6',
    previous: '6',
    exists: true,
    note: 'with b = 2,000 and prior 0.3, a slower decay keeps well-priced posts up longer, which lowers the low-quality share and the farm’s share; readers see older posts (the feed-age column).',
  },
  {
    name: 'CURIA_HUMAN_GRANT_CREDITS',
    shipped: '9000',
    recommended: '9000',
    firstRound: '9000',
    previous: '(none)',
    exists: true,
    note: 'the verified-human faucet grant (MECHANISM.md), on top of the 1,000 starting grant: the lever that makes a farm small.',
  },
  {
    name: 'CURIA_JURY_CAPACITY',
    shipped: '100',
    recommended: '100',
    firstRound: '100',
    previous: '50',
    exists: true,
    note: 'posts per daily round; the jury table shows the votes per sampled post this leaves.',
  },
  {
    name: 'CURIA_JURY_HALF_EXPOSURE',
    shipped: '1000',
    recommended: '1000',
    firstRound: '3000',
    previous: '1000',
    exists: true,
    note: 'below the median impressions of a post that reached the feed at this traffic, so a pushed post is likely judged; scale it with traffic.',
  },
  {
    name: 'CURIA_JURY_POSTS_PER_BALLOT',
    shipped: '12',
    recommended: '12',
    firstRound: '12',
    previous: '(none: every ballot covered the whole sample, jurors abstaining where they chose)',
    exists: true,
    note: 'posts assigned to each ballot by a hash of the juror’s round nullifier: a cartel cannot concentrate on its posts.',
  },
  {
    name: 'CURIA_JURY_P_MIN',
    shipped: '0.05',
    recommended: '0.05',
    firstRound: '0.05',
    previous: '0.05',
    exists: true,
    note: 'unchanged.',
  },
  {
    name: 'CURIA_JURY_QUORUM',
    shipped: '3',
    recommended: '3',
    firstRound: '3',
    previous: '3',
    exists: true,
    note: 'unchanged: with ~10 or more votes per sampled post, quorum rarely binds.',
  },
]
