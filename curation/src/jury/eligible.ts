/**
 * A round's eligible list and the commitment to it, fixed at freeze.
 *
 * With the block beacon the operator cannot grind the seed (it committed before the block existed), but it could
 * still steer the sample by editing what the sample is drawn from (dropping a market, raising an exposure) once the
 * block's hash, and so the sample, were known. So freeze stores `eligibleSetHash` of the list, shows it publicly
 * and, when anchoring is configured, anchors it on-chain; only then is the beacon block fixed (the one after the
 * block that included the commitment: `beaconAfterCommitment`).
 * The export carries the hash, and the verifier checks the list against it (and against the chain).
 */
import { canonicalJson, sha256Text, type Hex32 } from './hash'

/** What the sample is drawn from, per market: its id, its post (the ballot's subject) and its frozen exposure. */
export interface EligibleEntry {
  marketId: number
  postUri: string
  exposure: number
}

/**
 * sha256 of `curia/eligible/v1|<roundId>|<canonical JSON of [[marketId, postUri, exposure], ...]>`, the entries
 * in market id order. The round id is inside, so one round's commitment never passes for another's.
 */
export function eligibleSetHash(roundId: number, markets: readonly EligibleEntry[]): Hex32 {
  const entries = [...markets]
    .sort((a, b) => a.marketId - b.marketId)
    .map((m) => [m.marketId, m.postUri, m.exposure])
  return sha256Text(`curia/eligible/v1|${roundId}|${canonicalJson(entries)}`)
}

/**
 * Why a list cannot be sampled from (`drawSample` would throw): a market id or an exposure that is not a safe
 * non-negative integer (ids positive), or a market listed twice. Empty when it can.
 */
export function eligibleListProblems(markets: readonly { marketId: number; exposure: number }[]): string[] {
  const problems: string[] = []
  const seen = new Set<number>()
  for (const m of markets) {
    if (!Number.isSafeInteger(m.marketId) || m.marketId <= 0) {
      problems.push(`eligible: market id ${m.marketId} is not a positive safe integer`)
    } else if (seen.has(m.marketId)) problems.push(`eligible: market ${m.marketId} twice`)
    seen.add(m.marketId)
    if (!Number.isSafeInteger(m.exposure) || m.exposure < 0) {
      problems.push(
        `eligible: market ${m.marketId} exposure ${m.exposure} is not a non-negative safe integer`,
      )
    }
  }
  return problems
}
