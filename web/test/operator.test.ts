import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Identity } from '@semaphore-protocol/core'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { allowlistVerifier } from '@curia/curation/admission/allowlist'
import { inviteVerifier } from '@curia/curation/admission/invite'
import {
  addToAllowlist,
  admitJuror,
  createInvite,
  createOperatorInvites,
  revokeInviteBranch,
} from '@curia/curation/service/admission'
import { readJuryWebConfig } from '../server/jury/config'
import { isOperator, loadOperatorConsole } from '../server/operator/console'

/**
 * The operator page's server half: who is an operator, and the invite tree in reading order (each member followed
 * by their branch, with the branch's size) beside the allowlist. The page and its actions are in e2e/operator.spec.
 */

const NOW = new Date('2026-03-01T12:00:00Z')
const POLICY = { perPeriod: 3, periodMs: 30 * 86_400_000, ttlMs: 14 * 86_400_000 }
const did = (name: string) => `did:plc:${name.padEnd(24, '0')}`

describe('operators', () => {
  it('are the DIDs in CURIA_OPERATOR_DIDS, and nobody by default', () => {
    const none = readJuryWebConfig({}, 'http://127.0.0.1:3000')
    expect(isOperator(did('alice'), none)).toBe(false)
    const set = readJuryWebConfig(
      { CURIA_OPERATOR_DIDS: ` ${did('alice')}, ${did('bob')}  did:web:ops.example ` },
      'http://127.0.0.1:3000',
    )
    expect([...set.operators]).toEqual([did('alice'), did('bob'), 'did:web:ops.example'])
    expect(isOperator(did('bob'), set)).toBe(true)
    expect(isOperator(did('carol'), set)).toBe(false)
    expect(isOperator(undefined, set)).toBe(false)
  })

  it('refuses a list with something that is not a DID, rather than run without the operator meant', () => {
    expect(() =>
      readJuryWebConfig({ CURIA_OPERATOR_DIDS: `${did('alice')},alice.bsky.social` }, 'http://x.example'),
    ).toThrow(/not a DID: alice\.bsky\.social/)
  })
})

describe('the operator console', () => {
  let database: Database
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database?.close()
  })

  const admit = (person: string, evidence: { code: string } | 'allowlist', at: Date) =>
    admitJuror(database, {
      verifier: evidence === 'allowlist' ? allowlistVerifier() : inviteVerifier(),
      evidence: evidence === 'allowlist' ? { did: person } : { did: person, code: evidence.code },
      commitment: new Identity(`operator-test-${person}`).commitment.toString(),
      now: at,
    })

  it('nests each branch under its member, counts it, and lists the allowlist with who enrolled', async () => {
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000)
    const [a, b] = await createOperatorInvites(database, { by: 'test', count: 2, now: at(0), policy: POLICY })
    await admit(did('root1'), { code: a!.code }, at(1))
    await admit(did('root2'), { code: b!.code }, at(2))
    // root1 invites child1 and child2; child1 invites grandchild. root2's invite goes unused.
    for (const [inviter, invitee, minute] of [
      [did('root1'), did('child1'), 3],
      [did('root1'), did('child2'), 4],
      [did('child1'), did('grandchild'), 5],
    ] as const) {
      const invite = await createInvite(database, { inviter, now: at(minute), policy: POLICY })
      await admit(invitee, { code: invite.code }, at(minute))
    }
    await createInvite(database, { inviter: did('root2'), now: at(6), policy: POLICY })
    await addToAllowlist(database, { by: 'test', did: did('listed'), note: 'a <note>', now: at(7) })
    await addToAllowlist(database, { by: 'test', did: did('waiting'), now: at(8) })
    await admit(did('listed'), 'allowlist', at(9))
    await database.sql`insert into author (did, handle) values (${did('child2')}, 'child2.test')`

    const view = await loadOperatorConsole(database, {
      now: at(10),
      config: readJuryWebConfig({}, 'http://127.0.0.1:3000'),
    })
    expect(view.members.map((m) => [m.personKey, m.depth, m.descendants])).toEqual([
      [did('root1'), 0, 3],
      [did('child1'), 1, 1],
      [did('grandchild'), 2, 0],
      [did('child2'), 1, 0],
      [did('root2'), 0, 0],
      [did('listed'), 0, 0],
    ])
    expect(view.members.find((m) => m.personKey === did('child2'))?.handle).toBe('child2.test')
    expect(view.members.find((m) => m.personKey === did('root2'))?.invites).toMatchObject({
      created: 1,
      used: 0,
      pending: 1,
    })
    expect(view.allowlist.map((e) => [e.did, e.member, e.note])).toEqual([
      [did('waiting'), false, null],
      [did('listed'), true, 'a <note>'],
    ])
    expect(view.inviteTtlDays).toBe(14)

    // After a branch is revoked the tree still shows it, marked.
    await revokeInviteBranch(database, { by: did('child2'), personKey: did('child1'), now: at(11) })
    const after = await loadOperatorConsole(database, {
      now: at(12),
      config: readJuryWebConfig({}, 'http://127.0.0.1:3000'),
    })
    expect(after.members.filter((m) => m.revokedAt !== null).map((m) => m.personKey)).toEqual([
      did('child1'),
      did('grandchild'),
    ])
    // The operators' log, newest first, names an actor or subject Curia knows a handle for by it.
    expect(after.log.map((l) => [l.actor, l.text])).toEqual([
      [
        '@child2.test',
        `revoked the branch of ${did('child1')}: 2 members, 0 unused invites withdrawn, 2 members removed from the jury group`,
      ],
      ['test', `allowed ${did('waiting')}`],
      ['test', `allowed ${did('listed')} (note: a <note>)`],
      ['test', 'created 2 operator invites'],
    ])
  })
})
