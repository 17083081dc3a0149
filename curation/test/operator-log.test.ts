import { Identity } from '@semaphore-protocol/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { inviteVerifier } from '../src/admission/invite'
import { describeOperatorAction } from '../src/admission/operator-log'
import {
  addToAllowlist,
  admitJuror,
  createOperatorInvites,
  listOperatorActions,
  removeFromAllowlist,
  revokeInviteBranch,
} from '../src/service/admission'
import { expectRefusal } from './helpers'

/**
 * The operators' log: every change to admission made through the four operator operations is written with who
 * made it, in the change's own transaction; what changed nothing is not logged, and a change that fails leaves no
 * line (nor does a line that cannot be written leave the change).
 */
const T0 = new Date('2026-05-01T09:00:00Z')
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)
const policy = { ttlMs: 86_400_000 }
const OP = 'did:plc:operatorone'

let database: Database
beforeAll(async () => {
  database = await createTestDatabase({ max: 2 })
})
afterAll(async () => {
  await database?.close()
})

const log = () => listOperatorActions(database, { limit: 100 })
const count = async (table: 'juror_allowlist' | 'juror_invite') =>
  (await database.sql<{ n: number }[]>`select count(*)::int as n from ${database.sql(table)}`)[0]!.n

describe('the operators log', () => {
  it('writes each change once, with who made it and what it took, newest first', async () => {
    await addToAllowlist(database, { did: 'did:plc:ann', note: 'met at the meetup', now: at(1), by: OP })
    await addToAllowlist(database, { did: 'did:plc:ann', note: 'again', now: at(2), by: OP }) // already listed
    await removeFromAllowlist(database, { did: 'did:plc:nobody', now: at(3), by: OP }) // not listed
    await removeFromAllowlist(database, { did: 'did:plc:ann', now: at(4), by: 'cli:root' })
    const [code] = await createOperatorInvites(database, { count: 2, now: at(5), by: 'cli:root', policy })
    await admitJuror(database, {
      verifier: inviteVerifier(),
      evidence: { did: 'did:plc:bea', code: code!.code },
      commitment: new Identity('operator-log-bea').commitment.toString(),
      now: at(6),
    })
    await revokeInviteBranch(database, { personKey: 'did:plc:bea', now: at(7), by: OP })
    await revokeInviteBranch(database, { personKey: 'did:plc:bea', now: at(8), by: OP }) // nothing left to revoke

    const lines = await log()
    expect(
      lines.map(({ at: when, actor, action, subject, detail }) => ({ when, actor, action, subject, detail })),
    ).toEqual([
      {
        when: at(7).toISOString(),
        actor: OP,
        action: 'revoke',
        subject: 'did:plc:bea',
        detail: { members: 1, invites: 0, removed: 1 },
      },
      { when: at(5).toISOString(), actor: 'cli:root', action: 'invite', subject: null, detail: { count: 2 } },
      {
        when: at(4).toISOString(),
        actor: 'cli:root',
        action: 'disallow',
        subject: 'did:plc:ann',
        detail: {},
      },
      {
        when: at(1).toISOString(),
        actor: OP,
        action: 'allow',
        subject: 'did:plc:ann',
        detail: { note: 'met at the meetup' },
      },
    ])
    const name = (did: string) => (did === 'did:plc:bea' ? '@bea.test' : did)
    expect(lines.map((l) => describeOperatorAction(l, name))).toEqual([
      'revoked the branch of @bea.test: 1 member, 0 unused invites withdrawn, 1 member removed from the jury group',
      'created 2 operator invites',
      'took did:plc:ann off the allowlist',
      'allowed did:plc:ann (note: met at the meetup)',
    ])
  })

  it('a refused change leaves no line, and a line that cannot be written leaves no change', async () => {
    const before = await log()
    await expectRefusal('bad_request', () =>
      revokeInviteBranch(database, { personKey: 'did:plc:stranger', now: at(10), by: OP }),
    )
    await expectRefusal('bad_request', () =>
      addToAllowlist(database, { did: 'not a did', now: at(10), by: OP }),
    )
    expect(await log()).toEqual(before)

    // No actor: the log's NOT NULL fails, and the allowlist entry and the invites go with it.
    const [allowed, invites] = [await count('juror_allowlist'), await count('juror_invite')]
    const nobody = null as unknown as string
    await expect(addToAllowlist(database, { did: 'did:plc:cai', now: at(11), by: nobody })).rejects.toThrow(
      /actor/,
    )
    await expect(
      createOperatorInvites(database, { count: 3, now: at(11), by: nobody, policy }),
    ).rejects.toThrow(/actor/)
    expect([await count('juror_allowlist'), await count('juror_invite')]).toEqual([allowed, invites])
    expect(await log()).toEqual(before)
  })
})
