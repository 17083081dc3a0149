/**
 * The jury's pure functions, as the simulator calls them: production code from curation/src/jury (sampling.ts:
 * commit-reveal seed mixed with a beacon, exposure-weighted inclusion probabilities with a floor and a capacity, the
 * sample as H(seed, marketId) / 2^256 < p_i; assignment.ts: the posts a ballot covers, by a hash of the mixed seed
 * and the juror's round nullifier; tally.ts: endorse / reject / void with a quorum). This file only adapts shapes
 * (the simulator's posts become `post:<id>` URIs, its impressions integer exposures) and stands in for the one
 * thing it cannot run, a Semaphore proof: a juror's round nullifier is a hash of (seed, round, juror) instead.
 */
import { assignBallotPosts } from '@curia/curation/jury/assignment'
import type { Vote } from '@curia/curation/jury/ballot'
import { hashToField, type Hex32 } from '@curia/curation/jury/hash'
import { DEFAULT_ROUND_PARAMS, type RoundParams } from '@curia/curation/jury/round'
import { drawSample, mixSeed, type Beacon } from '@curia/curation/jury/sampling'
import { tallyBallots, type Verdict } from '@curia/curation/jury/tally'

export type { Verdict, Vote }
export type JuryRoundParams = RoundParams
export { DEFAULT_ROUND_PARAMS }

export interface Tally {
  endorse: number
  reject: number
  abstain: number
}

export const postUri = (postId: number) => `post:${postId}`
const postIdOf = (uri: string) => Number(uri.slice('post:'.length))

/**
 * The round's sample. `secretHex` and `beaconHex` are 32-byte values the simulator's seeded PRNG made; the beacon
 * plays the block hash (the production default), so the operator's seed alone does not decide the sample.
 */
export function sampleRound(
  secretHex: `0x${string}`,
  beaconHex: `0x${string}`,
  markets: readonly { marketId: number; impressions: number }[],
  params: JuryRoundParams,
): { mixedSeed: Hex32; probabilities: Map<number, number>; sampled: Set<number> } {
  const beacon: Beacon = { kind: 'block', chainId: 1, number: 1, hash: beaconHex }
  const mixedSeed = mixSeed(secretHex, beacon)
  const result = drawSample(
    mixedSeed,
    markets.map((m) => ({ marketId: m.marketId, exposure: Math.round(m.impressions) })),
    params,
  )
  return {
    mixedSeed,
    probabilities: new Map(result.probabilities.map((p) => [p.marketId, p.probability])),
    sampled: new Set(result.sampled),
  }
}

/**
 * A juror's round nullifier. In production it is Poseidon(hash(scope), the identity's secret), public in the proof
 * and fixed per juror per round; here a hash of (run seed, round, juror) with the same properties that matter to
 * the assignment: fixed for the round, different across jurors and rounds, unrelated to the posts.
 */
export function simNullifier(seed: number, round: number, juror: number): string {
  return hashToField(`curia-sim/nullifier|${seed}|${round}|${juror}`).toString()
}

/** The sampled posts (ids) a juror's ballot covers, by production's `assignBallotPosts`; in id order. */
export function assignedPostIds(
  mixedSeed: Hex32,
  nullifier: string,
  sampledPostIds: readonly number[],
  postsPerBallot: number,
): number[] {
  return assignBallotPosts({
    mixedSeed,
    nullifier,
    sampledPostUris: sampledPostIds.map(postUri),
    postsPerBallot,
  })
    .map(postIdOf)
    .sort((a, b) => a - b)
}

/** Tallies the round's ballots (one map per juror: post -> vote) over the sampled posts with production's tally. */
export function tallyRound(
  sampledPostIds: readonly number[],
  ballots: readonly ReadonlyMap<string, Vote>[],
  quorum: number,
): Map<number, Tally & { verdict: Verdict }> {
  const tallies = tallyBallots(sampledPostIds.map(postUri), ballots, quorum)
  return new Map(tallies.map((t, i) => [sampledPostIds[i]!, t]))
}

export const JURY_CORE_SOURCE = 'curation/src/jury (sampling.ts, assignment.ts, tally.ts)'
