import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Group, Identity, generateProof, type SemaphoreProof } from '@semaphore-protocol/core'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { FAUCET_SCOPE, faucetMessage } from '@curia/curation/jury/faucet'
import { JURY_TREE_DEPTH } from '@curia/curation/jury/group'
import { semaphoreArtifacts } from '@curia/curation/service/jury-artifacts'
import { addMember } from '@curia/curation/service/jury-group'
import { checkLedgerInvariant, getBalance, setupLedger } from '@curia/curation/service/ledger'
import { artifactManifest } from '../server/jury/artifacts'
import { loadFaucetView, submitFaucetClaim } from '../server/jury/faucet'
import { createRateLimiter } from '../server/rate-limit'

/**
 * The faucet's server action logic against a real database and real Semaphore proofs: the recipient is the
 * session's DID and nothing in the request can change that; a cross-site request, a missing session, a disabled
 * faucet, junk, a proof for another account, and second claims are each refused with a code and a sentence, and
 * record nothing.
 */

const GRANT = 9_000_000_000n
const members = [0, 1, 2].map((i) => new Identity(`curia-web-faucet-juror-${i}`))
const alice = 'did:plc:webfaucetalice'
const bob = 'did:plc:webfaucetbob'

let database: Database
let forAlice: SemaphoreProof
let forBob: SemaphoreProof // the same human, for another account

const deps = (over: { amountMicro?: bigint } = {}) => ({
  database,
  amountMicro: over.amountMicro ?? GRANT,
  now: new Date(),
  log: () => {},
})
const asAlice = { sameOrigin: true, session: { did: alice } }

async function grants(): Promise<number> {
  const [row] = await database.sql<{ n: number }[]>`
    select (select count(*)::int from faucet_claim) + (select count(*)::int from ledger_entry where reason = 'human_grant') as n`
  return row!.n
}

beforeAll(async () => {
  database = await createTestDatabase()
  const now = new Date()
  await setupLedger(database, { treasuryFundingMicro: 1_000_000_000n, now })
  for (const m of members) await addMember(database, { commitment: m.commitment, now })
  const group = new Group(members.map((m) => m.commitment))
  const prove = (did: string) =>
    generateProof(
      members[1]!,
      group,
      faucetMessage(did),
      FAUCET_SCOPE,
      JURY_TREE_DEPTH,
      semaphoreArtifacts(JURY_TREE_DEPTH),
    )
  ;[forAlice, forBob] = await Promise.all([prove(alice), prove(bob)])
}, 180_000)

afterAll(async () => {
  await database?.close()
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate()
})

describe('the faucet view', () => {
  it('gives the panel the current group, the faucet scope and a message naming the signed-in account', async () => {
    const view = await loadFaucetView(database, {
      did: alice,
      amountMicro: GRANT,
      artifacts: artifactManifest,
    })
    expect(view).toMatchObject({
      amountMicro: String(GRANT),
      claimed: false,
      group: {
        version: 3,
        url: '/api/jury/group/3',
        root: new Group(members.map((m) => m.commitment)).root.toString(),
      },
      scope: FAUCET_SCOPE.toString(),
      message: faucetMessage(alice).toString(),
      depth: JURY_TREE_DEPTH,
    })
    expect(
      await loadFaucetView(database, { did: alice, amountMicro: 0n, artifacts: artifactManifest }),
    ).toBeNull()
  })
})

describe('claimHumanGrantAction (submitFaucetClaim)', () => {
  it('refuses a cross-site request, a missing session and a disabled faucet, even with a valid proof', async () => {
    expect(
      await submitFaucetClaim(deps(), { sameOrigin: false, session: { did: alice } }, { proof: forAlice }),
    ).toMatchObject({ status: 'refused', code: 'bad_origin' })
    expect(
      await submitFaucetClaim(deps(), { sameOrigin: true, session: null }, { proof: forAlice }),
    ).toMatchObject({ status: 'refused', code: 'auth_required' })
    expect(await submitFaucetClaim(deps({ amountMicro: 0n }), asAlice, { proof: forAlice })).toMatchObject({
      status: 'refused',
      code: 'faucet_disabled',
    })
    expect(await grants()).toBe(0)
  })

  it('takes the account from the session, never from the request', async () => {
    // Naming an account in the request is refused outright.
    expect(await submitFaucetClaim(deps(), asAlice, { proof: forBob, did: bob })).toMatchObject({
      status: 'refused',
      code: 'bad_proof',
    })
    // Bob's proof sent by Alice's session pays nobody: it names another account.
    const wrong = await submitFaucetClaim(deps(), asAlice, { proof: forBob })
    expect(wrong).toMatchObject({ status: 'refused', code: 'wrong_message' })
    expect(wrong.status === 'refused' && wrong.message).toMatch(/another account/)
    expect(await grants()).toBe(0)
  })

  it('refuses junk with a sentence', async () => {
    for (const input of [null, 'proof', [forAlice], { proof: 'x' }, { proof: { ...forAlice, points: [] } }]) {
      expect(await submitFaucetClaim(deps(), asAlice, input)).toMatchObject({
        status: 'refused',
        code: 'bad_proof',
      })
    }
    expect(
      await submitFaucetClaim(deps(), asAlice, { proof: { ...forAlice, merkleTreeDepth: 16 } }),
    ).toMatchObject({ status: 'refused', code: 'wrong_depth' })
    expect(await grants()).toBe(0)
  })

  it('limits how often one account may ask (each claim costs a proof check), even with a valid proof', async () => {
    const limited = { ...deps(), limiter: createRateLimiter({ burst: 1, everyMs: 60_000 }) }
    expect(await submitFaucetClaim(limited, asAlice, { proof: 'x' })).toMatchObject({ code: 'bad_proof' })
    expect(await submitFaucetClaim(limited, asAlice, { proof: forAlice })).toMatchObject({
      status: 'refused',
      code: 'rate_limited',
      message: expect.stringMatching(
        /^Too many claims in a short time\. Try again in \d+ seconds\.$/,
      ) as unknown,
    })
    expect(await grants()).toBe(0)
  })

  it('grants once, then refuses this account again and this human for another account', async () => {
    expect(await submitFaucetClaim(deps(), asAlice, { proof: forAlice })).toEqual({
      status: 'granted',
      amountMicro: String(GRANT),
      balanceMicro: String(GRANT),
    })
    expect(await getBalance(database, alice)).toBe(GRANT)
    expect(await submitFaucetClaim(deps(), asAlice, { proof: forAlice })).toMatchObject({
      status: 'refused',
      code: 'did_already_claimed',
      message: 'This account has already received the verified-human grant.',
    })
    const again = await submitFaucetClaim(
      deps(),
      { sameOrigin: true, session: { did: bob } },
      { proof: forBob },
    )
    expect(again).toMatchObject({ status: 'refused', code: 'human_already_claimed' })
    expect(await getBalance(database, bob)).toBe(0n)
    expect(await grants()).toBe(2)
    expect(
      (await loadFaucetView(database, { did: alice, amountMicro: GRANT, artifacts: artifactManifest }))
        ?.claimed,
    ).toBe(true)
    expect((await checkLedgerInvariant(database)).sumMicro).toBe(0n)
  })
})
