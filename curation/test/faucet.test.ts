/**
 * The verified-human faucet with real Semaphore proofs against the real jury group: a member funds one DID once;
 * every way to get a second grant (same human, same DID, a proof for another DID, a ballot proof, another group, an
 * old or pre-removal root, a forged proof, a race) is refused with its own code and records nothing; the ledger
 * invariant holds throughout. Proofs are made once, in parallel, in beforeAll.
 */
import { Group, Identity, generateProof, type SemaphoreProof } from '@semaphore-protocol/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import type { CurationErrorCode } from '../src/errors'
import { roundScope } from '../src/jury/ballot'
import {
  FAUCET_ROOT_WINDOW_MS,
  FAUCET_SCOPE,
  acceptClaimRoot,
  checkFaucetProof,
  faucetMessage,
} from '../src/jury/faucet'
import { JURY_TREE_DEPTH } from '../src/jury/group'
import { MICRO } from '../src/market/lmsr'
import { DEFAULT_LEDGER_PARAMS, parseMarketParams } from '../src/market/params'
import { claimHumanGrant, hasClaimedHumanGrant, type ClaimHumanGrantOptions } from '../src/service/faucet'
import { semaphoreArtifacts } from '../src/service/jury-artifacts'
import { addMember, removeMember } from '../src/service/jury-group'
import { getBalance, grantStartingCredits } from '../src/service/ledger'
import { expectLedgerSound, expectRefusal, fundLedger } from './helpers'
import { HOUR, MINUTE, T0, at, terminateCurve } from './jury-helpers'

const GRANT = 9_000n * MICRO
const STARTING = 1_000n * MICRO
const did = (n: number) => `did:plc:faucettest${n}`

// Eight members, all admitted at T0 (root versions 1..8); the last is removed later in the file (version 9).
const jurors = Array.from({ length: 8 }, (_, i) => new Identity(`curia-faucet-juror-${i + 1}`))
const removed = jurors[7]!
const stranger = new Identity('curia-faucet-stranger')

let database: Database
type Proofs = Record<
  | 'happy'
  | 'sameHumanOtherDid'
  | 'otherHumanSameDid'
  | 'forDid2'
  | 'roundScope'
  | 'depth16'
  | 'foreign'
  | 'j2did3'
  | 'olderRoot'
  | 'race'
  | 'raceA'
  | 'raceB'
  | 'beforeRemoval'
  | 'removedMember'
  | 'afterRemoval',
  SemaphoreProof
>
let proofs: Proofs

async function prove(
  identity: Identity,
  members: readonly Identity[] | Group,
  opts: { did: string; scope?: bigint; depth?: number },
): Promise<SemaphoreProof> {
  const group = members instanceof Group ? members : new Group(members.map((m) => m.commitment))
  const index = group.indexOf(identity.commitment)
  if (index < 0) throw new Error('identity not in the group')
  const path = group.generateMerkleProof(index)
  const depth = opts.depth ?? JURY_TREE_DEPTH
  return generateProof(
    identity,
    { ...path, siblings: [...path.siblings] },
    faucetMessage(opts.did),
    opts.scope ?? FAUCET_SCOPE,
    depth,
    semaphoreArtifacts(depth),
  )
}

/** The tree of version 9: every member, the removed one's leaf zeroed (as Semaphore's removeMember does). */
function afterRemovalGroup(): Group {
  const group = new Group(jurors.map((j) => j.commitment))
  group.removeMember(jurors.indexOf(removed))
  return group
}

const claim = (opts: Partial<ClaimHumanGrantOptions> & { did: string; proof: unknown }) =>
  claimHumanGrant(database, { now: at(MINUTE), amountMicro: GRANT, ...opts })

const refused = (code: CurationErrorCode, fn: () => Promise<unknown>) => expectRefusal(code, fn, counts)

async function counts() {
  const [row] = await database.sql<{ claims: number; grants: number; minted: string }[]>`
    select (select count(*)::int from faucet_claim) as claims,
           (select count(*)::int from ledger_entry where reason = 'human_grant') as grants,
           (select (-balance_micro)::text from account where kind = 'mint') as minted`
  return row
}

const expectSound = () => expectLedgerSound(database)

beforeAll(async () => {
  database = await createTestDatabase({ max: 6 })
  await fundLedger(database, { now: T0 })
  for (const j of jurors) await addMember(database, { commitment: j.commitment, now: T0 })
  const [j1, j2, j3, j4, j5, j6, j7] = jurors as [Identity, ...Identity[]]
  const all = jurors
  const entries = await Promise.all(
    Object.entries({
      happy: prove(j1, all, { did: did(1) }),
      sameHumanOtherDid: prove(j1, all, { did: did(2) }),
      otherHumanSameDid: prove(j2!, all, { did: did(1) }),
      forDid2: prove(j2!, all, { did: did(2) }),
      roundScope: prove(j2!, all, { did: did(3), scope: roundScope(1) }),
      depth16: prove(j2!, all, { did: did(3), depth: 16 }),
      foreign: prove(stranger, [stranger, j1], { did: did(3) }),
      j2did3: prove(j2!, all, { did: did(3) }),
      // Version 7: the first seven members, replaced by version 8 at T0.
      olderRoot: prove(j3!, all.slice(0, 7), { did: did(4) }),
      race: prove(j4!, all, { did: did(5) }),
      raceA: prove(j5!, all, { did: did(6) }),
      raceB: prove(j6!, all, { did: did(6) }),
      beforeRemoval: prove(j7!, all, { did: did(7) }),
      removedMember: prove(removed, all, { did: did(8) }),
      afterRemoval: prove(j7!, afterRemovalGroup(), { did: did(7) }),
    }).map(async ([k, p]) => [k, await p] as const),
  )
  proofs = Object.fromEntries(entries) as Proofs
}, 300_000)

afterAll(async () => {
  await database?.close()
  await terminateCurve()
})

describe('the faucet core', () => {
  it('binds a claim to its recipient and to the faucet, apart from every round', () => {
    expect(faucetMessage(did(1))).not.toBe(faucetMessage(did(2)))
    expect(FAUCET_SCOPE).not.toBe(roundScope(1))
    expect(FAUCET_SCOPE < 1n << 248n && faucetMessage(did(1)) < 1n << 248n).toBe(true)
    // A proof in transit cannot be pointed at another DID: the message is checked against the recipient.
    expect(() => checkFaucetProof(proofs.happy, did(2))).toThrow(/another account/)
    expect(checkFaucetProof(proofs.happy, did(1)).nullifier).toBe(proofs.happy.nullifier)
    expect(() => checkFaucetProof({ ...proofs.happy, extra: 1 }, did(1))).toThrow(
      expect.objectContaining({ code: 'bad_proof' }),
    )
  })

  it('accepts the current root, a recently replaced one, and nothing from before the latest removal', () => {
    const now = at(2 * HOUR)
    const current = { version: 9, supersededAt: null }
    expect(acceptClaimRoot(current, { latestRemovedVersion: null, now })).toEqual({ ok: true })
    // The version a removal produced no longer holds the removed member: it is accepted.
    expect(acceptClaimRoot(current, { latestRemovedVersion: 9, now })).toEqual({ ok: true })
    expect(
      acceptClaimRoot({ version: 8, supersededAt: at(HOUR + 30 * MINUTE) }, { latestRemovedVersion: 9, now }),
    ).toEqual({ ok: false, reason: 'before_removal' })
    expect(
      acceptClaimRoot({ version: 8, supersededAt: at(HOUR + 30 * MINUTE) }, { latestRemovedVersion: 3, now }),
    ).toEqual({ ok: true })
    expect(
      acceptClaimRoot(
        { version: 8, supersededAt: at(2 * HOUR - FAUCET_ROOT_WINDOW_MS) },
        { latestRemovedVersion: null, now },
      ),
    ).toEqual({ ok: false, reason: 'stale' })
  })

  it('reads its grant from CURIA_HUMAN_GRANT_CREDITS: 9,000 by default, 0 turns it off', () => {
    expect(DEFAULT_LEDGER_PARAMS.humanGrantMicro).toBe(GRANT)
    expect(parseMarketParams({}).ledger.humanGrantMicro).toBe(GRANT)
    expect(parseMarketParams({ CURIA_HUMAN_GRANT_CREDITS: '0' }).ledger.humanGrantMicro).toBe(0n)
    expect(parseMarketParams({ CURIA_HUMAN_GRANT_CREDITS: '250.5' }).ledger.humanGrantMicro).toBe(
      250_500_000n,
    )
    expect(() => parseMarketParams({ CURIA_HUMAN_GRANT_CREDITS: '-1' })).toThrow()
  })
})

describe('claimHumanGrant', () => {
  it('pays a member once: the balance rises by the grant on top of the starting grant', async () => {
    await grantStartingCredits(database, { did: did(1), amountMicro: STARTING, now: T0 })
    const grant = await claim({ did: did(1), proof: proofs.happy })
    expect(grant).toEqual({
      did: did(1),
      nullifier: proofs.happy.nullifier,
      amountMicro: GRANT,
      balanceMicro: STARTING + GRANT,
      rootVersion: 8,
    })
    expect(await getBalance(database, did(1))).toBe(STARTING + GRANT)
    expect(await hasClaimedHumanGrant(database, did(1))).toBe(true)
    const entries = await database.sql<{ reason: string; reference: string; amount: string }[]>`
      select reason, reference, amount_micro::text as amount from ledger_entry where reason = 'human_grant'`
    expect(entries).toEqual([
      { reason: 'human_grant', reference: proofs.happy.nullifier, amount: String(GRANT) },
    ])
    const rows = await database.sql`select nullifier, did, root_version from faucet_claim`
    expect(rows).toEqual([{ nullifier: proofs.happy.nullifier, did: did(1), root_version: 8 }])
    await expectSound()
  })

  it('refuses the same claim again, and the same human for another DID', async () => {
    await refused('did_already_claimed', () => claim({ did: did(1), proof: proofs.happy }))
    await refused('human_already_claimed', () => claim({ did: did(2), proof: proofs.sameHumanOtherDid }))
    expect(await getBalance(database, did(2))).toBe(0n)
  })

  it('refuses a second human funding a DID that already had the grant', async () => {
    await refused('did_already_claimed', () => claim({ did: did(1), proof: proofs.otherHumanSameDid }))
  })

  it('refuses a proof made for another DID (a proof seen in transit cannot be redirected)', async () => {
    await refused('wrong_message', () => claim({ did: did(3), proof: proofs.forDid2 }))
  })

  it('refuses a round-scope proof, another depth, another group, junk, a forged proof, and a disabled faucet', async () => {
    await refused('wrong_scope', () => claim({ did: did(3), proof: proofs.roundScope }))
    await refused('wrong_depth', () => claim({ did: did(3), proof: proofs.depth16 }))
    await refused('wrong_root', () => claim({ did: did(3), proof: proofs.foreign }))
    await refused('bad_proof', () => claim({ did: did(3), proof: 'a proof' }))
    await refused('bad_proof', () => claim({ did: did(3), proof: { ...proofs.j2did3, nullifier: '007' } }))
    await refused('bad_request', () => claim({ did: 'not a did', proof: proofs.j2did3 }))
    const points = [...proofs.j2did3.points] as SemaphoreProof['points']
    points[0] = proofs.happy.points[0]
    await refused('invalid_proof', () => claim({ did: did(3), proof: { ...proofs.j2did3, points } }))
    // A proof carrying another claim's nullifier does not verify either (the nullifier is a public input).
    await refused('invalid_proof', () =>
      claim({ did: did(3), proof: { ...proofs.j2did3, nullifier: proofs.happy.nullifier } }),
    )
    await refused('faucet_disabled', () => claim({ did: did(3), proof: proofs.j2did3, amountMicro: 0n }))
    // None of that used up anything: the same human's real claim for that DID is paid.
    expect((await claim({ did: did(3), proof: proofs.j2did3 })).balanceMicro).toBe(GRANT)
    await expectSound()
  })

  it('accepts a root replaced less than an hour ago, not one replaced earlier', async () => {
    // Version 7 was replaced by version 8 at T0.
    await refused('wrong_root', () =>
      claim({ did: did(4), proof: proofs.olderRoot, now: new Date(T0.getTime() + FAUCET_ROOT_WINDOW_MS) }),
    )
    const grant = await claim({ did: did(4), proof: proofs.olderRoot, now: at(30 * MINUTE) })
    expect(grant.rootVersion).toBe(7)
  })

  it('pays exactly once when the same claim races itself', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => claim({ did: did(5), proof: proofs.race })),
    )
    const paid = results.filter((r) => r.status === 'fulfilled')
    expect(paid).toHaveLength(1)
    for (const r of results) {
      if (r.status === 'rejected') {
        const code = (r.reason as { code?: string }).code
        expect(['human_already_claimed', 'did_already_claimed']).toContain(code)
      }
    }
    expect(await getBalance(database, did(5))).toBe(GRANT)
    await expectSound()
  })

  it('pays one of two humans racing to fund the same DID', async () => {
    const results = await Promise.allSettled([
      claim({ did: did(6), proof: proofs.raceA }),
      claim({ did: did(6), proof: proofs.raceB }),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const loser = results.find((r) => r.status === 'rejected')
    expect((loser?.reason as { code?: string }).code).toBe('did_already_claimed')
    expect(await getBalance(database, did(6))).toBe(GRANT)
    const [row] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from faucet_claim where did = ${did(6)}`
    expect(row!.n).toBe(1)
    await expectSound()
  })

  it('refuses every root from before the latest removal, the removed member included; accepts the new one', async () => {
    const removal = await removeMember(database, { commitment: removed.commitment, now: at(2 * MINUTE) })
    expect(removal).toMatchObject({
      outcome: 'removed',
      removedVersion: 9,
      root: afterRemovalGroup().root.toString(),
    })
    const now = at(3 * MINUTE)
    // Version 8 was replaced a minute ago, well inside the window, but it still holds the removed member.
    await refused('wrong_root', () => claim({ did: did(8), proof: proofs.removedMember, now }))
    await refused('wrong_root', () => claim({ did: did(7), proof: proofs.beforeRemoval, now }))
    const grant = await claim({ did: did(7), proof: proofs.afterRemoval, now })
    expect(grant.rootVersion).toBe(9)
    await expectSound()
    const [row] = await database.sql<{ claims: number; grants: number; minted: string }[]>`
      select (select count(*)::int from faucet_claim) as claims,
             (select count(*)::int from ledger_entry where reason = 'human_grant') as grants,
             (select sum(amount_micro)::text from ledger_entry where reason = 'human_grant') as minted`
    // did 1, 3, 4, 5, 6, 7: six humans, six DIDs, six grants.
    expect(row).toEqual({ claims: 6, grants: 6, minted: String(6n * GRANT) })
  })
})
