/**
 * `npm run jury`, the operator's admission commands, run as the operator runs them (a child process on the same
 * database): the allowlist, operator invites (each admitting one person), the invite tree as the operator reads it,
 * and revoking a branch, which removes its members from the jury group. Bad usage exits 2 and a refused operation
 * 1, both before anything changes.
 */
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { Identity } from '@semaphore-protocol/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { allowlistVerifier } from '../src/admission/allowlist'
import { inviteVerifier } from '../src/admission/invite'
import { admitJuror, createInvite } from '../src/service/admission'
import { addMember, countMembersAt, getGroupHead } from '../src/service/jury-group'

const root = resolve(import.meta.dirname, '../..')
let database: Database

beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(async () => {
  await database.close()
})

async function jury(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/jury.ts', ...args],
      { cwd: root, env: { ...process.env, DATABASE_URL: database.url } },
    )
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

const admit = (did: string, evidence: { did: string; code?: string }) =>
  admitJuror(database, {
    verifier: evidence.code ? inviteVerifier() : allowlistVerifier(),
    evidence,
    commitment: new Identity(`jury-cli-${did}`).commitment,
    now: new Date(),
  })

const liveMembers = async () => {
  const head = await getGroupHead(database)
  return countMembersAt(database, head.version)
}

describe('npm run jury', () => {
  it('refuses bad usage (2) and a malformed DID (1), changing nothing', async () => {
    expect(await jury()).toMatchObject({ code: 2, stderr: expect.stringContaining('usage:') as unknown })
    expect(await jury('frobnicate')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command') as unknown,
    })
    expect(await jury('allow')).toMatchObject({ code: 2 })
    expect(await jury('allow', 'did:plc:a', 'did:plc:b')).toMatchObject({ code: 2 })
    expect(await jury('tree', '--bogus')).toMatchObject({ code: 2 })
    expect(await jury('allow', 'not-a-did')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('refused') as unknown,
    })
    expect(await jury('invite', '--count', 'many')).toMatchObject({ code: 1 })
    expect(await database.sql`select 1 from juror_allowlist`).toEqual([])
    expect(await database.sql`select 1 from juror_invite`).toEqual([])
  })

  it('allows, invites, shows the tree, and revokes a branch out of the group', async () => {
    const allowed = await jury('allow', 'did:plc:alice', '--note', 'met in person')
    expect(allowed).toMatchObject({ code: 0, stdout: 'did:plc:alice may now enroll as a juror\n' })
    expect((await jury('allow', 'did:plc:alice')).stdout).toContain('already on the allowlist')
    await admit('alice', { did: 'did:plc:alice' })

    const invited = await jury('invite', '--count', '2')
    expect(invited.code).toBe(0)
    const codes = invited.stdout.match(/^inv_\S+/gm) ?? []
    expect(codes).toHaveLength(2)
    await admit('bob', { did: 'did:plc:bob', code: codes[0]! })
    // Alice invites carol: carol hangs under alice in the tree.
    const { code } = await createInvite(database, {
      inviter: 'did:plc:alice',
      now: new Date(),
      policy: { perPeriod: 3, periodMs: 86_400_000, ttlMs: 86_400_000 },
    })
    await admit('carol', { did: 'did:plc:carol', code })
    expect(await liveMembers()).toBe(3)

    const tree = await jury('tree')
    expect(tree.code).toBe(0)
    const lines = tree.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(
      /^did:plc:alice {2}\(allowlist, admitted \d{4}-\d\d-\d\d; 1 of 1 invites used\)$/,
    )
    expect(lines[1]).toMatch(/^ {2}did:plc:carol {2}\(invite, .*0 of 0 invites used\)$/)
    expect(lines[2]).toMatch(/^did:plc:bob {2}\(invite, /)

    const revoked = await jury('revoke', 'did:plc:alice')
    expect(revoked.code).toBe(0)
    expect(revoked.stdout).toContain('revoked 2 member(s) in the branch of did:plc:alice')
    expect(revoked.stdout).toContain('removed 2 member(s) from the jury group')
    expect(await liveMembers()).toBe(1)
    const after = (await jury('tree')).stdout
    expect(after).toMatch(/did:plc:alice .*REVOKED/)
    expect(after).toMatch(/did:plc:carol .*REVOKED/)
    expect(after).not.toMatch(/did:plc:bob .*REVOKED/)

    expect(await jury('revoke', 'did:plc:nobody')).toMatchObject({ code: 1 })
    expect(await jury('revoke', '--catch-up')).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('removed 0 revoked member(s)') as unknown,
    })
    expect((await jury('disallow', 'did:plc:alice')).stdout).toBe('did:plc:alice is off the allowlist\n')
  })

  it('shows wallet members by account (and wallet), and revokes one named by either', async () => {
    const now = new Date()
    const legacyWallet = `0x${'1a'.repeat(20)}`
    const wallet = `0x${'2b'.repeat(20)}`
    // Admitted through the personhood check: one with its account (as every binding is now), one from before
    // accounts were recorded (its wallet only, as the migration left it).
    for (const [did, w, name] of [
      ['did:plc:walt', wallet, 'walt'],
      [null, legacyWallet, 'legacy'],
    ] as const) {
      const commitment = new Identity(`jury-cli-${name}`).commitment.toString()
      await addMember(database, { commitment, now })
      await database.sql`
        insert into juror_binding (verifier, did, wallet, commitment, admitted_at, member_added_at)
        values ('personhood', ${did}, ${w}, ${commitment}, ${now.toISOString()}::timestamptz,
                ${now.toISOString()}::timestamptz)`
    }
    const live = await liveMembers()
    const tree = (await jury('tree')).stdout
    expect(tree).toMatch(new RegExp(`^did:plc:walt {2}\\(personhood ${wallet}, admitted `, 'm'))
    expect(tree).toMatch(new RegExp(`^eth:${legacyWallet} {2}\\(personhood ${legacyWallet}, admitted `, 'm'))

    // By wallet, in the case a wallet shows it: the binding, account and all, is revoked.
    const byWallet = await jury('revoke', `eth:0x${'2B'.repeat(20)}`)
    expect(byWallet.code).toBe(0)
    expect(byWallet.stdout).toContain('revoked 1 member(s)')
    const [walt] = await database.sql<{ revoked: boolean }[]>`
      select revoked_at is not null as revoked from juror_binding where did = 'did:plc:walt'`
    expect(walt!.revoked).toBe(true)
    expect(await jury('revoke', `eth:${legacyWallet}`)).toMatchObject({ code: 0 })
    expect(await liveMembers()).toBe(live - 2)
    // The log names each member as the tree does (the account, even when the operator gave the wallet).
    const logged = await database.sql<{ subject: string }[]>`
      select subject from operator_action where action = 'revoke' order by id desc limit 2`
    expect(logged.map((l) => l.subject)).toEqual([`eth:${legacyWallet}`, 'did:plc:walt'])
  })
})
