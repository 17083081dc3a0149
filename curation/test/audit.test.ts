/**
 * A closed round's export: complete, anchored by its Merkle root, and re-verifiable with no server: by the pure
 * verifier and by `scripts/verify-round.ts`, which passes on the export and fails on tampered copies.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { Group, Identity, verifyProof } from '@semaphore-protocol/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { isCurationError } from '../src/errors'
import { canonicalBallotContent, parseBallotContent } from '../src/jury/ballot'
import { eligibleSetHash } from '../src/jury/eligible'
import {
  exportMerkleRoot,
  ROUND_EXPORT_FORMAT,
  ROUND_EXPORT_FORMAT_V1,
  verifyRoundExport,
  type RoundExport,
} from '../src/jury/export'
import type { RoundParams } from '../src/jury/round'
import { drawSample, mixSeed } from '../src/jury/sampling'
import { tallyBallots } from '../src/jury/tally'
import { exportRound } from '../src/service/audit'
import { submitBallot } from '../src/service/ballot'
import { closeRound, freezeRound, getRound, revealRound } from '../src/service/round'
import { at, HOUR, MINUTE, openJuryRound, proveBallot, terminateCurve } from './jury-helpers'

const PARAMS: RoundParams = { pMin: 0.2, pMax: 1, halfExposure: 50, capacity: 5, quorum: 2 }
const root = resolve(import.meta.dirname, '../..')

let database: Database
let roundId: number
let exp: RoundExport
let dir: string

beforeAll(async () => {
  database = await createTestDatabase()
  dir = mkdtempSync(join(tmpdir(), 'curia-audit-'))
  const jurors = ['juror-1', 'juror-2', 'juror-3'].map((n) => new Identity(n))
  const impressions = Array.from({ length: 12 }, (_, i) => i * 40)
  roundId = await openJuryRound(database, { jurors, impressions, windowMs: HOUR, params: PARAMS })
  await freezeRound(database, { roundId, now: at(HOUR) })
  await revealRound(database, { roundId, now: at(HOUR) })
  const sampled = await database.sql<{ postUri: string }[]>`
    select post_uri as "postUri" from jury_round_market where round_id = ${roundId} and sampled`
  expect(sampled.length).toBeGreaterThan(0)
  const group = new Group(jurors.map((j) => j.commitment))
  const ballots = await Promise.all(
    jurors.slice(0, 2).map((identity, i) =>
      proveBallot({
        identity,
        group,
        roundId,
        votes: sampled.map((s, k) => [s.postUri, (i + k) % 3 === 0 ? 'endorse' : 'reject'] as const),
      }),
    ),
  )
  for (const b of ballots) await submitBallot(database, { roundId, ...b, now: at(HOUR + MINUTE) })
}, 120_000)

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await database.close()
  await terminateCurve()
})

/** A tampered copy, re-anchored: the verifier must catch the change itself, not only through the root. */
function tamper(mutate: (e: RoundExport) => void, { reanchor = true } = {}): RoundExport {
  const copy = structuredClone(exp)
  mutate(copy)
  if (reanchor) copy.merkleRoot = exportMerkleRoot(copy)
  return copy
}

async function problems(e: unknown): Promise<string[]> {
  return (await verifyRoundExport(e, { verifyProof })).problems
}

describe('the round export', () => {
  it('is not published before close', async () => {
    const err = await exportRound(database, roundId).catch((e: unknown) => e)
    expect(isCurationError(err, 'round_state')).toBe(true)
    await closeRound(database, { roundId, now: at(2 * HOUR) })
    exp = await exportRound(database, roundId)
  })

  it('holds every ballot, the seed, beacon, eligible set, sample, frozen group and tallies, anchored at close', async () => {
    const round = (await getRound(database, roundId))!
    expect(exp.merkleRoot).toBe(round.exportRoot)
    expect(exportMerkleRoot(exp)).toBe(exp.merkleRoot)
    // The commitment fixed at freeze, over the list the sample was drawn from.
    expect(exp.format).toBe(ROUND_EXPORT_FORMAT)
    expect(exp.eligibleHash).toBe(round.eligibleHash)
    expect(eligibleSetHash(roundId, exp.eligible)).toBe(exp.eligibleHash)
    expect(exp.ballots).toHaveLength(2)
    for (const b of exp.ballots) expect(Object.keys(b).sort()).toEqual(['content', 'nullifier', 'proof'])
    expect(BigInt(exp.ballots[0]!.nullifier) < BigInt(exp.ballots[1]!.nullifier)).toBe(true)
    expect(exp.seed.seed).toBe(round.seed)
    expect(exp.seed.beacon).toEqual({ kind: 'operator' })
    expect(exp.eligible).toHaveLength(12)
    expect(exp.group.commitments).toHaveLength(3)
    expect(new Group(exp.group.commitments.map(BigInt)).root.toString()).toBe(exp.group.root)
    expect(exp.tallies.map((t) => t.marketId)).toEqual(exp.sample)
    expect(exp.tallies.every((t) => t.endorse + t.reject === 2)).toBe(true)
  })

  it('lets anyone recompute the sample', () => {
    const { sampled, probabilities } = drawSample(
      mixSeed(exp.seed.seed, exp.seed.beacon),
      exp.eligible.map((m) => ({ marketId: m.marketId, exposure: m.exposure })),
      exp.round.params,
    )
    expect(sampled).toEqual(exp.sample)
    expect(probabilities.map((p) => p.probability)).toEqual(exp.eligible.map((m) => m.probability))
  })

  it('verifies offline: proofs, nullifiers, seed, sample, tallies', async () => {
    const report = await verifyRoundExport(JSON.parse(JSON.stringify(exp)), { verifyProof })
    expect(report.problems).toEqual([])
    expect(report.checked).toEqual({
      ballots: 2,
      proofsVerified: 2,
      eligible: 12,
      sampled: exp.sample.length,
    })
  })

  it('catches each kind of tampering, even when the Merkle root is recomputed to match', async () => {
    const flip = (c: string) =>
      c.replace(/"(endorse|reject)"/, (_, v: string) => (v === 'endorse' ? '"reject"' : '"endorse"'))
    const cases: [string, RoundExport, RegExp][] = [
      [
        'a vote changed',
        tamper((e) => (e.ballots[0]!.content = flip(e.ballots[0]!.content))),
        /message is not sha256/,
      ],
      ['a ballot duplicated', tamper((e) => e.ballots.push(e.ballots[0]!)), /nullifier used twice/],
      ['a ballot dropped', tamper((e) => e.ballots.pop()), /tally: market/],
      [
        'a proof point changed',
        tamper((e) => (e.ballots[1]!.proof.points[2] = '1')),
        /does not verify|verification threw/,
      ],
      ['another seed', tamper((e) => (e.seed.seed = `0x${'00'.repeat(32)}`)), /seed: sha256/],
      [
        'a market slipped into the sample',
        tamper((e) => {
          const m = e.eligible.find((x) => !x.sampled)!
          m.sampled = true
          e.sample = e.eligible.filter((x) => x.sampled).map((x) => x.marketId)
        }),
        /sample: market/,
      ],
      ['an exposure changed', tamper((e) => (e.eligible[3]!.exposure += 1000)), /probability/],
      [
        'an exposure changed, against the commitment fixed at freeze',
        tamper((e) => (e.eligible[3]!.exposure += 1000)),
        /eligible: the list hashes to 0x[0-9a-f]{64}, not the commitment fixed at freeze/,
      ],
      [
        'a market dropped from the eligible list',
        tamper((e) => {
          const i = e.eligible.findIndex((x) => !x.sampled)
          e.eligible.splice(i, 1)
        }),
        /eligible: the list hashes to/,
      ],
      ['the commitment removed', tamper((e) => delete e.eligibleHash), /needs its eligibleHash/],
      // drawSample refuses these lists; the verifier reports them instead of throwing.
      [
        'a market listed twice',
        tamper((e) => e.eligible.push({ ...e.eligible[0]! })),
        new RegExp(`eligible: market ${exp.eligible[0]!.marketId} twice`),
      ],
      ['an exposure past 2^53', tamper((e) => (e.eligible[2]!.exposure = 2 ** 60)), /eligible\.2\.exposure/],
      [
        'a verdict changed',
        tamper((e) => (e.tallies[0]!.verdict = e.tallies[0]!.verdict === 'endorse' ? 'reject' : 'endorse')),
        /tally: market/,
      ],
      [
        'another group',
        tamper((e) => (e.group.commitments[0] = new Identity('intruder').commitment.toString())),
        /group: commitments rebuild/,
      ],
      ['not re-anchored', tamper((e) => (e.round.params.quorum = 1), { reanchor: false }), /merkle root/],
      ['not an export', { hello: 'world' } as unknown as RoundExport, /export shape/],
    ]
    for (const [what, copy, expected] of cases) {
      const found = await problems(copy)
      expect(found.length, what).toBeGreaterThan(0)
      expect(found.join('\n'), what).toMatch(expected)
    }
  })

  it('reads a v1 export (a round frozen before eligible commitments): no eligibleHash, nothing else changes', async () => {
    const v1 = tamper((e) => {
      e.format = ROUND_EXPORT_FORMAT_V1
      delete e.eligibleHash
    })
    expect(await problems(v1)).toEqual([])
    expect(await problems({ ...v1, eligibleHash: exp.eligibleHash })).toEqual(
      expect.arrayContaining(['eligible: a v1 export has no eligibleHash']),
    )
  })

  it('is re-verified by the verify-round command: passes on the export, fails on a tampered one', async () => {
    const run = promisify(execFile)
    const good = join(dir, 'good.json')
    const bad = join(dir, 'bad.json')
    writeFileSync(good, JSON.stringify(exp, null, 2))
    const ballot = exp.ballots[0]!
    const votes = JSON.parse(ballot.content) as [string, 'endorse' | 'reject'][]
    votes[0]![1] = votes[0]![1] === 'endorse' ? 'reject' : 'endorse'
    writeFileSync(bad, JSON.stringify(tamper((e) => (e.ballots[0]!.content = canonicalBallotContent(votes)))))
    const tsx = join(root, 'node_modules/.bin/tsx')
    const ok = await run(tsx, ['scripts/verify-round.ts', good], { cwd: root })
    expect(ok.stdout).toMatch(new RegExp(`round ${roundId}: OK: 2/2 ballot proofs verified`))
    const failed = await run(tsx, ['scripts/verify-round.ts', bad], { cwd: root }).then(
      () => undefined,
      (e: { code: number; stdout: string }) => e,
    )
    expect(failed?.code).toBe(1)
    expect(failed?.stdout).toMatch(/MISMATCH ballot 0 .*message is not sha256\(content\)/)
    expect(failed?.stdout).toMatch(/FAILED/)
  }, 60_000)

  it('verify-round compares the export with a root given by --root, and always prints the root it recomputed', async () => {
    const run = (...args: string[]) =>
      promisify(execFile)(join(root, 'node_modules/.bin/tsx'), ['scripts/verify-round.ts', ...args], {
        cwd: root,
      }).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      )
    const good = join(dir, 'good.json')
    writeFileSync(good, JSON.stringify(exp))
    // A ballot dropped, the tallies and the root recomputed: consistent with itself, so only the root fixed at
    // close tells it apart.
    const dropped = tamper((e) => {
      e.ballots.pop()
      const uris = e.tallies.map((t) => t.postUri)
      const votes = e.ballots.map((b) => parseBallotContent(b.content))
      e.tallies = tallyBallots(uris, votes, e.round.params.quorum).map((t, i) => ({
        marketId: e.tallies[i]!.marketId,
        ...t,
      }))
    })
    expect(await problems(dropped)).toEqual([])
    const bad = join(dir, 'dropped.json')
    writeFileSync(bad, JSON.stringify(dropped))

    const alone = await run(bad)
    expect(alone.code).toBe(0)
    expect(alone.stdout).toContain(`export root: ${dropped.merkleRoot}`)
    expect(alone.stdout).toMatch(/note: the export root was not compared with the one anchored at close/)

    const caught = await run(bad, '--root', exp.merkleRoot)
    expect(caught.code).toBe(1)
    expect(caught.stdout).toContain(
      `MISMATCH root: the export hashes to ${dropped.merkleRoot}, not the given root ${exp.merkleRoot}`,
    )
    const ok = await run(good, '--root', exp.merkleRoot.toUpperCase().replace('0X', '0x'))
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/OK: .*export root equals the given root/)
    expect(ok.stdout).toContain(`export root: ${exp.merkleRoot}`)
    expect((await run(good, '--root', 'nonsense')).code).toBe(2)
    expect((await run(good, '--anchor', '0x0000000000000000000000000000000000000001')).code).toBe(2)
  }, 60_000)

  it('verify-round reports an eligible list drawSample cannot use as a problem (exit 1), not as an unreadable file', async () => {
    const file = join(dir, 'twice.json')
    writeFileSync(file, JSON.stringify(tamper((e) => e.eligible.push({ ...e.eligible[0]! }))))
    const failed = await promisify(execFile)(
      join(root, 'node_modules/.bin/tsx'),
      ['scripts/verify-round.ts', file],
      {
        cwd: root,
      },
    ).then(
      () => undefined,
      (e: { code: number; stdout: string; stderr: string }) => e,
    )
    expect(failed?.code).toBe(1)
    expect(failed?.stdout).toMatch(/MISMATCH eligible: market \d+ twice/)
    expect(failed?.stdout).toMatch(/FAILED/)
    expect(failed?.stderr).not.toMatch(/TypeError/)
  }, 60_000)
})
