/**
 * Revoking jurors removes them from the Semaphore group, with real proofs: a member revoked after a round opened can
 * still vote in it (its root is frozen) and cannot from the next round on (they are not in its tree: no proof
 * against its root exists, and what they can make is refused); the next round's export, zeros included, rebuilds
 * its root and re-verifies offline. Revocation and removal are one transaction; a revocation that did not remove
 * (written by hand, or before removal existed) is caught up, by the catch-up call and by the jury worker before it
 * opens a round.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { Group, Identity, generateProof, verifyProof } from '@semaphore-protocol/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import type { InvitePolicy } from '../src/admission/admission-config'
import { allowlistVerifier } from '../src/admission/allowlist'
import { inviteVerifier } from '../src/admission/invite'
import type { CurationErrorCode } from '../src/errors'
import { ballotMessage, canonicalBallotContent, roundScope, type Vote } from '../src/jury/ballot'
import { exportMerkleRoot, verifyRoundExport, type RoundExport } from '../src/jury/export'
import { JURY_TREE_DEPTH } from '../src/jury/group'
import type { RoundParams } from '../src/jury/round'
import {
  addToAllowlist,
  admitJuror,
  createInvite,
  createOperatorInvites,
  removeRevokedMembers,
  revokeInviteBranch,
} from '../src/service/admission'
import { exportRound } from '../src/service/audit'
import { submitBallot } from '../src/service/ballot'
import { semaphoreArtifacts } from '../src/service/jury-artifacts'
import { DEFAULT_JURY_CONFIG } from '../src/service/jury-config'
import { getGroupCommitments, getGroupHead } from '../src/service/jury-group'
import { startJuryWorker } from '../src/service/jury-jobs'
import {
  closeRound,
  freezeRound,
  getRoundBallotSheet,
  listRounds,
  openRound,
  revealRound,
} from '../src/service/round'
import { expectRefusal } from './helpers'
import { at, HOUR, MINUTE, proveBallot, setupMarkets, T0, terminateCurve } from './jury-helpers'

// Every eligible market is sampled, and one vote decides.
const PARAMS: RoundParams = { pMin: 1, pMax: 1, halfExposure: 1, capacity: 10, quorum: 1 }
const DAY = 24 * HOUR
const invites: InvitePolicy = { perPeriod: 5, periodMs: 30 * DAY, ttlMs: 7 * DAY }
const root = resolve(import.meta.dirname, '../..')

const ids = {
  alice: new Identity('revocation-alice'),
  bob: new Identity('revocation-bob'),
  carol: new Identity('revocation-carol'),
  dave: new Identity('revocation-dave'),
  erin: new Identity('revocation-erin'),
}
const c = (name: keyof typeof ids) => ids[name].commitment.toString()

let database: Database
let dir: string
let round1: number
let round2: number

const refused = (code: CurationErrorCode, fn: () => Promise<unknown>) => expectRefusal(code, fn)

async function groupOf(roundId: number): Promise<{ group: Group; leaves: string[]; root: string | null }> {
  const [round] = await database.sql<{ rootVersion: number }[]>`
    select root_version as "rootVersion" from jury_round where id = ${roundId}`
  const exp = await getGroupCommitments(database, { rootVersion: round!.rootVersion })
  return { group: new Group(exp.commitments.map(BigInt)), leaves: exp.commitments, root: exp.root }
}

async function sheetVotes(roundId: number): Promise<[string, Vote][]> {
  const sheet = await getRoundBallotSheet(database, roundId)
  expect(sheet.posts.length).toBeGreaterThan(0)
  return sheet.posts.map((p) => [p.postUri, 'endorse'])
}

beforeAll(async () => {
  database = await createTestDatabase({ max: 6 })
  dir = mkdtempSync(join(tmpdir(), 'curia-revocation-'))
  // The invite tree: operator -> alice -> bob -> carol; dave and erin through the allowlist.
  const [rootInvite] = await createOperatorInvites(database, {
    by: 'test',
    count: 1,
    now: T0,
    policy: invites,
  })
  const admitByInvite = async (did: string, code: string, name: keyof typeof ids) =>
    admitJuror(database, {
      verifier: inviteVerifier(),
      evidence: { did, code },
      commitment: c(name),
      now: T0,
    })
  await admitByInvite('did:plc:alice', rootInvite!.code, 'alice')
  const forBob = await createInvite(database, { inviter: 'did:plc:alice', now: T0, policy: invites })
  await admitByInvite('did:plc:bob', forBob.code, 'bob')
  const forCarol = await createInvite(database, { inviter: 'did:plc:bob', now: T0, policy: invites })
  await admitByInvite('did:plc:carol', forCarol.code, 'carol')
  for (const name of ['dave', 'erin'] as const) {
    await addToAllowlist(database, { by: 'test', did: `did:plc:${name}`, now: T0 })
    await admitJuror(database, {
      verifier: allowlistVerifier(),
      evidence: { did: `did:plc:${name}` },
      commitment: c(name),
      now: T0,
    })
  }
  // Posts 1-2 close in round 1's window (before T0 + 1h), posts 3-4 in round 2's (T0 + 1h to T0 + 2h).
  await setupMarkets(database, [
    { n: 1, createdAt: at(-30 * MINUTE), impressions: 10 },
    { n: 2, createdAt: at(-30 * MINUTE), impressions: 10 },
    { n: 3, createdAt: at(40 * MINUTE), impressions: 10 },
    { n: 4, createdAt: at(40 * MINUTE), impressions: 10 },
  ])
}, 120_000)

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await database.close()
  await terminateCurve()
})

describe('revoking a branch during a round', () => {
  it('removes the branch from the group in the revocation itself; the open round keeps its root', async () => {
    const opened = await openRound(database, {
      now: T0,
      windowMs: HOUR,
      votingMs: HOUR,
      params: PARAMS,
      beacon: { kind: 'operator' },
    })
    round1 = opened.round.id
    expect(opened.round.rootVersion).toBe(5)

    // Bob's branch: bob and carol (whom bob invited). Alice, dave and erin stay.
    const revoked = await revokeInviteBranch(database, {
      by: 'test',
      personKey: 'did:plc:bob',
      now: at(10 * MINUTE),
    })
    expect(revoked).toEqual({ members: 2, invites: 0, removed: 2 })
    const head = await getGroupHead(database)
    expect(head).toMatchObject({ version: 7, size: 5 })
    const current = await getGroupCommitments(database, { rootVersion: 7 })
    expect(current.commitments).toEqual([c('alice'), '0', '0', c('dave'), c('erin')])

    // Round 1 froze version 5, with bob in it.
    const frozen = await groupOf(round1)
    expect(frozen.leaves).toContain(c('bob'))
    expect(frozen.root).toBe(opened.round.root)

    await freezeRound(database, { roundId: round1, now: at(HOUR) })
    await revealRound(database, { roundId: round1, now: at(HOUR) })
    const next = await openRound(database, {
      now: at(HOUR),
      windowMs: HOUR,
      votingMs: HOUR,
      params: PARAMS,
      beacon: { kind: 'operator' },
    })
    round2 = next.round.id
    expect(next.round).toMatchObject({ rootVersion: 7, root: head.root })
    await freezeRound(database, { roundId: round2, now: at(2 * HOUR) })
    await revealRound(database, { roundId: round2, now: at(2 * HOUR) })
  })

  it('lets the revoked member vote in the round that froze them, and in no later round', async () => {
    const votes1 = await sheetVotes(round1)
    const votes2 = await sheetVotes(round2)
    const old = await groupOf(round1)
    const current = await groupOf(round2)
    const bobIndex = old.group.indexOf(ids.bob.commitment)

    // Bob is not in round 2's tree: no proof against its root can be made.
    await expect(
      generateProof(
        ids.bob,
        current.group,
        ballotMessage(JSON.stringify([])),
        roundScope(round2),
        JURY_TREE_DEPTH,
        semaphoreArtifacts(JURY_TREE_DEPTH),
      ),
    ).rejects.toThrow(/does not exist/)

    // What bob can make instead: a proof against the root he was in, and a proof claiming the new root with his
    // old leaf's path in the new tree (the circuit computes another root, so it does not verify).
    const newPath = current.group.generateMerkleProof(bobIndex)
    const [inRound1, stale, forged, alice, dave] = await Promise.all([
      proveBallot({ identity: ids.bob, group: old.group, roundId: round1, votes: votes1 }),
      proveBallot({ identity: ids.bob, group: old.group, roundId: round2, votes: votes2 }),
      generateProof(
        ids.bob,
        { ...newPath, siblings: [...newPath.siblings] },
        ballotMessage(canonicalBallotContent(votes2)),
        roundScope(round2),
        JURY_TREE_DEPTH,
        semaphoreArtifacts(JURY_TREE_DEPTH),
      ).then((proof) => ({ proof, content: canonicalBallotContent(votes2) })),
      // Alice (leaf 0, next to bob's zeroed leaf) and dave (leaf 3, next to carol's) prove against the tree
      // rebuilt from the export with its zeros.
      proveBallot({ identity: ids.alice, group: current.group, roundId: round2, votes: votes2 }),
      proveBallot({ identity: ids.dave, group: current.group, roundId: round2, votes: votes2 }),
    ])
    expect(forged.proof.merkleTreeRoot).toBe(current.root)
    expect(stale.proof.merkleTreeRoot).toBe(old.root)

    const during1 = at(HOUR + 5 * MINUTE)
    const during2 = at(2 * HOUR + 5 * MINUTE)
    await expect(
      submitBallot(database, { roundId: round1, ...inRound1, now: during1 }),
    ).resolves.toMatchObject({
      roundId: round1,
    })
    await refused('wrong_root', () => submitBallot(database, { roundId: round2, ...stale, now: during2 }))
    await refused('invalid_proof', () => submitBallot(database, { roundId: round2, ...forged, now: during2 }))
    for (const ballot of [alice, dave]) {
      await expect(
        submitBallot(database, { roundId: round2, ...ballot, now: during2 }),
      ).resolves.toMatchObject({
        roundId: round2,
      })
    }
    const [count] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from jury_ballot where round_id = ${round2}`
    expect(count!.n).toBe(2)
  }, 120_000)

  it('exports the later round with the zeros: it rebuilds the frozen root and re-verifies offline', async () => {
    await closeRound(database, { roundId: round1, now: at(2 * HOUR) })
    await closeRound(database, { roundId: round2, now: at(3 * HOUR) })
    const exp1 = await exportRound(database, round1)
    expect(exp1.group.commitments).toContain(c('bob'))
    expect((await verifyRoundExport(exp1, { verifyProof })).problems).toEqual([])

    const exp2 = await exportRound(database, round2)
    expect(exp2.group).toEqual({
      rootVersion: 7,
      root: (await getGroupCommitments(database, { rootVersion: 7 })).root,
      commitments: [c('alice'), '0', '0', c('dave'), c('erin')],
    })
    const report = await verifyRoundExport(exp2, { verifyProof })
    expect(report.problems).toEqual([])
    expect(report.checked.proofsVerified).toBe(2)

    // Bob put back where his zero is: the root no longer rebuilds, nor does the version count.
    const tampered: RoundExport = structuredClone(exp2)
    tampered.group.commitments[1] = c('bob')
    tampered.merkleRoot = exportMerkleRoot(tampered)
    const problems = (await verifyRoundExport(tampered, { verifyProof })).problems.join('\n')
    expect(problems).toMatch(/group: commitments rebuild/)
    expect(problems).toMatch(/root version 7/)

    const run = promisify(execFile)
    const tsx = join(root, 'node_modules/.bin/tsx')
    const good = join(dir, 'round2.json')
    const bad = join(dir, 'round2-tampered.json')
    writeFileSync(good, JSON.stringify(exp2))
    writeFileSync(bad, JSON.stringify(tampered))
    const ok = await run(tsx, ['scripts/verify-round.ts', good], { cwd: root })
    expect(ok.stdout).toMatch(new RegExp(`round ${round2}: OK: 2/2 ballot proofs verified`))
    const failed = await run(tsx, ['scripts/verify-round.ts', bad], { cwd: root }).then(
      () => undefined,
      (e: { code: number; stdout: string }) => e,
    )
    expect(failed?.code).toBe(1)
    expect(failed?.stdout).toMatch(/MISMATCH group: commitments rebuild/)
  }, 60_000)
})

describe('revocation is crash-safe and caught up', () => {
  it('revocation and removal are one transaction: a failure in the removal leaves neither', async () => {
    const head = await getGroupHead(database)
    // A stray root row where the removal will write: the revocation's transaction fails there, after its binding
    // update (a crash at that point).
    await database.sql`
      insert into jury_group_root (version, root, size, created_at)
      values (${head.version + 1}, '1', ${head.size}, ${T0.toISOString()}::timestamptz)`
    const err = await revokeInviteBranch(database, {
      by: 'test',
      personKey: 'did:plc:erin',
      now: at(4 * HOUR),
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    const [erin] = await database.sql<{ revoked: boolean }[]>`
      select revoked_at is not null as revoked from juror_binding where did = 'did:plc:erin'`
    expect(erin!.revoked).toBe(false)
    expect(await getGroupHead(database)).toEqual(head)
    await database.sql`delete from jury_group_root where version = ${head.version + 1}`
    expect(
      await revokeInviteBranch(database, { by: 'test', personKey: 'did:plc:erin', now: at(4 * HOUR) }),
    ).toEqual({
      members: 1,
      invites: 0,
      removed: 1,
    })
    expect((await getGroupCommitments(database, { rootVersion: head.version + 1 })).commitments).toEqual([
      c('alice'),
      '0',
      '0',
      c('dave'),
      '0',
    ])
  })

  it('removes a revoked member still in the group: the catch-up, and revoking the branch again', async () => {
    // A revocation that did not remove (written by hand, or before removal existed): dave.
    await database.sql`update juror_binding set revoked_at = now() where did = 'did:plc:dave'`
    const head = await getGroupHead(database)
    expect(await removeRevokedMembers(database, { now: at(5 * HOUR) })).toBe(1)
    expect(await removeRevokedMembers(database, { now: at(5 * HOUR) })).toBe(0)
    expect(await getGroupHead(database)).toMatchObject({ version: head.version + 1, size: head.size })
    const leaves = (await getGroupCommitments(database, { rootVersion: head.version + 1 })).commitments
    expect(leaves).not.toContain(c('dave'))

    // Alice, by hand too; revoking her branch (already revoked) removes her.
    await database.sql`update juror_binding set revoked_at = now() where did = 'did:plc:alice'`
    expect(
      await revokeInviteBranch(database, { by: 'test', personKey: 'did:plc:alice', now: at(5 * HOUR) }),
    ).toEqual({
      members: 0,
      invites: 0,
      removed: 1,
    })
    const after = await getGroupHead(database)
    expect((await getGroupCommitments(database, { rootVersion: after.version })).commitments).toEqual([
      '0',
      '0',
      '0',
      '0',
      '0',
    ])
  })

  it('refuses to finish an admission whose binding was revoked before it reached the group', async () => {
    // The state a crash between admission's two transactions leaves (binding written, not added), then revoked.
    const frank = new Identity('revocation-frank').commitment.toString()
    await database.sql`
      insert into juror_binding (verifier, did, commitment, admitted_at)
      values ('allowlist', 'did:plc:frank', ${frank}, ${T0.toISOString()}::timestamptz)`
    expect(
      await revokeInviteBranch(database, { by: 'test', personKey: 'did:plc:frank', now: at(6 * HOUR) }),
    ).toEqual({
      members: 1,
      invites: 0,
      removed: 0,
    })
    await addToAllowlist(database, { by: 'test', did: 'did:plc:frank', now: at(6 * HOUR) })
    const head = await getGroupHead(database)
    await refused('admission_revoked', () =>
      admitJuror(database, {
        verifier: allowlistVerifier(),
        evidence: { did: 'did:plc:frank' },
        commitment: frank,
        now: at(6 * HOUR),
      }),
    )
    expect(await getGroupHead(database)).toEqual(head)
    const [member] = await database.sql`select 1 from jury_member where commitment = ${frank}`
    expect(member).toBeUndefined()
  })
})

describe('the operator command', () => {
  it('revokes a branch and reports how many members it removed from the group', async () => {
    const gina = new Identity('revocation-gina').commitment.toString()
    await addToAllowlist(database, { by: 'test', did: 'did:plc:gina', now: at(7 * HOUR) })
    await admitJuror(database, {
      verifier: allowlistVerifier(),
      evidence: { did: 'did:plc:gina' },
      commitment: gina,
      now: at(7 * HOUR),
    })
    const head = await getGroupHead(database)
    const run = (...args: string[]) =>
      promisify(execFile)(join(root, 'node_modules/.bin/tsx'), ['scripts/jury.ts', 'revoke', ...args], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: database.url },
      }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      )
    const revoked = await run('did:plc:gina')
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(revoked.stdout).toMatch(
      /revoked 1 member\(s\) in the branch of did:plc:gina, withdrew 0 unused invite\(s\), removed 1 member\(s\) from the jury group/,
    )
    expect(revoked.stdout).toMatch(new RegExp(`root version ${head.version + 1}`))
    expect(
      (await getGroupCommitments(database, { rootVersion: head.version + 1 })).commitments,
    ).not.toContain(gina)

    const again = await run('--catch-up')
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/removed 0 revoked member\(s\)/)
    const unknown = await run('did:plc:nobody')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/refused: No member has that key/)
    expect((await run()).code).toBe(2)
  }, 60_000)
})

describe('the jury worker', () => {
  it('removes revoked members still in the group before it opens a round', async () => {
    const db = await createTestDatabase()
    const lines: string[] = []
    const kept = new Identity('worker-kept').commitment.toString()
    const gone = new Identity('worker-gone').commitment.toString()
    for (const [did, commitment] of [
      ['did:plc:kept', kept],
      ['did:plc:gone', gone],
    ] as const) {
      await addToAllowlist(db, { by: 'test', did, now: new Date() })
      await admitJuror(db, { verifier: allowlistVerifier(), evidence: { did }, commitment, now: new Date() })
    }
    await db.sql`update juror_binding set revoked_at = now() where did = 'did:plc:gone'`
    const worker = await startJuryWorker({
      database: db,
      config: { ...DEFAULT_JURY_CONFIG, cadenceMs: DAY, pollSeconds: 0.5, params: PARAMS },
      schema: 'pgboss_revocation_test',
      log: (line) => lines.push(line),
    })
    try {
      let opened: Awaited<ReturnType<typeof listRounds>>[number] | undefined
      const deadline = Date.now() + 60_000
      while (!opened && Date.now() < deadline) {
        ;[opened] = await listRounds(db, { limit: 1 })
        if (!opened) await new Promise((r) => setTimeout(r, 200))
      }
      expect(opened, lines.join('\n')).toBeDefined()
      expect(opened!.rootVersion).toBe(3)
      const leaves = (await getGroupCommitments(db, { rootVersion: opened!.rootVersion })).commitments
      expect(leaves).toEqual([kept, '0'])
      expect(lines.join('\n')).toMatch(/removed 1 revoked member/)
    } finally {
      await worker.stop()
      await db.close()
    }
  }, 90_000)
})
