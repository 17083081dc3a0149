/**
 * The jury alone: how often the verdict matches the truth, against the number of votes a sampled post gets and the
 * cartel's share, through production's `verdictOf` (curation/src/jury/tally.ts). Ballots follow the run's juror model (honest: perception plus
 * noise; lazy: a coin; cartel: always endorses the attacker's posts). Under 'free' assignment every cartel juror
 * votes on every attacker post; under 'nullifier' assignment the cartel gets its share of each post's votes.
 */
import { verdictOf } from '@curia/curation/jury/tally'
import type { JurorAssignment } from './params'
import { createRng } from './rng'
import { QUALITY_LINE } from './world'

export interface JuryAccuracyInput {
  seed: number
  /** Votes an honest sampled post gets (the sample size). */
  votes: number
  cartelShare: number
  lazyShare: number
  noise: number
  quorum: number
  assignment: JurorAssignment
  /** Jurors in the pool (free assignment: every cartel juror votes on every attacker post). */
  jurors: number
  trials: number
}

export interface JuryAccuracy {
  /** Verdicts matching the truth, over honest posts (q ~ Beta(2,2)). */
  honestAccuracy: number
  /** Attacker posts (q in [0.05, 0.35]) correctly rejected. */
  attackerRejected: number
  voidRate: number
}

export function juryAccuracy(input: JuryAccuracyInput): JuryAccuracy {
  const rng = createRng(input.seed, `jury-sweep/${input.votes}/${input.cartelShare}/${input.assignment}`)
  const cartelJurors = Math.round(input.jurors * input.cartelShare)
  const honestVote = (q: number) => (q + input.noise * rng.normal() >= QUALITY_LINE ? 'endorse' : 'reject')
  const otherVote = (q: number) =>
    rng.chance(input.lazyShare) ? (rng.chance(0.5) ? 'endorse' : 'reject') : honestVote(q)
  let honestCorrect = 0
  let honestDecided = 0
  let attackerRejected = 0
  let voids = 0
  let attackerTrials = 0
  for (let t = 0; t < input.trials; t++) {
    const attacker = t % 2 === 1
    const q = attacker ? 0.05 + 0.3 * rng.next() : rng.beta(2, 2)
    const tally = { endorse: 0, reject: 0, abstain: 0 }
    if (attacker && input.assignment === 'free') {
      tally.endorse += cartelJurors
      // The other jurors' votes on this post: the same count an honest post gets, less the cartel's seats.
      const others = Math.round(input.votes * (1 - input.cartelShare))
      for (let i = 0; i < others; i++) tally[otherVote(q)]++
    } else {
      for (let i = 0; i < input.votes; i++) {
        if (rng.chance(input.cartelShare)) tally[attacker ? 'endorse' : honestVote(q)]++
        else tally[otherVote(q)]++
      }
    }
    const verdict = verdictOf(tally.endorse, tally.reject, input.quorum)
    if (verdict === 'void') voids++
    if (attacker) {
      attackerTrials++
      if (verdict === 'reject') attackerRejected++
    } else if (verdict !== 'void') {
      honestDecided++
      if ((verdict === 'endorse') === q >= QUALITY_LINE) honestCorrect++
    }
  }
  return {
    honestAccuracy: honestDecided > 0 ? honestCorrect / honestDecided : 0,
    attackerRejected: attackerTrials > 0 ? attackerRejected / attackerTrials : 0,
    voidRate: voids / input.trials,
  }
}
