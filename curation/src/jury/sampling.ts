/**
 * Which closed markets a round's jury judges: a pure function of the revealed seed, the public beacon, the frozen
 * eligible set (market ids and exposures) and the round's parameters, so anyone can recompute it from the export.
 *
 * Commit-reveal: at opening the operator publishes sha256(seed); after eligibility is frozen it reveals the seed,
 * which is mixed with a beacon nobody knew at commit time. With the block beacon the operator cannot grind the seed
 * against the eligible set (it committed before the block existed); with the operator beacon alone it could, which
 * is why the block beacon is the default outside tests and demos. Its one remaining lever is to withhold a reveal,
 * which is visible (a round stuck in `frozen`).
 */
import type { Hex32 } from './hash'
import { hexToBytes, isHex32, sha256Bytes, sha256Text } from './hash'

/** The public randomness mixed into the seed. */
export type Beacon =
  /** The operator's reveal alone (tests, demos, a deployment without a chain). */
  | { kind: 'operator' }
  /** The hash of the first Ethereum block mined after eligibility froze (chosen at freeze, read at reveal). */
  | { kind: 'block'; chainId: number; number: number; hash: Hex32 }

export type BeaconKind = Beacon['kind']

export interface SamplingParams {
  /** Inclusion probability of a market nobody saw: every market may be judged. 0 < pMin <= pMax. */
  pMin: number
  /** The probability exposure approaches (never quite reaches, for finite exposure). pMax <= 1. */
  pMax: number
  /** Impressions at which a market's probability is halfway from pMin to pMax. */
  halfExposure: number
  /** The jury's capacity: the most markets one round may sample. */
  capacity: number
}

export interface EligibleMarket {
  marketId: number
  /** Impressions of its post when eligibility froze. */
  exposure: number
}

export interface SampleResult {
  /** By market id, ascending: each market's inclusion probability. */
  probabilities: { marketId: number; probability: number }[]
  /** Sampled market ids, ascending. */
  sampled: number[]
}

/** The seed the operator commits to: 32 bytes as 0x hex. */
export function isSeed(value: unknown): value is Hex32 {
  return isHex32(value)
}

/** sha256 of the seed's 32 bytes. */
export function seedCommitment(seed: Hex32): Hex32 {
  if (!isSeed(seed)) throw new TypeError('a seed is 32 bytes as 0x-prefixed lowercase hex')
  return sha256Bytes(hexToBytes(seed))
}

/** The seed mixed with the beacon: a domain-tagged sha256 over the seed and everything the beacon names. */
export function mixSeed(seed: Hex32, beacon: Beacon): Hex32 {
  if (!isSeed(seed)) throw new TypeError('a seed is 32 bytes as 0x-prefixed lowercase hex')
  const tail =
    beacon.kind === 'operator' ? 'operator' : `block|${beacon.chainId}|${beacon.number}|${beacon.hash}`
  return sha256Text(`curia/mix/v1|${seed}|${tail}`)
}

/** H(mixedSeed, marketId) as a 256-bit integer: market i is sampled when draw / 2^256 < p_i. */
export function sampleDraw(mixedSeed: Hex32, marketId: number): bigint {
  return BigInt(sha256Text(`curia/sample/v1|${mixedSeed}|${marketId}`))
}

export function assertSamplingParams(p: SamplingParams): void {
  const ok =
    Number.isFinite(p.pMin) &&
    Number.isFinite(p.pMax) &&
    p.pMin > 0 &&
    p.pMin <= p.pMax &&
    p.pMax <= 1 &&
    Number.isFinite(p.halfExposure) &&
    p.halfExposure > 0 &&
    Number.isSafeInteger(p.capacity) &&
    p.capacity >= 0
  if (!ok) throw new TypeError(`invalid sampling parameters: ${JSON.stringify(p)}`)
}

/**
 * Inclusion probabilities, in market id order.
 *
 * Raw: p = pMin + (pMax - pMin) * e / (e + halfExposure): rises with exposure e, pMin at zero, saturating at pMax.
 * Capacity: when the expected sample size (the sum of p) exceeds the capacity, scale down:
 *  - if the floor fits (n * pMin < capacity), keep every floor and scale only the part above it, so the sum is the
 *    capacity and every p stays >= pMin;
 *  - otherwise even the floors alone exceed the capacity: scale every p by capacity / sum (order kept, the floor
 *    cannot be honoured).
 * Only +, -, *, / are used: IEEE 754 rounds each exactly the same everywhere, and the sum runs in market id order,
 * so every verifier computes bit-identical probabilities.
 */
export function inclusionProbabilities(
  markets: readonly EligibleMarket[],
  params: SamplingParams,
): { marketId: number; probability: number }[] {
  assertSamplingParams(params)
  const sorted = sortedMarkets(markets)
  const { pMin, pMax, halfExposure, capacity } = params
  const raw = sorted.map((m) => pMin + (pMax - pMin) * (m.exposure / (m.exposure + halfExposure)))
  let total = 0
  for (const r of raw) total += r
  const n = sorted.length
  let probabilities = raw
  if (total > capacity) {
    const floors = n * pMin
    if (floors < capacity) {
      const excess = total - floors
      const room = capacity - floors
      probabilities = raw.map((r) => pMin + (r - pMin) * (room / excess))
    } else {
      probabilities = raw.map((r) => r * (capacity / total))
    }
  }
  return sorted.map((m, i) => ({ marketId: m.marketId, probability: probabilities[i]! }))
}

/**
 * The sample: market i is in when draw_i / 2^256 < p_i, compared exactly in integers (p_i is a double, so
 * p_i * 2^53 is an integer and draw_i * 2^53 < floor(p_i * 2^53) * 2^256 decides it). If more markets fall under
 * their thresholds than the capacity allows (possible: the capacity bounds the expected size), the sample keeps
 * the `capacity` markets whose draws fell furthest under their thresholds (smallest draw_i / p_i, exact, ties to
 * the lower id), so the realised sample never exceeds the capacity.
 */
export function drawSample(
  mixedSeed: Hex32,
  markets: readonly EligibleMarket[],
  params: SamplingParams,
): SampleResult {
  const probabilities = inclusionProbabilities(markets, params)
  const hits: { marketId: number; draw: bigint; threshold: bigint }[] = []
  for (const { marketId, probability } of probabilities) {
    const threshold = BigInt(Math.floor(probability * 2 ** 53))
    const draw = sampleDraw(mixedSeed, marketId)
    if (draw < threshold << 203n) hits.push({ marketId, draw, threshold })
  }
  if (hits.length > params.capacity) {
    // a.draw / a.threshold < b.draw / b.threshold  <=>  a.draw * b.threshold < b.draw * a.threshold (both > 0).
    hits.sort((a, b) => {
      const l = a.draw * b.threshold
      const r = b.draw * a.threshold
      return l < r ? -1 : l > r ? 1 : a.marketId - b.marketId
    })
    hits.length = params.capacity
  }
  return { probabilities, sampled: hits.map((h) => h.marketId).sort((a, b) => a - b) }
}

function sortedMarkets(markets: readonly EligibleMarket[]): EligibleMarket[] {
  const sorted = [...markets].sort((a, b) => a.marketId - b.marketId)
  for (let i = 0; i < sorted.length; i++) {
    const m = sorted[i]!
    if (!Number.isSafeInteger(m.marketId) || m.marketId <= 0)
      throw new TypeError(`bad market id ${m.marketId}`)
    if (!Number.isSafeInteger(m.exposure) || m.exposure < 0) throw new TypeError(`bad exposure ${m.exposure}`)
    if (i > 0 && sorted[i - 1]!.marketId === m.marketId) throw new TypeError(`market ${m.marketId} twice`)
  }
  return sorted
}
