/**
 * Accepting anonymous ballots. The request carries no cookie, account or address, and nothing about the sender is
 * stored: only the proof, its nullifier and the content.
 *
 * Semaphore's verifyProof checks only that the proof is valid for the public values it carries; it does not know
 * which depth, scope, root or message this round requires, nor whether the nullifier was used (on-chain the
 * contract does that). So the server checks, in this order, refusing with the first failure and recording nothing:
 *   1. shape and sizes (proof fields, canonical decimals, canonical content)   bad_ballot
 *   2. the proof's depth is the fixed depth                                       wrong_depth
 *   3. its scope is this round's scope                                            wrong_scope
 *   4. its root is the root the round froze (not a stale one, not another group's) wrong_root
 *   5. its message is sha256(content)                                             wrong_message
 *   6. the round is voting                                                         voting_closed
 *   6b. the content covers exactly the posts assigned to the proof's nullifier     wrong_assignment
 *       (../jury/assignment.ts: the round's postsPerBallot of its sample, by hash; the whole sample for a round
 *       without postsPerBallot), each once
 *   7. the proof verifies                                                         invalid_proof
 *   8. the nullifier is unused in this round: the primary key decides a race      duplicate_ballot
 * The cheap checks come first so a flood of junk costs a parse each, not a pairing check.
 *
 * The first ballot stands: the nullifier does not depend on the message, so a "changed" ballot would have the same
 * nullifier, and anyone who saw the first proof could replay it; there is no way to tell the juror's own change
 * from a replay.
 */
import { verifyProof as semaphoreVerifyProof, type SemaphoreProof } from '@semaphore-protocol/core'
import type { Database } from '@curia/db'
import { CurationError } from '../errors'
import { assignBallotPosts } from '../jury/assignment'
import { ballotMessage, coversExactly, parseBallotContent, parseProofShape, roundScope } from '../jury/ballot'
import { JURY_TREE_DEPTH } from '../jury/group'
import { inTransaction } from '../ledger/transaction'
import { isVerifierUnavailable } from './ballot-verifier'
import { selectRound } from './round'

export type VerifyProof = (proof: SemaphoreProof) => Promise<boolean>

/**
 * Semaphore's verifyProof (or the given pool's), last of the checks: a proof that throws is one that fails. A
 * verifier that could not check it (a pool whose threads stopped) is not the proof's fault: that error passes on,
 * and the ballot is neither refused as invalid nor recorded.
 */
export async function assertProofVerifies(proof: SemaphoreProof, verifyProof?: VerifyProof): Promise<void> {
  let valid: boolean
  try {
    valid = await (verifyProof ?? semaphoreVerifyProof)(proof)
  } catch (err) {
    if (isVerifierUnavailable(err)) throw err
    valid = false
  }
  if (!valid) throw new CurationError('invalid_proof', 'The proof does not verify.')
}

export interface SubmitBallotOptions {
  roundId: unknown
  proof: unknown
  content: unknown
  /** Defaults to the clock; tests pass it. */
  now?: Date
  /** Semaphore's verifyProof unless given (a worker pool, say). */
  verifyProof?: VerifyProof
}

export interface BallotAccepted {
  roundId: number
  nullifier: string
}

export async function submitBallot(database: Database, opts: SubmitBallotOptions): Promise<BallotAccepted> {
  const now = opts.now ?? new Date()
  // 1. Shape and sizes.
  const roundId = opts.roundId
  if (typeof roundId !== 'number' || !Number.isSafeInteger(roundId) || roundId <= 0) {
    throw new CurationError('bad_ballot', 'A round id is a positive integer.')
  }
  const proof = parseProofShape(opts.proof)
  const content = opts.content as string
  const votes = parseBallotContent(content)
  // 2. Depth: every juror proves at the same depth, or right-edge members would stand out.
  if (proof.merkleTreeDepth !== JURY_TREE_DEPTH) {
    throw new CurationError(
      'wrong_depth',
      `Ballots are proved at tree depth ${JURY_TREE_DEPTH}, not ${proof.merkleTreeDepth}.`,
    )
  }
  // 3. Scope: a proof made for another round (or the faucet) does not count here.
  if (proof.scope !== roundScope(roundId).toString()) {
    throw new CurationError('wrong_scope', `This proof was made for another scope than round ${roundId}.`)
  }
  // 4. Root: only the version the round froze at opening.
  const round = await selectRound(database.sql, roundId)
  if (!round) throw new CurationError('unknown_round', `There is no round ${roundId}.`)
  if (round.root === null || proof.merkleTreeRoot !== round.root) {
    throw new CurationError(
      'wrong_root',
      `This proof is against another group root; round ${roundId} accepts root version ${round.rootVersion} only.`,
    )
  }
  // 5. Message: the proof signs exactly this content.
  if (proof.message !== ballotMessage(content).toString()) {
    throw new CurationError('wrong_message', 'The proof was made for different ballot content.')
  }
  // 6. Open for voting, and the ballot judges exactly the posts its nullifier is assigned. The nullifier is not
  // proved yet (step 7), but a ballot whose proof fails is refused anyway, and one that verifies has exactly it.
  if (round.status !== 'voting' || now.getTime() >= Date.parse(round.votingEndsAt!)) {
    throw new CurationError('voting_closed', `Round ${roundId} is not taking ballots.`)
  }
  const sampled = await database.sql<{ postUri: string }[]>`
    select post_uri as "postUri" from jury_round_market where round_id = ${roundId} and sampled`
  const assigned = assignBallotPosts({
    mixedSeed: round.mixedSeed!,
    nullifier: proof.nullifier,
    sampledPostUris: sampled.map((s) => s.postUri),
    postsPerBallot: round.params.postsPerBallot,
  })
  if (!coversExactly(votes, assigned)) {
    throw new CurationError(
      'wrong_assignment',
      assigned.length === sampled.length
        ? `A ballot must vote on each of round ${roundId}'s ${sampled.length} sampled posts, once.`
        : `A ballot must vote on exactly the ${assigned.length} of round ${roundId}'s ${sampled.length} sampled ` +
            `posts its nullifier is assigned (each once, nothing else).`,
    )
  }
  // 7. The proof itself.
  await assertProofVerifies(proof, opts.verifyProof)
  // 8. Insert under a shared lock on the round (close takes it exclusively, so no ballot lands after the tally);
  // the primary key (round, nullifier) lets exactly one of two racing copies in.
  return inTransaction(database, async (tx) => {
    const [open] = await tx<{ open: boolean }[]>`
      select status = 'voting' and voting_ends_at > ${now.toISOString()}::timestamptz as open
      from jury_round where id = ${roundId} for share`
    if (!open?.open) throw new CurationError('voting_closed', `Round ${roundId} is not taking ballots.`)
    const inserted = await tx`
      insert into jury_ballot (round_id, nullifier, proof, content)
      values (${roundId}, ${proof.nullifier}, ${JSON.stringify(proof)}::jsonb, ${content})
      on conflict (round_id, nullifier) do nothing
      returning 1`
    if (inserted.length === 0) {
      throw new CurationError(
        'duplicate_ballot',
        'A ballot from this juror is already in; the first ballot stands.',
      )
    }
    return { roundId, nullifier: proof.nullifier }
  })
}
