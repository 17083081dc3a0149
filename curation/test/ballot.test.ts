/**
 * Ballots with real Semaphore proofs: the happy path, and every attack refused with its own code and nothing
 * recorded. Proofs are generated once (in parallel) in beforeAll and shared.
 */
import { Group, Identity, type SemaphoreProof } from '@semaphore-protocol/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { isCurationError, type CurationErrorCode } from '../src/errors'
import { ballotMessage, canonicalBallotContent, roundScope, type Vote } from '../src/jury/ballot'
import type { RoundParams } from '../src/jury/round'
import { submitBallot } from '../src/service/ballot'
import { createVerifierPool, isVerifierUnavailable } from '../src/service/ballot-verifier'
import { addMember } from '../src/service/jury-group'
import { closeRound, freezeRound, listRoundOutcomes, revealRound } from '../src/service/round'
import { countBallots, expectRefusal } from './helpers'
import { at, HOUR, MINUTE, openJuryRound, postUri, proveBallot, terminateCurve } from './jury-helpers'

// Every eligible market is sampled (p = 1), so the ballot sheet is known in advance: posts 1, 2, 3.
const PARAMS: RoundParams = { pMin: 1, pMax: 1, halfExposure: 1, capacity: 10, quorum: 3 }
const VOTING_OPEN = at(2 * HOUR + 30 * MINUTE)
const VOTING_OVER = at(4 * HOUR)

let database: Database
let roundId: number
const jurors = Array.from({ length: 5 }, (_, i) => new Identity(`juror-${i + 1}`))
const stranger = new Identity('stranger')
const posts = [1, 2, 3].map(postUri)
const vote = (...votes: Vote[]): [string, Vote][] => posts.map((p, i) => [p, votes[i]!])

type Ballot = { proof: SemaphoreProof; content: string }
let valid1: Ballot // juror-1, accepted first
let second1: Ballot // juror-1 again, other content
let stale1: Ballot // juror-1 against root version 4
let valid3: Ballot // juror-3, raced
let valid4: Ballot // juror-4, first sent too late, then in time
let partial5: Ballot // juror-5, votes on two posts of three
let depth16: Ballot // juror-2 at depth 16
let otherRound: Ballot // juror-2 with another round's scope
let foreign: Ballot // the stranger, in a group of its own

beforeAll(async () => {
  database = await createTestDatabase({ max: 6 })
  const impressions = [1, 2, 3].map((n) => n * 10)
  roundId = await openJuryRound(database, { jurors, impressions, windowMs: 2 * HOUR, params: PARAMS })
  // Joins after the round froze its root: in the group, not in this round.
  await addMember(database, { commitment: new Identity('juror-late').commitment, now: at(HOUR) })
  await freezeRound(database, { roundId, now: at(2 * HOUR) })
  await revealRound(database, { roundId, now: at(2 * HOUR) })

  const group = new Group(jurors.map((j) => j.commitment))
  const stale = new Group(jurors.slice(0, 4).map((j) => j.commitment))
  const strangers = new Group([
    stranger.commitment,
    new Identity('stranger-2').commitment,
    jurors[0]!.commitment,
  ])
  const prove = (identity: Identity, g: Group, votes: Iterable<[string, Vote]>, extra = {}) =>
    proveBallot({ identity, group: g, roundId, votes, ...extra })
  ;[valid1, second1, stale1, valid3, valid4, partial5, depth16, otherRound, foreign] = await Promise.all([
    prove(jurors[0]!, group, vote('endorse', 'endorse', 'reject')),
    prove(jurors[0]!, group, vote('reject', 'reject', 'reject')),
    prove(jurors[0]!, stale, vote('endorse', 'endorse', 'reject')),
    prove(jurors[2]!, group, vote('endorse', 'reject', 'reject')),
    prove(jurors[3]!, group, vote('endorse', 'abstain', 'reject')),
    prove(jurors[4]!, group, vote('endorse', 'endorse').slice(0, 2)),
    prove(jurors[1]!, group, vote('endorse', 'endorse', 'endorse'), { depth: 16 }),
    prove(jurors[1]!, group, vote('endorse', 'endorse', 'endorse'), { scope: roundScope(roundId + 1) }),
    prove(stranger, strangers, vote('reject', 'reject', 'reject')),
  ])
}, 180_000)

afterAll(async () => {
  await database.close()
  await terminateCurve()
})

const ballotCount = () => countBallots(database)

/** Submits and expects a refusal with `code`, and no ballot recorded. */
const refused = (
  ballot: { roundId?: unknown; proof: unknown; content: unknown },
  code: CurationErrorCode,
  now = VOTING_OPEN,
) => expectRefusal(code, () => submitBallot(database, { roundId, now, ...ballot }), ballotCount)

describe('a ballot', () => {
  it('is accepted once with a valid proof, storing only proof, nullifier and content', async () => {
    const accepted = await submitBallot(database, { roundId, ...valid1, now: VOTING_OPEN })
    expect(accepted).toEqual({ roundId, nullifier: valid1.proof.nullifier })
    const rows = await database.sql`select * from jury_ballot`
    expect(rows).toHaveLength(1)
    expect(Object.keys(rows[0]!).sort()).toEqual(['content', 'nullifier', 'proof', 'round_id'])
    expect(rows[0]!.content).toBe(valid1.content)
  })

  it('from the same juror again (new content, new proof) is refused: the first ballot stands', async () => {
    expect(second1.proof.nullifier).toBe(valid1.proof.nullifier)
    await refused(second1, 'duplicate_ballot')
  })

  it('replayed as sent is refused', async () => {
    await refused(valid1, 'duplicate_ballot')
  })

  it('against a stale root (a version before the frozen one) is refused', async () => {
    await refused(stale1, 'wrong_root')
  })

  it('against another group root is refused', async () => {
    await refused(foreign, 'wrong_root')
  })

  it('from a non-member claiming the frozen root fails the proof check', async () => {
    const [row] = await database.sql<{ root: string }[]>`select root from jury_round where id = ${roundId}`
    await refused({ ...foreign, proof: { ...foreign.proof, merkleTreeRoot: row!.root } }, 'invalid_proof')
  })

  it('with a proof for another round (scope) is refused', async () => {
    await refused(otherRound, 'wrong_scope')
  })

  it('with a proof at a depth other than the fixed depth is refused', async () => {
    expect(depth16.proof.merkleTreeDepth).toBe(16)
    await refused(depth16, 'wrong_depth')
  })

  it('with tampered content is refused, and a tampered message fails the proof check', async () => {
    const content = canonicalBallotContent(vote('reject', 'reject', 'reject'))
    await refused({ proof: valid3.proof, content }, 'wrong_message')
    await refused(
      { proof: { ...valid3.proof, message: ballotMessage(content).toString() }, content },
      'invalid_proof',
    )
  })

  it('with a tampered proof point fails the proof check', async () => {
    const points = [...valid3.proof.points] as SemaphoreProof['points']
    points[0] = (
      (BigInt(points[0]) + 1n) %
      21888242871839275222246405745257275088696311157297823662689037894645226208583n
    ).toString()
    await refused({ ...valid3, proof: { ...valid3.proof, points } }, 'invalid_proof')
  })

  it('that does not vote on exactly the sampled posts is refused (a round without postsPerBallot: all of them)', async () => {
    // Opened with params lacking postsPerBallot, as rounds before assignment were: stored without the key.
    const [row] = await database.sql<{ has: boolean }[]>`
      select params ? 'postsPerBallot' as has from jury_round where id = ${roundId}`
    expect(row!.has).toBe(false)
    await refused(partial5, 'wrong_assignment')
  })

  it('outside the voting period is refused, and the same ballot counts when in time (verified by the pool)', async () => {
    await refused(valid4, 'voting_closed', VOTING_OVER)
    await refused(valid4, 'voting_closed', at(2 * HOUR + HOUR))
    const pool = await createVerifierPool({ size: 2 })
    try {
      // The worker-thread verifier refuses a forged proof too.
      const content = canonicalBallotContent(vote('reject', 'reject', 'reject'))
      const forged = { proof: { ...valid4.proof, message: ballotMessage(content).toString() }, content }
      const err = await submitBallot(database, {
        roundId,
        ...forged,
        now: VOTING_OPEN,
        verifyProof: pool.verify,
      }).catch((e: unknown) => e)
      expect(isCurationError(err, 'invalid_proof')).toBe(true)
      expect(
        await submitBallot(database, { roundId, ...valid4, now: VOTING_OPEN, verifyProof: pool.verify }),
      ).toMatchObject({ roundId })
    } finally {
      await pool.close()
    }
  })

  it('a pool that cannot check a proof refuses nothing as invalid and records nothing: it says it is unavailable', async () => {
    const pool = await createVerifierPool({ size: 1 })
    const held = pool.verify(valid4.proof)
    await pool.close()
    // Closed while it held a proof (as when its thread dies), and closed for the next one.
    await expect(held).rejects.toSatisfy(isVerifierUnavailable)
    const [before] = await database.sql<{ n: number }[]>`select count(*)::int as n from jury_ballot`
    const err = await submitBallot(database, {
      roundId,
      ...valid3,
      now: VOTING_OPEN,
      verifyProof: pool.verify,
    }).catch((e: unknown) => e)
    expect(isVerifierUnavailable(err)).toBe(true)
    expect(isCurationError(err)).toBe(false)
    const [after] = await database.sql<{ n: number }[]>`select count(*)::int as n from jury_ballot`
    expect(after!.n).toBe(before!.n)
  })

  it('for a round that does not exist is refused', async () => {
    const scope = roundScope(999).toString()
    await refused(
      { roundId: 999, proof: { ...valid3.proof, scope }, content: valid3.content },
      'unknown_round',
    )
  })

  it('of the wrong shape or size is refused before anything else', async () => {
    await refused({ roundId: '1', ...valid3 }, 'bad_ballot')
    await refused({ roundId: 1.5, ...valid3 }, 'bad_ballot')
    await refused({ ...valid3, content: ` ${valid3.content}` }, 'bad_ballot')
    await refused({ ...valid3, content: 'x'.repeat(600_000) }, 'bad_ballot')
    await refused(
      { ...valid3, proof: { ...valid3.proof, nullifier: `0${valid3.proof.nullifier}` } },
      'bad_ballot',
    )
    await refused(
      { ...valid3, proof: { ...valid3.proof, points: valid3.proof.points.slice(0, 7) } },
      'bad_ballot',
    )
    await refused({ ...valid3, proof: { ...valid3.proof, scope: `${valid3.proof.scope}0` } }, 'bad_ballot')
    await refused({ ...valid3, proof: { ...valid3.proof, cookie: 'session' } }, 'bad_ballot')
    await refused({ ...valid3, proof: JSON.stringify(valid3.proof) }, 'bad_ballot')
    // Shape comes before depth: a malformed proof at the wrong depth says bad_ballot.
    await refused({ ...depth16, proof: { ...depth16.proof, root: '1' } }, 'bad_ballot')
  })

  it('sent twice at once (identical): exactly one is accepted, the other is a duplicate', async () => {
    const results = await Promise.allSettled([
      submitBallot(database, { roundId, ...valid3, now: VOTING_OPEN }),
      submitBallot(database, { roundId, ...valid3, now: VOTING_OPEN }),
    ])
    const accepted = results.filter((r) => r.status === 'fulfilled')
    const rejected = results.filter((r) => r.status === 'rejected')
    expect(accepted).toHaveLength(1)
    expect(rejected).toHaveLength(1)
    expect(isCurationError(rejected[0]!.reason, 'duplicate_ballot')).toBe(true)
    const [row] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from jury_ballot where nullifier = ${valid3.proof.nullifier}`
    expect(row!.n).toBe(1)
  })

  it('counts at close: three ballots, quorum 3 (abstentions do not count)', async () => {
    expect(await ballotCount()).toBe(3)
    await closeRound(database, { roundId, now: at(3 * HOUR) })
    const outcomes = await listRoundOutcomes(database, roundId)
    // Post 1: endorse x3. Post 2: endorse, reject, abstain: 2 votes < quorum. Post 3: reject x3.
    expect(outcomes.map((o) => [o.postUri, o.verdict])).toEqual([
      [posts[0], 'endorse'],
      [posts[1], 'void'],
      [posts[2], 'reject'],
    ])
    const [tally] = await database.sql<{ e: number; r: number; a: number }[]>`
      select endorse_votes as e, reject_votes as r, abstain_votes as a from jury_round_market
      where round_id = ${roundId} and post_uri = ${posts[1]!}`
    expect(tally).toEqual({ e: 1, r: 1, a: 1 })
  })

  it('after close is refused', async () => {
    await refused(valid4, 'voting_closed', VOTING_OPEN)
  })
})
