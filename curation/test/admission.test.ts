import { Identity } from '@semaphore-protocol/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { createSiweMessage } from 'viem/siwe'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import type { InvitePolicy, SiwePolicy } from '../src/admission/admission-config'
import { allowlistVerifier } from '../src/admission/allowlist'
import { hashInviteCode, inviteVerifier } from '../src/admission/invite'
import { personhoodVerifier } from '../src/admission/personhood'
import { checkSiweMessage } from '../src/admission/siwe'
import type { AdmissionVerifier } from '../src/admission/verifier'
import {
  connectChain,
  deployTestPersonhoodRegistry,
  setTestHuman,
  type ChainClients,
} from '../src/chain/anchor'
import { ANVIL_CHAIN_ID, ANVIL_DEV_PRIVATE_KEY, startAnvil, type LocalChain } from '../src/chain/anvil'
import { parseRegistryFunction } from '../src/chain/personhood'
import { isCurationError, type CurationErrorCode } from '../src/errors'
import {
  addToAllowlist,
  admitJuror,
  createInvite,
  createOperatorInvites,
  finishAdmission,
  getInviteTree,
  issueSiweNonce,
  listRevokedCommitments,
  removeFromAllowlist,
  revokeInviteBranch,
} from '../src/service/admission'
import { addMember, countMembersAt, getGroupCommitments, getGroupHead } from '../src/service/jury-group'
import { expectRefusal } from './helpers'

const T0 = new Date('2026-03-01T12:00:00Z')
const DAY = 86_400_000
const at = (ms: number) => new Date(T0.getTime() + ms)
const invites: InvitePolicy = { perPeriod: 2, periodMs: 30 * DAY, ttlMs: 7 * DAY }
const siwe: SiwePolicy = {
  domain: 'curia.test',
  uri: 'https://curia.test',
  chainId: ANVIL_CHAIN_ID,
  nonceTtlMs: 10 * 60_000,
  clockSkewMs: 60_000,
}

let database: Database
let chain: LocalChain
let operator: ChainClients
let registry: Address
let personhood: AdmissionVerifier
const allowlist = allowlistVerifier()
const invite = inviteVerifier()

beforeAll(async () => {
  database = await createTestDatabase({ max: 4 })
  chain = await startAnvil()
  operator = await connectChain({ rpcUrl: chain.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY })
  registry = (await deployTestPersonhoodRegistry(operator)).address
  personhood = personhoodVerifier({
    publicClient: operator.publicClient,
    registry: {
      address: registry,
      fn: parseRegistryFunction('function isHuman(address) view returns (bool)'),
      minimum: 1n,
    },
    siwe,
  })
})
afterAll(async () => {
  await chain?.stop()
  await database?.close()
})

const commitment = (name: string) => new Identity(name).commitment.toString()

/** Everything admission could write, as text: equal snapshots mean a refusal recorded nothing. */
async function snapshot(): Promise<string> {
  const [row] = await database.sql<{ s: string }[]>`
    select concat_ws(E'\n',
      (select coalesce(json_agg(b order by b.id), '[]')::text from juror_binding b),
      (select coalesce(json_agg(i order by i.id), '[]')::text from juror_invite i),
      (select coalesce(json_agg(n order by n.nonce), '[]')::text from siwe_nonce n),
      (select coalesce(json_agg(m order by m.leaf_index), '[]')::text from jury_member m)) as s`
  return row!.s
}

/** Every admission table, and the group as rounds see it: its head (version, size, root) and live members. */
async function snapshotWithGroup(): Promise<unknown> {
  const head = await getGroupHead(database)
  return { tables: await snapshot(), head, members: await countMembersAt(database, head.version) }
}

const refused = (code: CurationErrorCode, fn: () => Promise<unknown>) =>
  expectRefusal(code, fn, snapshotWithGroup)

describe('allowlist', () => {
  it('admits a listed DID once, adding its commitment to the group', async () => {
    await addToAllowlist(database, { by: 'test', did: 'did:plc:ann', now: T0 })
    const head = await getGroupHead(database)
    const result = await admitJuror(database, {
      verifier: allowlist,
      evidence: { did: 'did:plc:ann' },
      commitment: commitment('ann'),
      now: T0,
    })
    expect(result).toEqual({ verifier: 'allowlist', rootVersion: head.version + 1, resumed: false })
    const group = await getGroupCommitments(database, { rootVersion: result.rootVersion })
    expect(group.commitments).toContain(commitment('ann'))
    // The result names no person and no commitment: the binding stays on the server.
    expect(JSON.stringify(result)).not.toMatch(/ann|did:/)

    await refused('already_admitted', () =>
      admitJuror(database, {
        verifier: allowlist,
        evidence: { did: 'did:plc:ann' },
        commitment: commitment('ann-2'),
        now: T0,
      }),
    )
  })

  it('refuses a DID off the list, a commitment already bound, and a malformed commitment', async () => {
    await refused('not_allowlisted', () =>
      admitJuror(database, {
        verifier: allowlist,
        evidence: { did: 'did:plc:zed' },
        commitment: commitment('zed'),
        now: T0,
      }),
    )
    await addToAllowlist(database, { by: 'test', did: 'did:plc:bea', now: T0 })
    await refused('commitment_taken', () =>
      admitJuror(database, {
        verifier: allowlist,
        evidence: { did: 'did:plc:bea' },
        commitment: commitment('ann'),
        now: T0,
      }),
    )
    for (const bad of [
      '0',
      '-1',
      'abc',
      '1e5',
      21888242871839275222246405745257275088548364400416034343698204186575808495617n,
    ]) {
      await refused('bad_commitment', () =>
        admitJuror(database, {
          verifier: allowlist,
          evidence: { did: 'did:plc:bea' },
          commitment: bad,
          now: T0,
        }),
      )
    }
    await refused('bad_request', () =>
      admitJuror(database, {
        verifier: allowlist,
        evidence: { did: 'nope' },
        commitment: commitment('bea'),
        now: T0,
      }),
    )
    await removeFromAllowlist(database, { did: 'did:plc:bea', now: T0, by: 'test' })
    await refused('not_allowlisted', () =>
      admitJuror(database, {
        verifier: allowlist,
        evidence: { did: 'did:plc:bea' },
        commitment: commitment('bea'),
        now: T0,
      }),
    )
  })

  it('two people racing for one commitment: one is admitted, the other refused', async () => {
    for (const did of ['did:plc:race1', 'did:plc:race2'])
      await addToAllowlist(database, { by: 'test', did, now: T0 })
    const results = await Promise.allSettled(
      ['did:plc:race1', 'did:plc:race2'].map((did) =>
        admitJuror(database, {
          verifier: allowlist,
          evidence: { did },
          commitment: commitment('contested'),
          now: T0,
        }),
      ),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const loser = results.find((r) => r.status === 'rejected')
    expect(isCurationError(loser?.reason, 'commitment_taken')).toBe(true)
    const [bound] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from juror_binding where commitment = ${commitment('contested')}`
    expect(bound!.n).toBe(1)
  })
})

describe('invites', () => {
  let rootCode: string

  it('admits through an operator invite, once', async () => {
    const created = await createOperatorInvites(database, { by: 'test', count: 1, now: T0, policy: invites })
    expect(created).toHaveLength(1)
    rootCode = created[0]!.code
    expect(rootCode).toMatch(/^inv_[A-Za-z0-9_-]{22}$/)
    // Only the hash is stored.
    const [stored] = await database.sql<{ hash: string }[]>`select code_hash as hash from juror_invite`
    expect(stored!.hash).not.toContain(rootCode)
    await admitJuror(database, {
      verifier: invite,
      evidence: { did: 'did:plc:cy', code: rootCode },
      commitment: commitment('cy'),
      now: T0,
    })
    await refused('invite_invalid', () =>
      admitJuror(database, {
        verifier: invite,
        evidence: { did: 'did:plc:dee', code: rootCode },
        commitment: commitment('dee'),
        now: T0,
      }),
    )
    await refused('invite_invalid', () =>
      admitJuror(database, {
        verifier: invite,
        evidence: { did: 'did:plc:dee', code: 'inv_AAAAAAAAAAAAAAAAAAAAAA' },
        commitment: commitment('dee'),
        now: T0,
      }),
    )
  })

  it('lets a member invite k per period, and refuses expired codes', async () => {
    const first = await createInvite(database, { inviter: 'did:plc:cy', now: T0, policy: invites })
    const second = await createInvite(database, { inviter: 'did:plc:cy', now: at(DAY), policy: invites })
    await refused('invite_quota', () =>
      createInvite(database, { inviter: 'did:plc:cy', now: at(2 * DAY), policy: invites }),
    )
    await refused('invite_invalid', () =>
      createInvite(database, { inviter: 'did:plc:nobody', now: T0, policy: invites }),
    )

    // Expired: refused, and nothing recorded.
    await refused('invite_expired', () =>
      admitJuror(database, {
        verifier: invite,
        evidence: { did: 'did:plc:dee', code: first.code },
        commitment: commitment('dee'),
        now: at(8 * DAY),
      }),
    )
    await admitJuror(database, {
      verifier: invite,
      evidence: { did: 'did:plc:dee', code: second.code },
      commitment: commitment('dee'),
      now: at(2 * DAY),
    })
    // A new period: cy may invite again.
    const third = await createInvite(database, { inviter: 'did:plc:cy', now: at(31 * DAY), policy: invites })
    await admitJuror(database, {
      verifier: invite,
      evidence: { did: 'did:plc:eve', code: third.code },
      commitment: commitment('eve'),
      now: at(31 * DAY),
    })
  })

  it('shows the operator the tree without commitments, and revokes a branch', async () => {
    const pending = await createInvite(database, {
      inviter: 'did:plc:dee',
      now: at(32 * DAY),
      policy: invites,
    })
    const deeChild = await createInvite(database, {
      inviter: 'did:plc:dee',
      now: at(32 * DAY),
      policy: invites,
    })
    await admitJuror(database, {
      verifier: invite,
      evidence: { did: 'did:plc:fay', code: deeChild.code },
      commitment: commitment('fay'),
      now: at(32 * DAY),
    })
    const fayInvite = await createInvite(database, {
      inviter: 'did:plc:fay',
      now: at(32 * DAY),
      policy: invites,
    })

    const tree = await getInviteTree(database, { now: at(32 * DAY) })
    const node = (key: string) => tree.find((n) => n.personKey === key)!
    expect(node('did:plc:cy').parentId).toBeNull()
    expect(node('did:plc:dee').parentId).toBe(node('did:plc:cy').memberId)
    expect(node('did:plc:eve').parentId).toBe(node('did:plc:cy').memberId)
    expect(node('did:plc:fay').parentId).toBe(node('did:plc:dee').memberId)
    expect(node('did:plc:cy').invites).toEqual({ created: 3, used: 2, pending: 0, withdrawn: 0, expired: 1 })
    expect(node('did:plc:dee').invites).toMatchObject({ created: 2, used: 1, pending: 1 })
    const text = JSON.stringify(tree)
    for (const name of ['ann', 'cy', 'dee', 'eve', 'fay']) expect(text).not.toContain(commitment(name))

    // Revoke dee's branch: dee and fay, revoked and removed from the group; cy and eve untouched.
    const before = await getGroupHead(database)
    expect(
      await revokeInviteBranch(database, { by: 'test', personKey: 'did:plc:dee', now: at(33 * DAY) }),
    ).toEqual({
      members: 2,
      invites: 2,
      removed: 2,
    })
    const head = await getGroupHead(database)
    expect(head).toMatchObject({ version: before.version + 2, size: before.size })
    const leaves = (await getGroupCommitments(database, { rootVersion: head.version })).commitments
    for (const name of ['dee', 'fay']) expect(leaves).not.toContain(commitment(name))
    for (const name of ['ann', 'cy', 'eve']) expect(leaves).toContain(commitment(name))
    // Again: nothing left to revoke or remove.
    expect(
      await revokeInviteBranch(database, { by: 'test', personKey: 'did:plc:dee', now: at(33 * DAY) }),
    ).toEqual({
      members: 0,
      invites: 0,
      removed: 0,
    })
    expect(await getGroupHead(database)).toEqual(head)
    const after = await getInviteTree(database, { now: at(33 * DAY) })
    const revoked = after.filter((n) => n.revokedAt !== null).map((n) => n.personKey)
    expect(revoked.sort()).toEqual(['did:plc:dee', 'did:plc:fay'])
    expect(await listRevokedCommitments(database)).toEqual([commitment('dee'), commitment('fay')])
    // The branch admits no one more, invites no one more, and its members cannot come back.
    for (const code of [pending.code, fayInvite.code]) {
      await refused('invite_invalid', () =>
        admitJuror(database, {
          verifier: invite,
          evidence: { did: 'did:plc:gus', code },
          commitment: commitment('gus'),
          now: at(33 * DAY),
        }),
      )
    }
    await refused('admission_revoked', () =>
      createInvite(database, { inviter: 'did:plc:fay', now: at(33 * DAY), policy: invites }),
    )
    await addToAllowlist(database, { by: 'test', did: 'did:plc:dee', now: at(33 * DAY) })
    await refused('admission_revoked', () =>
      admitJuror(database, {
        verifier: allowlist,
        evidence: { did: 'did:plc:dee' },
        commitment: commitment('dee-2'),
        now: at(33 * DAY),
      }),
    )
    // Outside the branch, invites still work.
    const cyAgain = await createInvite(database, {
      inviter: 'did:plc:cy',
      now: at(33 * DAY),
      policy: invites,
    })
    await admitJuror(database, {
      verifier: invite,
      evidence: { did: 'did:plc:gus', code: cyAgain.code },
      commitment: commitment('gus'),
      now: at(33 * DAY),
    })
  })
})

describe('on-chain personhood (SIWE + registry on anvil)', () => {
  const NOW = at(40 * DAY)
  let human: PrivateKeyAccount
  let bot: PrivateKeyAccount

  beforeAll(async () => {
    human = privateKeyToAccount(generatePrivateKey())
    bot = privateKeyToAccount(generatePrivateKey())
    await setTestHuman(operator, { registry, account: human.address, human: true })
  })

  /** The signed-in account enrolling with a wallet: the web app passes the session's DID. */
  const didOf = (account: PrivateKeyAccount) => `did:plc:w${account.address.slice(2, 14).toLowerCase()}`

  async function signIn(
    account: PrivateKeyAccount,
    over: Partial<Parameters<typeof createSiweMessage>[0]> = {},
    opts: { nonce?: string; signer?: PrivateKeyAccount; did?: string } = {},
  ) {
    const nonce = opts.nonce ?? (await issueSiweNonce(database, { now: NOW, policy: siwe })).nonce
    const message = createSiweMessage({
      address: account.address,
      domain: siwe.domain,
      uri: siwe.uri,
      chainId: siwe.chainId,
      version: '1',
      nonce,
      issuedAt: NOW,
      expirationTime: new Date(NOW.getTime() + 5 * 60_000),
      statement: 'Join the Curia jury.',
      ...over,
    })
    const signature = await (opts.signer ?? account).signMessage({ message })
    return { did: opts.did ?? didOf(account), message, signature, nonce }
  }

  it('admits a registered wallet once', async () => {
    const evidence = await signIn(human)
    const result = await admitJuror(database, {
      verifier: personhood,
      evidence,
      commitment: commitment('wallet'),
      now: NOW,
    })
    expect(result.verifier).toBe('personhood')
    // Both keys are recorded: the signed-in account and the wallet.
    const [binding] = await database.sql<{ did: string; wallet: string }[]>`
      select did, wallet from juror_binding where commitment = ${commitment('wallet')}`
    expect(binding).toEqual({ did: didOf(human), wallet: human.address.toLowerCase() })
    const [nonce] = await database.sql<{ used: boolean }[]>`
      select used_at is not null as used from siwe_nonce where nonce = ${evidence.nonce}`
    expect(nonce!.used).toBe(true)

    // The same wallet again, with a fresh nonce and another commitment: one person, one commitment.
    const again = await signIn(human)
    await refused('already_admitted', () =>
      admitJuror(database, {
        verifier: personhood,
        evidence: again,
        commitment: commitment('wallet-2'),
        now: NOW,
      }),
    )
    // Nor through another account: the wallet is bound.
    const otherAccount = await signIn(human, {}, { did: 'did:plc:walletborrower' })
    await refused('already_admitted', () =>
      admitJuror(database, {
        verifier: personhood,
        evidence: otherAccount,
        commitment: commitment('wallet-2'),
        now: NOW,
      }),
    )
    // Replaying the message that worked: its nonce is spent.
    await refused('siwe_nonce', () =>
      admitJuror(database, { verifier: personhood, evidence, commitment: commitment('wallet-3'), now: NOW }),
    )
  })

  it('refuses a wallet check without a signed-in account, recording nothing', async () => {
    const { did: _did, ...unsigned } = await signIn(human)
    await refused('bad_request', () =>
      admitJuror(database, {
        verifier: personhood,
        evidence: unsigned,
        commitment: commitment('x'),
        now: NOW,
      }),
    )
  })

  it('refuses an unregistered wallet', async () => {
    const evidence = await signIn(bot)
    await refused('not_human', () =>
      admitJuror(database, { verifier: personhood, evidence, commitment: commitment('bot'), now: NOW }),
    )
  })

  it('refuses forged, misdirected, expired and unissued sign-ins, recording nothing', async () => {
    const fresh = privateKeyToAccount(generatePrivateKey())
    await setTestHuman(operator, { registry, account: fresh.address, human: true })
    const admit = (evidence: unknown) =>
      admitJuror(database, { verifier: personhood, evidence, commitment: commitment('fresh'), now: NOW })

    const refusedAdmit = (code: CurationErrorCode, evidence: unknown) => refused(code, () => admit(evidence))

    // Signed by another key, claiming the registered address.
    await refusedAdmit('siwe_invalid', await signIn(fresh, {}, { signer: bot }))
    // Altered after signing: the bot's signed message with the registered address swapped in.
    const botSigned = await signIn(bot)
    await refused('siwe_invalid', () =>
      admit({ ...botSigned, message: botSigned.message.replace(bot.address, fresh.address) }),
    )
    await refusedAdmit('siwe_invalid', await signIn(fresh, { domain: 'evil.test' }))
    await refusedAdmit('siwe_invalid', await signIn(fresh, { uri: 'https://evil.test' }))
    await refusedAdmit('siwe_invalid', await signIn(fresh, { chainId: 1 }))
    await refusedAdmit(
      'siwe_invalid',
      await signIn(fresh, {
        issuedAt: new Date(NOW.getTime() - 10 * 60_000),
        expirationTime: new Date(NOW.getTime() - 1),
      }),
    )
    await refusedAdmit('siwe_invalid', await signIn(fresh, { expirationTime: undefined }))
    await refusedAdmit('siwe_nonce', await signIn(fresh, {}, { nonce: 'a'.repeat(32) }))
    // A nonce past the server's TTL, even in a message that has not expired.
    const stale = (
      await issueSiweNonce(database, { now: new Date(NOW.getTime() - 11 * 60_000), policy: siwe })
    ).nonce
    await refusedAdmit('siwe_nonce', await signIn(fresh, {}, { nonce: stale }))

    // After all that, the genuine sign-in still works: the refusals spent nothing.
    await admit(await signIn(fresh))
  })

  it('checks SIWE messages without the network', () => {
    const nowMs = NOW.getTime()
    const message = createSiweMessage({
      address: human.address,
      domain: siwe.domain,
      uri: `${siwe.uri}/jury/join`,
      chainId: siwe.chainId,
      version: '1',
      nonce: 'f'.repeat(32),
      issuedAt: NOW,
      expirationTime: new Date(nowMs + 60_000),
    })
    expect(checkSiweMessage(message, siwe, nowMs)).toEqual({ address: human.address, nonce: 'f'.repeat(32) })
    expect(() => checkSiweMessage(message, siwe, nowMs + 60_000)).toThrow(/expired/)
    expect(() => checkSiweMessage(message, { ...siwe, domain: 'other.test' }, nowMs)).toThrow(/other.test/)
    expect(() => checkSiweMessage(message, siwe, nowMs - 2 * 60_000)).toThrow(/future/)
    expect(() => checkSiweMessage('hello', siwe, nowMs)).toThrow(/EIP-4361/)
    expect(() => checkSiweMessage(42, siwe, nowMs)).toThrow(/no message/)
  })

  describe('one person, one commitment, whichever verifiers they pass', () => {
    const invitePolicy = { perPeriod: 3, periodMs: 30 * DAY, ttlMs: 7 * DAY }

    async function registeredWallet(): Promise<PrivateKeyAccount> {
      const account = privateKeyToAccount(generatePrivateKey())
      await setTestHuman(operator, { registry, account: account.address, human: true })
      return account
    }
    const byAllowlist = (did: string, name: string) =>
      admitJuror(database, { verifier: allowlist, evidence: { did }, commitment: commitment(name), now: NOW })
    const byWallet = (evidence: unknown, name: string) =>
      admitJuror(database, { verifier: personhood, evidence, commitment: commitment(name), now: NOW })
    const bindingsOf = (did: string) =>
      database.sql<{ verifier: string; commitment: string; wallet: string | null }[]>`
        select verifier, commitment, wallet from juror_binding where did = ${did}`

    it('an account admitted by the allowlist cannot bind a second commitment through a wallet', async () => {
      const did = 'did:plc:dualdidfirst'
      await addToAllowlist(database, { by: 'test', did, now: NOW })
      await byAllowlist(did, 'dual-a1')
      const wallet = await registeredWallet()
      const evidence = await signIn(wallet, {}, { did })
      await refused('already_admitted', () => byWallet(evidence, 'dual-a2'))
      expect(await bindingsOf(did)).toEqual([
        { verifier: 'allowlist', commitment: commitment('dual-a1'), wallet: null },
      ])
    })

    it('an account admitted by a wallet cannot bind a second commitment by the allowlist or an invite', async () => {
      const did = 'did:plc:dualwalletfirst'
      const wallet = await registeredWallet()
      await byWallet(await signIn(wallet, {}, { did }), 'dual-b1')
      await addToAllowlist(database, { by: 'test', did, now: NOW })
      await refused('already_admitted', () => byAllowlist(did, 'dual-b2'))
      const [code] = await createOperatorInvites(database, {
        by: 'test',
        count: 1,
        now: NOW,
        policy: invites,
      })
      await refused('already_admitted', () =>
        admitJuror(database, {
          verifier: invite,
          evidence: { did, code: code!.code },
          commitment: commitment('dual-b3'),
          now: NOW,
        }),
      )
      expect(await bindingsOf(did)).toEqual([
        { verifier: 'personhood', commitment: commitment('dual-b1'), wallet: wallet.address.toLowerCase() },
      ])
      // A member by wallet is a member by account: they invite like any other.
      await createInvite(database, { inviter: did, now: NOW, policy: invitePolicy })
    })

    it('an account revoked as fake cannot come back through a wallet', async () => {
      const did = 'did:plc:revokedaccount'
      await addToAllowlist(database, { by: 'test', did, now: NOW })
      await byAllowlist(did, 'revoked-a1')
      await revokeInviteBranch(database, { by: 'test', personKey: did, now: NOW })
      const evidence = await signIn(await registeredWallet(), {}, { did })
      await refused('admission_revoked', () => byWallet(evidence, 'revoked-a2'))
    })

    it('a revoked wallet cannot come back through its account, nor through another account', async () => {
      const did = 'did:plc:revokedwallet'
      const wallet = await registeredWallet()
      await byWallet(await signIn(wallet, {}, { did }), 'revoked-b1')
      // Named by its wallet (in any case), as `npm run jury -- revoke eth:0x...` does.
      expect(
        await revokeInviteBranch(database, { by: 'test', personKey: `eth:${wallet.address}`, now: NOW }),
      ).toMatchObject({ members: 1, removed: 1 })
      const [logged] = await database.sql<{ subject: string }[]>`
        select subject from operator_action where action = 'revoke' order by id desc limit 1`
      expect(logged!.subject).toBe(did)
      const node = (await getInviteTree(database, { now: NOW })).find((n) => n.personKey === did)
      expect(node).toMatchObject({ verifier: 'personhood', wallet: wallet.address.toLowerCase() })
      expect(node!.revokedAt).not.toBeNull()

      await addToAllowlist(database, { by: 'test', did, now: NOW })
      await refused('admission_revoked', () => byAllowlist(did, 'revoked-b2'))
      const elsewhere = await signIn(wallet, {}, { did: 'did:plc:revokedwalletsalt' })
      await refused('admission_revoked', () => byWallet(elsewhere, 'revoked-b3'))
    })

    it('an account racing through two verifiers at once gets one binding', async () => {
      const did = 'did:plc:dualrace'
      await addToAllowlist(database, { by: 'test', did, now: NOW })
      const evidence = await signIn(await registeredWallet(), {}, { did })
      const results = await Promise.allSettled([byAllowlist(did, 'race-a'), byWallet(evidence, 'race-b')])
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      const loser = results.find((r) => r.status === 'rejected')
      expect(isCurationError(loser?.reason, 'already_admitted')).toBe(true)
      expect(await bindingsOf(did)).toHaveLength(1)
      const live = (
        await getGroupCommitments(database, { rootVersion: (await getGroupHead(database)).version })
      ).commitments
      expect([commitment('race-a'), commitment('race-b')].filter((c) => live.includes(c))).toHaveLength(1)
    })

    it('a wallet binding from before accounts were recorded takes its account back with the same identity only', async () => {
      const wallet = await registeredWallet()
      const address = wallet.address.toLowerCase()
      // As the migration leaves one: a personhood binding with its wallet and no DID, in the group.
      await addMember(database, { commitment: commitment('legacy'), now: NOW })
      await database.sql`
        insert into juror_binding (verifier, did, wallet, commitment, admitted_at, member_added_at)
        values ('personhood', null, ${address}, ${commitment('legacy')}, ${NOW.toISOString()}::timestamptz,
                ${NOW.toISOString()}::timestamptz)`
      const head = await getGroupHead(database)
      const claim = await signIn(wallet, {}, { did: 'did:plc:legacyowner' })
      expect(await byWallet(claim, 'legacy')).toEqual({
        verifier: 'personhood',
        rootVersion: head.version,
        resumed: true,
      })
      // The binding now names the account; the group is as it was; the sign-in's nonce is spent.
      const [claimed] = await database.sql<{ did: string; added: boolean }[]>`
        select did, member_added_at is not null as added from juror_binding where wallet = ${address}`
      expect(claimed).toEqual({ did: 'did:plc:legacyowner', added: true })
      expect(await getGroupHead(database)).toEqual(head)
      await refused('siwe_nonce', () => byWallet(claim, 'legacy'))
      await createInvite(database, { inviter: 'did:plc:legacyowner', now: NOW, policy: invitePolicy })

      const legacy2 = await registeredWallet()
      await database.sql`
        insert into juror_binding (verifier, did, wallet, commitment, admitted_at, member_added_at)
        values ('personhood', null, ${legacy2.address.toLowerCase()}, ${commitment('legacy-2')},
                ${NOW.toISOString()}::timestamptz, ${NOW.toISOString()}::timestamptz)`
      // Another identity: refused (the message says to import the backup first).
      const other = await signIn(legacy2, {}, { did: 'did:plc:legacytwo' })
      const err = await refused('already_admitted', () => byWallet(other, 'legacy-2-new'))
      expect(err.message).toMatch(/backup/)
      // An account that already holds a commitment cannot take a second one this way either.
      await addToAllowlist(database, { by: 'test', did: 'did:plc:legacythief', now: NOW })
      await byAllowlist('did:plc:legacythief', 'legacy-thief')
      const thief = await signIn(legacy2, {}, { did: 'did:plc:legacythief' })
      await refused('already_admitted', () => byWallet(thief, 'legacy-2'))
    })
  })
})

describe('finishing an enrollment recorded but not added to the group', () => {
  const NOW = at(50 * DAY)

  /**
   * `admitJuror` through a fresh operator invite, with the group refusing the member (a trigger raises on insert
   * into `jury_member`, dropped afterwards): what a crash between admission's two transactions leaves, a binding
   * recorded, its invite used, the commitment not in the group.
   */
  async function crashAfterBinding(did: string, name: string): Promise<string> {
    const [created] = await createOperatorInvites(database, {
      by: 'test',
      count: 1,
      now: NOW,
      policy: invites,
    })
    const code = created!.code
    await database.sql.unsafe(`
      create function test_crash_group_add() returns trigger language plpgsql as $$
      begin raise exception 'simulated crash before the group add'; end $$`)
    await database.sql.unsafe(`
      create trigger test_crash_group_add before insert on jury_member
      for each row execute function test_crash_group_add()`)
    try {
      await expect(
        admitJuror(database, {
          verifier: invite,
          evidence: { did, code },
          commitment: commitment(name),
          now: NOW,
        }),
      ).rejects.toThrow(/simulated crash/)
    } finally {
      await database.sql.unsafe('drop trigger test_crash_group_add on jury_member')
      await database.sql.unsafe('drop function test_crash_group_add()')
    }
    const [binding] = await database.sql<{ added: boolean }[]>`
      select member_added_at is not null as added from juror_binding where did = ${did}`
    expect(binding).toEqual({ added: false })
    return code
  }
  const inviteUse = (code: string) =>
    database.sql<{ used: boolean; usedBy: string | null }[]>`
      select used_at is not null as used, used_by_binding_id::text as "usedBy"
      from juror_invite where code_hash = ${hashInviteCode(code)}`
  const live = async () =>
    (await getGroupCommitments(database, { rootVersion: (await getGroupHead(database)).version })).commitments

  it('cannot be finished by enrolling again with the used invite, but is by finishAdmission', async () => {
    const did = 'did:plc:crashed'
    const code = await crashAfterBinding(did, 'crashed')
    const [binding] = await database.sql<
      { id: string }[]
    >`select id::text from juror_binding where did = ${did}`
    expect(await inviteUse(code)).toEqual([{ used: true, usedBy: binding!.id }])
    expect(await live()).not.toContain(commitment('crashed'))

    // The invite was redeemed in the first transaction: verifying it again refuses it, so admitJuror cannot resume.
    await refused('invite_invalid', () =>
      admitJuror(database, {
        verifier: invite,
        evidence: { did, code },
        commitment: commitment('crashed'),
        now: NOW,
      }),
    )
    // Another identity on this device: refused (import the backup), nothing recorded.
    const other = await refused('already_admitted', () =>
      finishAdmission(database, { did, commitment: commitment('crashed-other'), now: NOW }),
    )
    expect(other.message).toMatch(/backup/)
    await refused('bad_commitment', () => finishAdmission(database, { did, commitment: '0', now: NOW }))

    const head = await getGroupHead(database)
    expect(await finishAdmission(database, { did, commitment: commitment('crashed'), now: NOW })).toEqual({
      verifier: 'invite',
      rootVersion: head.version + 1,
      resumed: true,
    })
    expect(await live()).toContain(commitment('crashed'))
    const [finished] = await database.sql<{ added: boolean }[]>`
      select member_added_at is not null as added from juror_binding where did = ${did}`
    expect(finished).toEqual({ added: true })
    // The invite was used once, by this binding: finishing spent nothing more.
    expect(await inviteUse(code)).toEqual([{ used: true, usedBy: binding!.id }])
    const [uses] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from juror_invite where used_by_binding_id = ${binding!.id}`
    expect(uses!.n).toBe(1)

    // Idempotent: again, the group is as it was and the current root version comes back.
    const after = await getGroupHead(database)
    expect(await finishAdmission(database, { did, commitment: commitment('crashed'), now: NOW })).toEqual({
      verifier: 'invite',
      rootVersion: after.version,
      resumed: true,
    })
    expect(await getGroupHead(database)).toEqual(after)
    // A member now, they invite like any other.
    await createInvite(database, { inviter: did, now: NOW, policy: invites })
  })

  it('refuses a revoked binding and an account with no binding, recording nothing', async () => {
    const did = 'did:plc:crashedrevoked'
    await crashAfterBinding(did, 'crashed-revoked')
    await revokeInviteBranch(database, { by: 'test', personKey: did, now: NOW })
    await refused('admission_revoked', () =>
      finishAdmission(database, { did, commitment: commitment('crashed-revoked'), now: NOW }),
    )
    expect(await live()).not.toContain(commitment('crashed-revoked'))

    await refused('not_admitted', () =>
      finishAdmission(database, { did: 'did:plc:neverenrolled', commitment: commitment('never'), now: NOW }),
    )
    await refused('bad_request', () =>
      finishAdmission(database, { did: 'nope', commitment: commitment('never'), now: NOW }),
    )
  })
})
