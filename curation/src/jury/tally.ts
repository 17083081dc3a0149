/**
 * Verdicts from ballots. Per sampled post: endorse when endorse votes > reject votes and the votes reach the quorum;
 * reject when they reach it otherwise (a tie does not endorse: the market asked "will the jury endorse it?");
 * void (refund) without quorum.
 *
 * Abstentions do not count toward the quorum: a post most jurors felt unable to judge should be refunded rather
 * than decided by the one or two who did vote. They are still tallied and published.
 */
import type { Vote } from './ballot'

export type Verdict = 'endorse' | 'reject' | 'void'

export interface PostTally {
  postUri: string
  endorse: number
  reject: number
  abstain: number
  verdict: Verdict
}

export function verdictOf(endorse: number, reject: number, quorum: number): Verdict {
  if (endorse + reject < quorum) return 'void'
  return endorse > reject ? 'endorse' : 'reject'
}

/**
 * Tallies ballots (each already checked to cover exactly the sampled posts) over the sampled posts; the result is
 * in the order of `sampledPostUris`. A post a ballot does not mention counts as nothing for that ballot.
 */
export function tallyBallots(
  sampledPostUris: readonly string[],
  ballots: readonly ReadonlyMap<string, Vote>[],
  quorum: number,
): PostTally[] {
  if (!Number.isSafeInteger(quorum) || quorum < 1) throw new TypeError(`bad quorum ${quorum}`)
  return sampledPostUris.map((postUri) => {
    const counts = { endorse: 0, reject: 0, abstain: 0 }
    for (const ballot of ballots) {
      const vote = ballot.get(postUri)
      if (vote) counts[vote] += 1
    }
    return { postUri, ...counts, verdict: verdictOf(counts.endorse, counts.reject, quorum) }
  })
}
