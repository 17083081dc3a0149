/**
 * A round's fixed parameters and its timeline, as pure functions of the round's own record.
 *
 * Timeline (cadence c, voting period v), round k opened at T:
 *   T            open: the operator commits to a seed; the root version frozen; the window [prev end, T + c) runs.
 *   T + c        freeze: markets closed in the window (status closed) are the eligible set, with their exposure.
 *                The next round opens at the same instant, so windows tile time with no gap and no overlap.
 *   then         reveal: once the beacon exists (the next block, or at once for the operator beacon) the seed is
 *                revealed, mixed, the sample drawn. Voting runs for v.
 *   + v          close: tally, verdicts, the export's Merkle root; then settlement.
 * The seed is committed before any market of the window has closed, and revealed only after the eligible set and
 * its exposures are fixed; trading on every eligible market ended before the sample existed (no front-running).
 */
import { assertSamplingParams, type SamplingParams } from './sampling'

export interface RoundParams extends SamplingParams {
  /** Endorse + reject votes a sampled post needs for a verdict; fewer and it is void. */
  quorum: number
}

export const DEFAULT_ROUND_PARAMS: RoundParams = {
  pMin: 0.05,
  pMax: 1,
  halfExposure: 1_000,
  capacity: 50,
  quorum: 3,
}

export function assertRoundParams(p: RoundParams): void {
  assertSamplingParams(p)
  if (!Number.isSafeInteger(p.quorum) || p.quorum < 1) throw new TypeError(`bad quorum ${p.quorum}`)
}

/** The params as stored and exported: exactly these keys, so the export's hash does not depend on extras. */
export function roundParamsRecord(p: RoundParams): RoundParams {
  return { pMin: p.pMin, pMax: p.pMax, halfExposure: p.halfExposure, capacity: p.capacity, quorum: p.quorum }
}

/** The instant (epoch ms) the first round's window starts: it takes every market that ever closed. */
export const FIRST_WINDOW_START_MS = 0
