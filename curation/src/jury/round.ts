/**
 * A round's fixed parameters and its timeline, as pure functions of the round's own record.
 *
 * Timeline (cadence c, voting period v), round k opened at T:
 *   T            open: the operator commits to a seed; the root version frozen; the window [prev end, T + c) runs.
 *   T + c        freeze: every closed market not yet in a round whose trading closed before T + c (the window's,
 *                and any a previous freeze missed) is the eligible set, with its exposure; the commitment to that
 *                list is stored and shown (and, with a chain, anchored), and only then is the beacon block chosen.
 *                The next round opens at the same instant, so windows tile time with no gap and no overlap.
 *   then         reveal: once the beacon exists (the next block, or at once for the operator beacon) the seed is
 *                revealed, mixed, the sample drawn. Voting runs for v.
 *   + v          close: tally, verdicts, the export's Merkle root; then settlement.
 * The seed is committed before any market of the window has closed, and revealed only after the eligible set and
 * its exposures are fixed and committed to; trading on every eligible market ended before the sample existed (no
 * front-running), and the list cannot be edited once the beacon's hash tells what the sample would be.
 */
import { assertSamplingParams, type SamplingParams } from './sampling'

export interface RoundParams extends SamplingParams {
  /** Endorse + reject votes a sampled post needs for a verdict; fewer and it is void. */
  quorum: number
  /**
   * Sampled posts one ballot covers, assigned by a hash of the juror's round nullifier (assignment.ts). Absent in
   * rounds opened before assignment existed (their stored params lack the key): every ballot covers every post.
   */
  postsPerBallot?: number
}

/**
 * Defaults, from the capture simulation (sim/report/REPORT.md): capacity 100 and half-exposure 1,000 (exposure-
 * weighted: a post pushed up the feed is judged more often than one nobody saw, at pMin; a post with the median
 * impressions of those that reached the simulated feed, about 2,000, is sampled with probability about 0.7; both are
 * absolute, in posts and impressions, so scale them with traffic), 12 posts per ballot (a juror's sitting; with J
 * ballots and n sampled posts each post expects J * 12 / n votes, against the quorum).
 */
export const DEFAULT_ROUND_PARAMS: Required<RoundParams> = {
  pMin: 0.05,
  pMax: 1,
  halfExposure: 1_000,
  capacity: 100,
  quorum: 3,
  postsPerBallot: 12,
}

export function assertRoundParams(p: RoundParams): void {
  assertSamplingParams(p)
  if (!Number.isSafeInteger(p.quorum) || p.quorum < 1) throw new TypeError(`bad quorum ${p.quorum}`)
  if (p.postsPerBallot !== undefined && (!Number.isSafeInteger(p.postsPerBallot) || p.postsPerBallot < 1)) {
    throw new TypeError(`bad postsPerBallot ${p.postsPerBallot}`)
  }
}

/**
 * The params as stored and exported: exactly these keys, so the export's hash does not depend on extras;
 * `postsPerBallot` only when set, so an old round's export hashes as it did at close.
 */
export function roundParamsRecord(p: RoundParams): RoundParams {
  const record: RoundParams = {
    pMin: p.pMin,
    pMax: p.pMax,
    halfExposure: p.halfExposure,
    capacity: p.capacity,
    quorum: p.quorum,
  }
  if (p.postsPerBallot !== undefined) record.postsPerBallot = p.postsPerBallot
  return record
}

/** The instant (epoch ms) the first round's window starts: it takes every market that ever closed. */
export const FIRST_WINDOW_START_MS = 0

/** How many blocks the beacon block comes after the one that included the eligible commitment. */
export const BEACON_DELAY_BLOCKS = 1

/**
 * The beacon block of a round whose eligible commitment is anchored on the beacon's chain: the block right after
 * the one that included the commitment. Fixed by this rule, not chosen: an operator free to name any later block
 * could compute each new block's sample (it holds the seed) and record the one it liked. `verify-round --anchor`
 * checks the commitment is in the state after block `number - 1` and not in the state after `number - 2`.
 */
export function beaconAfterCommitment(commitmentBlock: number): number {
  return commitmentBlock + BEACON_DELAY_BLOCKS
}
