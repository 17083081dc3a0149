/**
 * Every knob of a simulated run. Amounts are in credits (plain numbers, so sweeps and reports read naturally); the
 * engine converts them to integer micro-credits once. Defaults are Curia's shipped config wherever Curia has the
 * knob (curation/src/market/params.ts, curation/src/config.ts, curation/src/jury/round.ts; test/shipped.test.ts
 * checks each against Curia's own defaults), so the "shipped" runs measure what ships today.
 */
import { parseCurationConfig } from '@curia/curation/config'
import { DEFAULT_LEDGER_PARAMS, DEFAULT_MARKET_PARAMS } from '@curia/curation/market/params'
import type { LeaveOut } from './book'
import { DEFAULT_ROUND_PARAMS } from './core/jury'

export type JurorAssignment =
  /** A juror's ballot may cover any sampled post (what the server allowed before assignment): a cartel concentrates. */
  | 'free'
  /** A ballot covers exactly the posts a hash of the juror's round nullifier assigns (what ships). */
  | 'nullifier'

const credits = (micro: bigint) => Number(micro) / 1_000_000
/** Curia's ranking defaults: what its config parses from an empty environment. */
const CURIA_RANKING = parseCurationConfig({}).ranking

export interface SimParams {
  seed: number
  world: {
    /**
     * The attacker posts during this many hours; feed metrics are measured from `warmupHours` until its last post
     * has left the feed (this + the market window). Honest posts keep arriving until the run ends, so the feed stays
     * as full in the last measured hour as in the first; the run lasts until the markets of every measured post
     * have settled.
     */
    postingHours: number
    warmupHours: number
    honestPostsPerHour: number
    /** The attacker (whale and/or farm) posts one low-quality post this often (hours); 0: no attacker posts. */
    attackerPostEveryHours: number
    /** Attacker posts' hidden quality is uniform in this range (low: below the jury's 0.5 line). */
    attackerQuality: [number, number]
  }
  market: {
    liquidityCredits: number
    positionCapShares: number
    startingGrantCredits: number
    /** The verified-human faucet grant, on top of the starting grant, for honest curators only (farms get none). */
    humanGrantCredits: number
    windowHours: number
    treasuryCredits: number
  }
  ranking: {
    halfLifeHours: number
    minTraders: number
    priorPrice: number
    explorationShare: number
    explorationMaxTrades: number
    /** Feed positions readers see (top-30). */
    depth: number
    /**
     * Whose position the robust price leaves out. 'each-side' is what ships (market-rank.ts: the largest net-YES
     * and the largest net-NO account, so a farm's many equal positions cannot make an honest counter-trader the one
     * removed). 'largest' is what shipped before (the single account with the largest |yes - no|). 'winsorize' is an
     * alternative measured here: cut the largest position down to the runner-up's size on its side instead of
     * removing it, so one account still cannot lift a post alone, but a post one curator priced first keeps that
     * signal.
     */
    leaveOut: LeaveOut
  }
  readers: {
    /** Reader sessions per hour; each views the top-`depth` positions with the attention curve below. */
    perHour: number
    /** Attention halves every this many positions: position r is seen with probability 0.5^(r / this). */
    attentionHalfLifeRanks: number
    /** Likes baseline: a reader who sees a post likes it with this probability times P(it looks good to them). */
    likeRate: number
    /** Likes baseline: views each post gets outside the feed (its author's followers). */
    followerViews: number
    /** Perception noise of a reader (same model as a curator's private signal). */
    noise: number
  }
  curators: {
    count: number
    /** Probability a curator visits in a given hour. */
    activePerHour: number
    /** Posts a visiting curator evaluates. */
    looksPerVisit: number
    /** Share of looks at newly opened markets (the markets page) rather than the feed. */
    discoveryShare: number
    /** Newest markets the markets page lists (by age, hours). */
    discoveryHours: number
    /** Private-signal noise, spread evenly over curators from the first to the second. */
    noise: [number, number]
    /** Trust in the displayed price per trader so far (see agents/curator.ts). */
    priceTrust: number
    /** Most weight a curator gives the price. */
    maxPriceWeight: number
    /** Fractional Kelly multiplier for a curator's stake (see agents/curator.ts). */
    kellyMultiplier: number
    /** Most of its balance a curator puts into one trade. */
    riskFraction: number
    /** A curator trades only when its belief and the price differ by more than this. */
    edge: number
  }
  attacker: {
    /** The whale's share of all curator credits (0: no whale). */
    whaleShare: number
    /** Fresh accounts, each with only the starting grant (0: no farm). */
    farmSize: number
    /** Share of the jury that always endorses the attacker's posts (0: no cartel). */
    cartelShare: number
    /** The attacker buys YES until the ranking's robust price of its post reaches this. */
    pushTo: number
  }
  jury: {
    jurors: number
    /** Share of (non-cartel) jurors who vote at random. */
    lazyShare: number
    /** An honest juror's perception noise. */
    noise: number
    /** Probability an honest or lazy juror casts a ballot in a round (the cartel always does). */
    participation: number
    /** Sampled posts one ballot covers (production's round param `postsPerBallot`). */
    postsPerBallot: number
    assignment: JurorAssignment
    /** Production's round parameters (curation/src/jury/round.ts): endorse + reject votes needed, else void. */
    quorum: number
    /** Most markets a round samples. */
    capacity: number
    /** Inclusion probability of a market nobody saw. */
    pMin: number
    /** The probability exposure approaches. */
    pMax: number
    /** Impressions at which a market's probability is halfway from pMin to pMax (lower: exposure weighs more). */
    halfExposure: number
  }
}

export const DEFAULT_PARAMS: SimParams = {
  seed: 1,
  world: {
    postingHours: 72,
    warmupHours: 12,
    honestPostsPerHour: 8,
    attackerPostEveryHours: 3,
    attackerQuality: [0.05, 0.35],
  },
  market: {
    liquidityCredits: credits(DEFAULT_MARKET_PARAMS.liquidityMicro),
    positionCapShares: credits(DEFAULT_MARKET_PARAMS.positionCapMicro),
    startingGrantCredits: credits(DEFAULT_LEDGER_PARAMS.startingGrantMicro),
    humanGrantCredits: credits(DEFAULT_LEDGER_PARAMS.humanGrantMicro),
    windowHours: DEFAULT_MARKET_PARAMS.windowMs / 3_600_000,
    treasuryCredits: credits(DEFAULT_LEDGER_PARAMS.treasuryFundingMicro),
  },
  // curation/src/config.ts's defaults (CURIA_RANK_*), except depth: the top 30 readers see, not the 1,000 served.
  ranking: {
    halfLifeHours: CURIA_RANKING.halfLifeMs / 3_600_000,
    minTraders: CURIA_RANKING.minTraders,
    priorPrice: CURIA_RANKING.priorPrice,
    explorationShare: CURIA_RANKING.explorationShare,
    explorationMaxTrades: CURIA_RANKING.explorationMaxTrades,
    depth: 30,
    leaveOut: 'each-side',
  },
  readers: { perHour: 2000, attentionHalfLifeRanks: 10, likeRate: 0.08, followerViews: 60, noise: 0.2 },
  curators: {
    count: 200,
    activePerHour: 0.25,
    looksPerVisit: 4,
    discoveryShare: 0.5,
    discoveryHours: 12,
    noise: [0.08, 0.3],
    priceTrust: 0.3,
    maxPriceWeight: 0.8,
    kellyMultiplier: 0.5,
    riskFraction: 0.1,
    edge: 0.05,
  },
  attacker: { whaleShare: 0, farmSize: 0, cartelShare: 0, pushTo: 0.95 },
  jury: {
    jurors: 150,
    lazyShare: 0.1,
    noise: 0.15,
    participation: 0.7,
    assignment: 'nullifier',
    // pMin, pMax, halfExposure, capacity, quorum, postsPerBallot: production's DEFAULT_ROUND_PARAMS.
    ...DEFAULT_ROUND_PARAMS,
  },
}

/** A deep partial, for scenarios and sweeps to override only what they change. */
export type ParamOverrides = {
  [K in keyof SimParams]?: SimParams[K] extends object ? Partial<SimParams[K]> : SimParams[K]
}

export function withParams(base: SimParams, over: ParamOverrides): SimParams {
  return {
    seed: over.seed ?? base.seed,
    world: { ...base.world, ...over.world },
    market: { ...base.market, ...over.market },
    ranking: { ...base.ranking, ...over.ranking },
    readers: { ...base.readers, ...over.readers },
    curators: { ...base.curators, ...over.curators },
    attacker: { ...base.attacker, ...over.attacker },
    jury: { ...base.jury, ...over.jury },
  }
}
