/**
 * Ballots cover exactly the posts a hash of their nullifier assigns (real Semaphore proofs): the juror computes its
 * nullifier and assignment before proving; any other coverage is refused with `wrong_assignment` and nothing is
 * recorded; the tally counts what the ballots cover; the offline verifier re-checks every assignment.
 */
import { Group, Identity, verifyProof, type SemaphoreProof } from '@semaphore-protocol/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import type { CurationErrorCode } from '../src/errors'
import { assignBallotPosts } from '../src/jury/assignment'
import { roundScope, type Vote } from '../src/jury/ballot'
import { exportMerkleRoot, verifyRoundExport, type RoundExport } from '../src/jury/export'
import type { Hex32 } from '../src/jury/hash'
import { semaphoreNullifier } from '../src/jury/nullifier'
import type { RoundParams } from '../src/jury/round'
import { exportRound } from '../src/service/audit'
import { submitBallot } from '../src/service/ballot'
import {
  closeRound,
  freezeRound,
  getRoundBallotSheet,
  listRoundOutcomes,
  revealRound,
  type BallotSheet,
} from '../src/service/round'
import { countBallots, expectRefusal } from './helpers'
import { at, HOUR, MINUTE, openJuryRound, postUri, proveBallot, terminateCurve } from './jury-helpers'

// Every eligible market is sampled (p = 1): six posts, two per ballot.
const PARAMS: RoundParams = { pMin: 1, pMax: 1, halfExposure: 1, capacity: 10, quorum: 1, postsPerBallot: 2 }
const SEED: Hex32 = `0x${'3c'.repeat(32)}`
const VOTING_OPEN = at(2 * HOUR + 10 * MINUTE)

let database: Database
let roundId: number
let sheet: BallotSheet
const jurors = Array.from({ length: 6 }, (_, i) => new Identity(`assigned-juror-${i + 1}`))
const group = new Group(jurors.map((j) => j.commitment))
const sampled = [1, 2, 3, 4, 5, 6].map(postUri)

type Ballot = { proof: SemaphoreProof; content: string }
const nullifierOf = (j: Identity) => semaphoreNullifier(j.secretScalar, roundScope(roundId)).toString()
const assignedTo = (j: Identity) =>
  assignBallotPosts({
    mixedSeed: sheet.mixedSeed,
    nullifier: nullifierOf(j),
    sampledPostUris: sheet.posts.map((p) => p.postUri),
    postsPerBallot: sheet.postsPerBallot ?? undefined,
  })
const prove = (j: Identity, posts: readonly string[], vote: Vote = 'endorse') =>
  proveBallot({ identity: j, group, roundId, votes: posts.map((p) => [p, vote] as const) })

let own: Ballot[] // each juror's ballot on its own assignment
let whole: Ballot // juror 2 on the whole sample
let borrowed: Ballot // juror 3 on juror 1's posts
let extra: Ballot // juror 4 on its posts and one more
let short: Ballot // juror 5 on one of its two posts
let exp: RoundExport

beforeAll(async () => {
  database = await createTestDatabase({ max: 6 })
  const impressions = [1, 2, 3, 4, 5, 6]
  roundId = await openJuryRound(database, {
    jurors,
    impressions,
    windowMs: 2 * HOUR,
    params: PARAMS,
    seed: SEED,
  })
  await freezeRound(database, { roundId, now: at(2 * HOUR) })
  await revealRound(database, { roundId, now: at(2 * HOUR) })
  sheet = await getRoundBallotSheet(database, roundId)
  expect(sheet.posts.map((p) => p.postUri)).toEqual([...sampled].sort())

  const mine = jurors.map(assignedTo)
  // Juror 3's posts differ from juror 1's (with this seed; asserted so a change of rule shows here).
  expect(mine[2]).not.toEqual(mine[0])
  const outside = sampled.find((p) => !mine[3]!.includes(p))!
  ;[whole, borrowed, extra, short, ...own] = await Promise.all([
    prove(jurors[1]!, sampled),
    prove(jurors[2]!, mine[0]!),
    prove(jurors[3]!, [...mine[3]!, outside]),
    prove(jurors[4]!, mine[4]!.slice(0, 1)),
    ...jurors.map((j, i) => prove(j, mine[i]!, i % 2 === 0 ? 'endorse' : 'reject')),
  ])
}, 240_000)

afterAll(async () => {
  await database.close()
  await terminateCurve()
})

const ballotCount = () => countBallots(database)

const refused = (ballot: Ballot, code: CurationErrorCode) =>
  expectRefusal(code, () => submitBallot(database, { roundId, now: VOTING_OPEN, ...ballot }), ballotCount)

describe('assigned ballots', () => {
  it('the round stores postsPerBallot with its params, and the sheet gives what the assignment needs', async () => {
    const [row] = await database.sql<{ params: RoundParams }[]>`
      select params from jury_round where id = ${roundId}`
    expect(row!.params.postsPerBallot).toBe(2)
    expect(sheet.postsPerBallot).toBe(2)
    expect(sheet.mixedSeed).toMatch(/^0x[0-9a-f]{64}$/)
  })

  it('a juror’s nullifier, computed on its device, is the one its proof carries', () => {
    jurors.forEach((j, i) => expect(own[i]!.proof.nullifier).toBe(nullifierOf(j)))
  })

  it('a ballot on the whole sample is refused when the round assigns fewer posts', async () => {
    const err = await refused(whole, 'wrong_assignment')
    expect(err.message).toMatch(/exactly the 2 of round \d+'s 6 sampled posts/)
  })

  it('a ballot on another juror’s posts is refused', async () => {
    await refused(borrowed, 'wrong_assignment')
  })

  it('a ballot on its posts and one more, or on fewer, is refused', async () => {
    await refused(extra, 'wrong_assignment')
    await refused(short, 'wrong_assignment')
  })

  it('every juror’s ballot on its own assignment is accepted (the refused ones left nothing behind)', async () => {
    for (const b of own) {
      expect(await submitBallot(database, { roundId, now: VOTING_OPEN, ...b })).toEqual({
        roundId,
        nullifier: b.proof.nullifier,
      })
    }
    expect(await ballotCount()).toBe(jurors.length)
  })

  it('the tally counts each post’s votes from the ballots assigned it', async () => {
    await closeRound(database, { roundId, now: at(4 * HOUR) })
    const rows = await database.sql<{ postUri: string; e: number; r: number; a: number }[]>`
      select post_uri as "postUri", endorse_votes as e, reject_votes as r, abstain_votes as a
      from jury_round_market where round_id = ${roundId} order by post_uri`
    const expected = new Map(sampled.map((p) => [p, { e: 0, r: 0 }]))
    jurors.forEach((j, i) => {
      for (const p of assignedTo(j)) expected.get(p)![i % 2 === 0 ? 'e' : 'r'] += 1
    })
    for (const row of rows) {
      expect({ e: row.e, r: row.r }, row.postUri).toEqual(expected.get(row.postUri))
      expect(row.a).toBe(0)
    }
    // 6 ballots x 2 posts over 6 posts: 12 votes in all, J * k / n = 2 per post on average.
    expect(rows.reduce((s, r) => s + r.e + r.r, 0)).toBe(12)
    const outcomes = await listRoundOutcomes(database, roundId)
    for (const o of outcomes) {
      const t = expected.get(o.postUri)!
      expect(o.verdict).toBe(t.e + t.r === 0 ? 'void' : t.e > t.r ? 'endorse' : 'reject')
    }
  })

  it('the offline verifier re-checks each ballot’s assignment', async () => {
    exp = await exportRound(database, roundId)
    expect(exp.round.params.postsPerBallot).toBe(2)
    const report = await verifyRoundExport(JSON.parse(JSON.stringify(exp)), { verifyProof })
    expect(report.problems).toEqual([])
    expect(report.checked.proofsVerified).toBe(jurors.length)
    // Claim another postsPerBallot (re-anchored, so only the assignment check can catch it).
    const copy = structuredClone(exp)
    copy.round.params.postsPerBallot = 3
    copy.merkleRoot = exportMerkleRoot(copy)
    const problems = (await verifyRoundExport(copy, { verifyProof })).problems
    const ballots = problems.filter((p) => p.startsWith('ballot '))
    expect(ballots).toHaveLength(jurors.length)
    for (const p of ballots) expect(p).toMatch(/content does not cover exactly its 3 assigned posts$/)
    // Those ballots no longer count, so the published tallies no longer follow from the ballots either.
    expect(problems.filter((p) => p.startsWith('tally: ')).length).toBeGreaterThan(0)
  })
})
