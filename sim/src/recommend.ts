/**
 * The configuration this simulator recommends, chosen from the sweeps in the report (sim/report/REPORT.md explains
 * each value), how each knob maps to Curia's environment, and the configuration that shipped before Curia adopted
 * it (the report's counterfactual). Curia ships the recommendation: DEFAULT_PARAMS (params.ts) is Curia's shipped
 * config, and test/shipped.test.ts checks that applying RECOMMENDED to it changes nothing.
 */
import type { ParamOverrides } from './params'

export const RECOMMENDED: ParamOverrides = {
  market: { liquidityCredits: 1000, humanGrantCredits: 9000, positionCapShares: 3000 },
  ranking: { leaveOut: 'each-side', priorPrice: 0.4, explorationShare: 0.1 },
  jury: { capacity: 100, halfExposure: 3000, assignment: 'nullifier', postsPerBallot: 12 },
}

/**
 * What Curia shipped before it adopted the recommendations (the first version of this report measured it): thin
 * markets, no verified-human grant, the single-largest leave-out rule, and jurors free to choose their posts.
 */
export const PREVIOUS_DEFAULTS: ParamOverrides = {
  market: { liquidityCredits: 100, humanGrantCredits: 0, positionCapShares: 300 },
  ranking: { leaveOut: 'largest', priorPrice: 0.5, explorationShare: 0.2 },
  jury: { capacity: 50, halfExposure: 1000, assignment: 'free' },
}

export interface EnvSetting {
  name: string
  /** Curia's default today. */
  shipped: string
  recommended: string
  /** The default before Curia adopted the recommendation. */
  previous: string
  /** Whether Curia reads this variable (false: a knob that is a code constant). */
  exists: boolean
  note: string
}

export const ENV_SETTINGS: EnvSetting[] = [
  {
    name: 'CURIA_MARKET_LIQUIDITY_CREDITS',
    shipped: '1000',
    recommended: '1000',
    previous: '100',
    exists: true,
    note: 'b on the scale of a verified curator’s bankroll; costs the treasury more (see the market-maker loss).',
  },
  {
    name: 'CURIA_MARKET_POSITION_CAP_SHARES',
    shipped: '3000',
    recommended: '3000',
    previous: '300',
    exists: true,
    note: 'lets a verified curator answer a farm with its whole conviction; farm accounts hold 1,000 credits and cannot use it.',
  },
  {
    name: 'CURIA_RANK_PRIOR_PRICE',
    shipped: '0.4',
    recommended: '0.4',
    previous: '0.5',
    exists: true,
    note: 'an unpriced post ranks below a consensus-good one; exploration still shows it.',
  },
  {
    name: 'CURIA_RANK_EXPLORATION_SHARE',
    shipped: '0.1',
    recommended: '0.1',
    previous: '0.2',
    exists: true,
    note: 'with 200 active curators and a markets page, 10% of slots keeps young posts priced.',
  },
  {
    name: 'CURIA_RANK_MIN_TRADERS',
    shipped: '3',
    recommended: '3',
    previous: '3',
    exists: true,
    note: 'unchanged: higher values leave consensus posts at the prior and help the farm.',
  },
  {
    name: 'CURIA_RANK_HALF_LIFE_HOURS',
    shipped: '6',
    recommended: '6',
    previous: '6',
    exists: true,
    note: 'unchanged: longer half-lives improve honest quality but let a pumped post stay up longer.',
  },
  {
    name: 'CURIA_HUMAN_GRANT_CREDITS',
    shipped: '9000',
    recommended: '9000',
    previous: '(none)',
    exists: true,
    note: 'the verified-human faucet grant (MECHANISM.md), on top of the 1,000 starting grant: the lever that makes a farm small.',
  },
  {
    name: 'CURIA_JURY_CAPACITY',
    shipped: '100',
    recommended: '100',
    previous: '50',
    exists: true,
    note: 'posts per daily round; the jury table shows the votes per sampled post this leaves.',
  },
  {
    name: 'CURIA_JURY_HALF_EXPOSURE',
    shipped: '3000',
    recommended: '3000',
    previous: '1000',
    exists: true,
    note: 'about the median impressions of a post that reached the feed at this traffic; scale it with traffic.',
  },
  {
    name: 'CURIA_JURY_POSTS_PER_BALLOT',
    shipped: '12',
    recommended: '12',
    previous: '(none: every ballot covered the whole sample, jurors abstaining where they chose)',
    exists: true,
    note: 'posts assigned to each ballot by a hash of the juror’s round nullifier: a cartel cannot concentrate on its posts.',
  },
  {
    name: 'CURIA_JURY_P_MIN',
    shipped: '0.05',
    recommended: '0.05',
    previous: '0.05',
    exists: true,
    note: 'unchanged.',
  },
  {
    name: 'CURIA_JURY_QUORUM',
    shipped: '3',
    recommended: '3',
    previous: '3',
    exists: true,
    note: 'unchanged: with ~10 or more votes per sampled post, quorum rarely binds.',
  },
]
