/**
 * The jury's pure functions as the simulator uses them: mixing the round's seed, the exposure-weighted sample, and
 * the tally. MECHANISM.md "Jury layer":
 *   market i is sampled when H(seed, marketId) / 2^256 < p_i,
 *   p_i rising with exposure, floored at p_min, capped by the jury's capacity;
 *   endorse when endorse votes > reject votes and votes >= quorum; no quorum -> void.
 *
 * ADAPTER. The production jury core (curation/src/jury/**) was being written while this simulator was; until it
 * lands, `fallbackJuryCore` implements the spec above literally. Swap `juryCore` for the real functions when they
 * exist (the simulator only calls through this interface), and the report then measures production code.
 */
import { createHash } from 'node:crypto'

export type Verdict = 'endorse' | 'reject' | 'void'
export type Vote = 'endorse' | 'reject' | 'abstain'

export interface SamplingParams {
  /** Every eligible market is sampled with at least this probability (before the capacity cap). */
  pMin: number
  /**
   * How strongly exposure raises p_i: p_i = p_min + exposureWeight * exposure_i / mean exposure of the round's
   * eligible markets (so a market seen as much as the average one gets p_min + exposureWeight).
   */
  exposureWeight: number
  /** The most markets the jury can judge in one round: when the p_i sum past it, all are scaled down. */
  capacity: number
}

export interface EligibleMarket {
  marketId: number
  impressions: number
}

export interface Tally {
  endorse: number
  reject: number
  abstain: number
}

export interface JuryCore {
  /** The round's seed: the operator's revealed secret mixed with a beacon unknown when the secret was committed. */
  mixSeed(secretHex: string, beaconHex: string): string
  /** p_i for every eligible market of a round. */
  samplingProbabilities(markets: readonly EligibleMarket[], params: SamplingParams): Map<number, number>
  /** Whether market `marketId` is sampled: H(seed, marketId) / 2^256 < p. */
  isSampled(seedHex: string, marketId: number, p: number): boolean
  tally(votes: Tally, quorum: number): Verdict
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** The spec implemented literally; see the module comment. */
export const fallbackJuryCore: JuryCore = {
  mixSeed: (secretHex, beaconHex) => sha256(`curia/seed/v1|${secretHex}|${beaconHex}`),

  samplingProbabilities(markets, { pMin, exposureWeight, capacity }) {
    const out = new Map<number, number>()
    if (markets.length === 0) return out
    let total = 0
    for (const m of markets) total += m.impressions
    const meanImpressions = total / markets.length
    let sumP = 0
    for (const m of markets) {
      const relative = meanImpressions > 0 ? m.impressions / meanImpressions : 0
      const p = Math.min(1, pMin + exposureWeight * relative)
      out.set(m.marketId, p)
      sumP += p
    }
    if (sumP > capacity) {
      const scale = capacity / sumP
      for (const [id, p] of out) out.set(id, p * scale)
    }
    return out
  },

  isSampled(seedHex, marketId, p) {
    // The hash's top 52 bits as a fraction of 2^52: the same comparison as H / 2^256 < p to within 2^-52.
    const h = sha256(`curia/sample/v1|${seedHex}|${marketId}`)
    const top = Number.parseInt(h.slice(0, 13), 16)
    return top / 2 ** 52 < p
  },

  tally({ endorse, reject }, quorum) {
    // Abstentions are not votes: a quorum of "I don't know" decides nothing.
    if (endorse + reject < quorum) return 'void'
    return endorse > reject ? 'endorse' : 'reject'
  },
}

export const juryCore: JuryCore = fallbackJuryCore
export const JURY_CORE_SOURCE: 'fallback' | 'curation' = 'fallback'
