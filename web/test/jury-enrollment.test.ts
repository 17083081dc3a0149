import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import type { AdmissionConfig } from '@curia/curation/admission/admission-config'
import { allowlistVerifier } from '@curia/curation/admission/allowlist'
import { checkSiweMessage } from '@curia/curation/admission/siwe'
import { connectChain, deployTestPersonhoodRegistry, setTestHuman } from '@curia/curation/chain/anchor'
import { ANVIL_DEV_PRIVATE_KEY, startAnvil, type LocalChain } from '@curia/curation/chain/anvil'
import { isCurationError } from '@curia/curation/errors'
import {
  addToAllowlist,
  admitJuror,
  createInvite,
  finishAdmission,
  issueSiweNonce,
  revokeInviteBranch,
} from '@curia/curation/service/admission'
import { getGroupCommitments, getGroupHead } from '@curia/curation/service/jury-group'
import type { EnrollMethod } from '../lib/jury/enrollment-types'
import { readJuryWebConfig } from '../server/jury/config'
import { enrollmentEvidence, loadEnrollment, verifierFor } from '../server/jury/enrollment'
import { buildSiweMessage } from '../server/jury/siwe-message'
import { loadOperatorConsole } from '../server/operator/console'

/**
 * The jury page's server half: its configuration, the Sign-In with Ethereum message it prepares (checked by the
 * personhood verifier's own rules), and what a signed-in person's page shows about them, and only them.
 */

const NOW = new Date('2026-03-01T12:00:00Z')
const alice = 'did:plc:alice0000000000000000000'
const bob = 'did:plc:bob00000000000000000000000'
const wallet = privateKeyToAccount(`0x${'11'.repeat(32)}`)

describe('jury web configuration', () => {
  it('names the web app itself in sign-in messages unless told otherwise', () => {
    const derived = readJuryWebConfig({}, 'http://127.0.0.1:4123')
    expect(derived.siwe).toMatchObject({ domain: '127.0.0.1:4123', uri: 'http://127.0.0.1:4123' })
    expect(derived.personhood).toBeUndefined()
    const set = readJuryWebConfig(
      {
        CURIA_SIWE_DOMAIN: 'curia.example',
        CURIA_SIWE_URI: 'https://curia.example',
        CURIA_INVITES_PER_PERIOD: '5',
      },
      'http://127.0.0.1:4123',
    )
    expect(set.siwe).toMatchObject({ domain: 'curia.example', uri: 'https://curia.example' })
    expect(set.invites.perPeriod).toBe(5)
  })

  it('refuses the wallet path when no personhood registry is configured', () => {
    const config = readJuryWebConfig({}, 'http://127.0.0.1:4123')
    expect(() => verifierFor('personhood', config)).toThrow(/not configured/)
    expect(verifierFor('invite', config).verifier.kind).toBe('invite')
  })
})

describe('the sign-in message', () => {
  const { siwe: policy } = readJuryWebConfig({ CURIA_PERSONHOOD_CHAIN_ID: '31337' }, 'https://curia.example')
  const nonce = 'a'.repeat(32)

  it('passes the personhood verifier’s checks while it is fresh, and names the wallet and nonce', async () => {
    const message = buildSiweMessage({ policy, address: wallet.address.toLowerCase(), nonce, now: NOW })
    expect(checkSiweMessage(message, policy, NOW.getTime() + 60_000)).toEqual({
      address: wallet.address,
      nonce,
    })
    // A wallet can sign it as is.
    expect(await wallet.signMessage({ message })).toMatch(/^0x[0-9a-f]{130}$/)
  })

  it('is refused once expired, or by a site it does not name', () => {
    const message = buildSiweMessage({ policy, address: wallet.address, nonce, now: NOW })
    expect(() => checkSiweMessage(message, policy, NOW.getTime() + 11 * 60_000)).toThrow(/expired/)
    const other = readJuryWebConfig({ CURIA_PERSONHOOD_CHAIN_ID: '31337' }, 'https://evil.example').siwe
    expect(() => checkSiweMessage(message, other, NOW.getTime())).toThrow(/written for curia.example/)
  })
})

describe('loadEnrollment', () => {
  let database: Database
  const config = readJuryWebConfig({ CURIA_INVITES_PER_PERIOD: '2' }, 'http://127.0.0.1:4123')
  const commitment = '12345678901234567890'

  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database.close()
  })

  it('shows a person their own standing, and nothing of anyone else’s', async () => {
    const before = await loadEnrollment(database, { did: alice, now: NOW, config })
    expect(before).toMatchObject({ did: alice, member: null, allowlisted: false, personhood: false })

    await addToAllowlist(database, { by: 'test', did: alice, now: NOW })
    expect((await loadEnrollment(database, { did: alice, now: NOW, config })).allowlisted).toBe(true)
    await admitJuror(database, {
      verifier: allowlistVerifier(),
      evidence: { did: alice },
      commitment,
      now: NOW,
    })
    await createInvite(database, { inviter: alice, now: NOW, policy: config.invites })

    const after = await loadEnrollment(database, { did: alice, now: NOW, config })
    expect(after.member).toEqual({
      verifier: 'allowlist',
      commitment,
      admittedAt: NOW.toISOString(),
      inGroup: true,
      revoked: false,
    })
    expect(after.invites).toMatchObject({ perPeriod: 2, createdInPeriod: 1 })
    expect(after.invites.list).toHaveLength(1)
    expect(after.invites.list[0]).toMatchObject({ createdAt: NOW.toISOString(), status: 'pending' })

    const other = await loadEnrollment(database, { did: bob, now: NOW, config })
    expect(other).toMatchObject({
      member: null,
      allowlisted: false,
      invites: { createdInPeriod: 0, list: [] },
    })
    expect(JSON.stringify(other)).not.toContain(commitment)

    // The quota the page shows is the one the service enforces.
    await createInvite(database, { inviter: alice, now: NOW, policy: config.invites })
    const refused = await createInvite(database, { inviter: alice, now: NOW, policy: config.invites }).catch(
      (err: unknown) => err,
    )
    expect(isCurationError(refused, 'invite_quota')).toBe(true)
    expect((await loadEnrollment(database, { did: alice, now: NOW, config })).invites.createdInPeriod).toBe(2)
  })

  it('shows an enrollment recorded but not finished, which finishing with the same identity puts in the group', async () => {
    const dave = 'did:plc:dave00000000000000000000000'
    // What admission's first step leaves when the second fails: the binding, not yet in the group.
    await database.sql`
      insert into juror_binding (verifier, did, wallet, commitment, admitted_at)
      values ('invite', ${dave}, null, '424242', ${NOW.toISOString()}::timestamptz)`
    expect((await loadEnrollment(database, { did: dave, now: NOW, config })).member).toMatchObject({
      inGroup: false,
      revoked: false,
    })
    // What finishEnrollmentAction does once the session is checked: the session's DID, the device's commitment.
    const wrong = await finishAdmission(database, { did: dave, commitment: '999', now: NOW }).catch(
      (err: unknown) => err,
    )
    expect(isCurationError(wrong, 'already_admitted')).toBe(true)
    const result = await finishAdmission(database, { did: dave, commitment: '424242', now: NOW })
    expect(result).toMatchObject({ verifier: 'invite', resumed: true })
    expect((await loadEnrollment(database, { did: dave, now: NOW, config })).member?.inGroup).toBe(true)
    const group = await getGroupCommitments(database, { rootVersion: result.rootVersion })
    expect(group.commitments).toContain('424242')
  })
})

describe('enrolling with a wallet, signed in', () => {
  const carol = 'did:plc:carol000000000000000000'
  let database: Database
  let chain: LocalChain
  let config: AdmissionConfig
  let human: PrivateKeyAccount

  beforeAll(async () => {
    database = await createTestDatabase()
    chain = await startAnvil()
    const operator = await connectChain({ rpcUrl: chain.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY })
    const registry = (await deployTestPersonhoodRegistry(operator)).address
    config = readJuryWebConfig(
      {
        CURIA_PERSONHOOD_RPC_URL: chain.rpcUrl,
        CURIA_PERSONHOOD_REGISTRY: registry,
        CURIA_PERSONHOOD_CHAIN_ID: String(chain.chainId),
        CURIA_INVITES_PER_PERIOD: '2',
      },
      'http://127.0.0.1:4123',
    )
    human = privateKeyToAccount(generatePrivateKey())
    await setTestHuman(operator, { registry, account: human.address, human: true })
  })
  afterAll(async () => {
    await chain?.stop()
    await database?.close()
  })

  /** What `enrollAction` does once the session is checked: the session's DID, the method's evidence, admitJuror. */
  async function enroll(
    method: EnrollMethod,
    sessionDid: string,
    input: Record<string, unknown>,
    commitment: string,
  ) {
    return admitJuror(database, {
      verifier: verifierFor(method, config).verifier,
      evidence: enrollmentEvidence(method, sessionDid, input),
      commitment,
      now: NOW,
    })
  }
  async function signed(account: PrivateKeyAccount) {
    const { nonce } = await issueSiweNonce(database, { now: NOW, policy: config.siwe })
    const message = buildSiweMessage({ policy: config.siwe, address: account.address, nonce, now: NOW })
    return { message, signature: await account.signMessage({ message }) }
  }

  it('takes the DID from the session on every path, never from the request', () => {
    const input = { did: 'did:plc:mallory', code: 'inv_x', message: 'm', signature: '0x1' }
    expect(enrollmentEvidence('allowlist', carol, input)).toEqual({ did: carol })
    expect(enrollmentEvidence('invite', carol, input)).toEqual({ did: carol, code: 'inv_x' })
    expect(enrollmentEvidence('personhood', carol, input)).toEqual({
      did: carol,
      message: 'm',
      signature: '0x1',
    })
  })

  it('makes the account a member: the page, invites and the operator know them by their DID', async () => {
    await enroll('personhood', carol, await signed(human), '111')
    const view = await loadEnrollment(database, { did: carol, now: NOW, config })
    expect(view.member).toEqual({
      verifier: 'personhood',
      commitment: '111',
      admittedAt: NOW.toISOString(),
      inGroup: true,
      revoked: false,
    })
    await createInvite(database, { inviter: carol, now: NOW, policy: config.invites })
    expect((await loadEnrollment(database, { did: carol, now: NOW, config })).invites.createdInPeriod).toBe(1)

    const operatorView = await loadOperatorConsole(database, { now: NOW, config })
    expect(operatorView.members).toEqual([
      expect.objectContaining({
        personKey: carol,
        verifier: 'personhood',
        wallet: human.address.toLowerCase(),
      }),
    ])
    expect(JSON.stringify(operatorView)).not.toContain('"111"')
  })

  it('refuses the same account a second identity through the allowlist, and the wallet through another account', async () => {
    await addToAllowlist(database, { by: 'test', did: carol, now: NOW })
    const head = await getGroupHead(database)
    const twice = await enroll('allowlist', carol, {}, '222').catch((err: unknown) => err)
    expect(isCurationError(twice, 'already_admitted')).toBe(true)
    const borrowed = await enroll('personhood', bob, await signed(human), '333').catch((err: unknown) => err)
    expect(isCurationError(borrowed, 'already_admitted')).toBe(true)
    expect(await getGroupHead(database)).toEqual(head)
    expect((await loadEnrollment(database, { did: carol, now: NOW, config })).member?.commitment).toBe('111')
    expect((await loadEnrollment(database, { did: bob, now: NOW, config })).member).toBeNull()
  })

  it('shows a revoked wallet member as revoked, and lets neither key back in', async () => {
    await revokeInviteBranch(database, { by: 'test', personKey: carol, now: NOW })
    expect((await loadEnrollment(database, { did: carol, now: NOW, config })).member?.revoked).toBe(true)
    const again = await enroll('personhood', bob, await signed(human), '444').catch((err: unknown) => err)
    expect(isCurationError(again, 'admission_revoked')).toBe(true)
    const byList = await enroll('allowlist', carol, {}, '555').catch((err: unknown) => err)
    expect(isCurationError(byList, 'admission_revoked')).toBe(true)
  })
})
