/**
 * The configuration this simulator recommends, chosen from the sweeps in the report (sim/report/REPORT.md explains
 * each value), and how each knob maps to Curia's environment.
 */
import type { ParamOverrides } from './params'

export const RECOMMENDED: ParamOverrides = {
  market: { liquidityCredits: 1000, humanGrantCredits: 9000, positionCapShares: 3000 },
  ranking: { leaveOut: 'each-side', priorPrice: 0.4, explorationShare: 0.1 },
  jury: { capacity: 100, halfExposure: 3000 },
}

/** The same without the one change that needs code (the robust price's leave-out rule): config alone. */
export const RECOMMENDED_CONFIG_ONLY: ParamOverrides = {
  ...RECOMMENDED,
  ranking: { ...RECOMMENDED.ranking, leaveOut: 'largest' },
}

export interface EnvSetting {
  name: string
  shipped: string
  recommended: string
  /** Whether Curia reads this variable today (false: a proposed name for a knob that is still a code constant). */
  exists: boolean
  note: string
}

export const ENV_SETTINGS: EnvSetting[] = [
  {
    name: 'CURIA_MARKET_LIQUIDITY_CREDITS',
    shipped: '100',
    recommended: '1000',
    exists: true,
    note: 'b on the scale of a verified curator’s bankroll; costs the treasury more (see the market-maker loss).',
  },
  {
    name: 'CURIA_MARKET_POSITION_CAP_SHARES',
    shipped: '300',
    recommended: '3000',
    exists: true,
    note: 'lets a verified curator answer a farm with its whole conviction; farm accounts hold 1,000 credits and cannot use it.',
  },
  {
    name: 'CURIA_RANK_PRIOR_PRICE',
    shipped: '0.5',
    recommended: '0.4',
    exists: true,
    note: 'an unpriced post ranks below a consensus-good one; exploration still shows it.',
  },
  {
    name: 'CURIA_RANK_EXPLORATION_SHARE',
    shipped: '0.2',
    recommended: '0.1',
    exists: true,
    note: 'with 200 active curators and a markets page, 10% of slots keeps young posts priced.',
  },
  {
    name: 'CURIA_RANK_MIN_TRADERS',
    shipped: '3',
    recommended: '3',
    exists: true,
    note: 'unchanged: higher values leave consensus posts at the prior and help the farm.',
  },
  {
    name: 'CURIA_RANK_HALF_LIFE_HOURS',
    shipped: '6',
    recommended: '6',
    exists: true,
    note: 'unchanged: longer half-lives improve honest quality but let a pumped post stay up longer.',
  },
  {
    name: 'CURIA_HUMAN_GRANT_CREDITS',
    shipped: '(none)',
    recommended: '9000',
    exists: false,
    note: 'the verified-human faucet grant (MECHANISM.md), on top of the 1,000 starting grant: the lever that makes a farm small.',
  },
  {
    name: 'CURIA_JURY_CAPACITY',
    shipped: '50 (DEFAULT_ROUND_PARAMS)',
    recommended: '100',
    exists: false,
    note: 'posts per daily round; the report shows the votes per sampled post this leaves.',
  },
  {
    name: 'CURIA_JURY_HALF_EXPOSURE',
    shipped: '1000 (DEFAULT_ROUND_PARAMS)',
    recommended: '3000',
    exists: false,
    note: 'about the median impressions of a post that reached the feed at this traffic; scale it with traffic.',
  },
  {
    name: 'CURIA_JURY_P_MIN',
    shipped: '0.05',
    recommended: '0.05',
    exists: false,
    note: 'unchanged.',
  },
  {
    name: 'CURIA_JURY_QUORUM',
    shipped: '3',
    recommended: '3',
    exists: false,
    note: 'unchanged: with ~10 or more votes per sampled post, quorum rarely binds.',
  },
]
