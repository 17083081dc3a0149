/**
 * Where a visiting curator's attention goes: the markets page (the newest markets, uniformly) with probability
 * `discoveryShare`, otherwise a feed position chosen with the readers' attention curve. Shared by Curia's run and
 * the stake-weighted baseline, so curators find posts the same way in both.
 */
import type { Rng } from '../rng'

/** Attention a reader gives feed position `rank` (0-based): halves every `halfLifeRanks` positions. */
export function attention(rank: number, halfLifeRanks: number): number {
  return Math.pow(0.5, rank / halfLifeRanks)
}

export function pickLook<T>(
  recent: readonly T[],
  feed: readonly T[],
  r: Rng,
  opts: { discoveryShare: number; attentionHalfLifeRanks: number },
): T | undefined {
  if (r.chance(opts.discoveryShare) || feed.length === 0) {
    return recent.length > 0 ? r.pick(recent) : undefined
  }
  let total = 0
  for (let i = 0; i < feed.length; i++) total += attention(i, opts.attentionHalfLifeRanks)
  let u = r.next() * total
  for (let i = 0; i < feed.length; i++) {
    u -= attention(i, opts.attentionHalfLifeRanks)
    if (u <= 0) return feed[i]
  }
  return feed[feed.length - 1]
}
