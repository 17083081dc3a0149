import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Group, Identity, generateProof, type SemaphoreProof } from '@semaphore-protocol/core'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { ballotMessage, canonicalBallotContent, roundScope } from '@curia/curation/jury/ballot'
import { JURY_TREE_DEPTH } from '@curia/curation/jury/group'
import { DEFAULT_MARKET_PARAMS } from '@curia/curation/market/params'
import { semaphoreArtifacts } from '@curia/curation/service/jury-artifacts'
import { addMember } from '@curia/curation/service/jury-group'
import { setupLedger } from '@curia/curation/service/ledger'
import { openMarket } from '@curia/curation/service/market'
import { freezeRound, openRound, revealRound } from '@curia/curation/service/round'
import { artifactByName, artifactManifest, juryArtifacts } from '../server/jury/artifacts'
import { handleBallotPost, MAX_BALLOT_BODY_BYTES } from '../server/jury/ballot-route'
import { closeProofVerifier, getProofVerifier } from '../server/jury/verifier'

/**
 * The anonymous ballot route's logic against a real database and a real Semaphore proof, checked as the route
 * checks it (the web app's verifier threads): accepted once, then refused as a replay; a forged proof refused;
 * junk refused before any proof is checked; each refusal a status and a code, never a 500.
 * And the artifact files it serves: only the jury's depth, hashed as the page announces.
 */

const members = [0, 1, 2].map((i) => new Identity(`curia-web-test-juror-${i}`))
const postUris = ['a', 'b'].map((r) => `at://did:plc:author00000000000000000/app.bsky.feed.post/${r}`)

let database: Database
let roundId: number
let body: { roundId: number; proof: SemaphoreProof; content: string }
/** A real proof by another member whose ballot leaves out one of the sampled posts. */
let partial: { roundId: number; proof: SemaphoreProof; content: string }

const stream = (text: string) => new Blob([text]).stream()
const post = async (value: unknown) => {
  const verifyProof = await getProofVerifier()
  return handleBallotPost(
    { database, log: () => {}, ...(verifyProof ? { verifyProof } : {}) },
    stream(typeof value === 'string' ? value : JSON.stringify(value)),
  )
}

beforeAll(async () => {
  database = await createTestDatabase()
  const now = new Date()
  await setupLedger(database, { treasuryFundingMicro: 1_000_000_000_000n, now })
  for (const m of members) await addMember(database, { commitment: m.commitment, now })
  for (const uri of postUris) await openMarket(database, { postUri: uri, now, params: DEFAULT_MARKET_PARAMS })
  await database.sql`update market set closes_at = ${new Date(now.getTime() - 1_000).toISOString()}::timestamptz`
  const opened = await openRound(database, {
    now,
    windowMs: 1_000,
    votingMs: 3_600_000,
    params: { pMin: 1, pMax: 1, halfExposure: 1, capacity: 10, quorum: 1 },
    beacon: { kind: 'operator' },
  })
  roundId = opened.round.id
  await freezeRound(database, { roundId, now: new Date(opened.round.windowEndsAt) })
  await revealRound(database, { roundId, now: new Date() })
  const prove = async (member: Identity, uris: string[]) => {
    const content = canonicalBallotContent(uris.map((u) => [u, 'endorse'] as const))
    const proof = await generateProof(
      member,
      new Group(members.map((m) => m.commitment)),
      ballotMessage(content),
      roundScope(roundId),
      JURY_TREE_DEPTH,
      semaphoreArtifacts(JURY_TREE_DEPTH),
    )
    return { roundId, proof, content }
  }
  ;[body, partial] = await Promise.all([
    prove(members[1]!, postUris),
    prove(members[2]!, postUris.slice(0, 1)),
  ])
}, 180_000)

afterAll(async () => {
  await closeProofVerifier()
  await database.close()
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate()
})

describe('POST /api/jury/ballots', () => {
  it('refuses junk before looking at any proof', async () => {
    expect(await post('not json')).toMatchObject({ status: 400, body: { code: 'bad_ballot' } })
    expect(await post([body])).toMatchObject({ status: 400, body: { code: 'bad_ballot' } })
    expect(await post({ ...body, did: 'did:plc:someone' })).toMatchObject({
      status: 400,
      body: { status: 'refused', code: 'bad_ballot' },
    })
    expect(await post('x'.repeat(MAX_BALLOT_BODY_BYTES + 1))).toMatchObject({ status: 413 })
    expect(await post({ ...body, proof: { ...body.proof, merkleTreeDepth: 16 } })).toMatchObject({
      status: 422,
      body: { code: 'wrong_depth' },
    })
    expect(await post({ ...body, roundId: roundId + 1 })).toMatchObject({
      status: 422,
      body: { code: 'wrong_scope' },
    })
    const altered = body.content.replace('"endorse"', '"reject"')
    expect(await post({ ...body, content: altered })).toMatchObject({
      status: 422,
      body: { code: 'wrong_message' },
    })
    // A member's valid proof on other posts than its ballot is assigned (this round: the whole sample).
    expect(await post(partial)).toMatchObject({ status: 422, body: { code: 'wrong_assignment' } })
    // Every public value right, the proof's points not: only the verifier threads can tell.
    const points = [...body.proof.points]
    points[0] = points[1]!
    expect(await post({ ...body, proof: { ...body.proof, points } })).toMatchObject({
      status: 422,
      body: { code: 'invalid_proof' },
    })
    const [none] = await database.sql`select 1 from jury_ballot`
    expect(none).toBeUndefined()
  })

  it('accepts a member’s ballot once, stores nothing but proof, nullifier and content, and refuses the replay', async () => {
    // The route checks proofs on worker threads (this machine has more than one core).
    expect(await getProofVerifier()).toBeTypeOf('function')
    const first = await post(body)
    expect(first).toEqual({
      status: 200,
      body: { status: 'accepted', roundId, nullifier: body.proof.nullifier },
    })
    const rows = await database.sql`select * from jury_ballot`
    expect(rows).toHaveLength(1)
    expect(Object.keys(rows[0]!).sort()).toEqual(['content', 'nullifier', 'proof', 'round_id'])
    expect(await post(body)).toMatchObject({ status: 409, body: { code: 'duplicate_ballot' } })
    expect(await database.sql`select 1 from jury_ballot`).toHaveLength(1)
  })
})

describe('the web app’s proof verifier', () => {
  it('checks a proof on this thread when its pool has stopped, then starts a new pool', async () => {
    const verify = (await getProofVerifier())!
    await closeProofVerifier()
    const points = [...body.proof.points] as typeof body.proof.points
    points[0] = points[1]
    // The right answer either way: not "invalid" for the pool's failure, never "valid" unchecked.
    expect(await verify(body.proof)).toBe(true)
    expect(await verify({ ...body.proof, points })).toBe(false)
    expect(await (await getProofVerifier())!(body.proof)).toBe(true)
  })
})

describe('the prover artifacts', () => {
  it('refuses a flood beyond the ballots it checks at once with 503, and takes ballots again once they finish', async () => {
    let release!: () => void
    const slow = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"roundId":'))
        release = () => {
          controller.enqueue(new TextEncoder().encode(`${roundId}}`))
          controller.close()
        }
      },
    })
    const first = handleBallotPost({ database, log: () => {}, maxInFlight: 1 }, slow)
    const flood = await handleBallotPost({ database, log: () => {}, maxInFlight: 1 }, stream('{}'))
    expect(flood).toMatchObject({ status: 503, body: { status: 'refused', code: 'busy' } })
    release()
    // The slow ballot is judged on its merits (no proof, no content), and the slot is free again.
    expect(await first).toMatchObject({ status: 400, body: { code: 'bad_ballot' } })
    const after = await handleBallotPost({ database, log: () => {}, maxInFlight: 1 }, stream('{}'))
    expect(after).toMatchObject({ status: 400, body: { code: 'bad_ballot' } })
  })

  it('serves only the jury depth, with the hash and size the page announces', () => {
    const set = juryArtifacts()
    expect(set.depth).toBe(JURY_TREE_DEPTH)
    const expected = semaphoreArtifacts(JURY_TREE_DEPTH)
    const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')
    expect(set.wasm.sha256).toBe(sha(expected.wasm))
    expect(set.zkey.sha256).toBe(sha(expected.zkey))
    expect(readFileSync(set.zkey.path).length).toBe(set.zkey.bytes)
    const manifest = artifactManifest(set)
    expect(manifest.zkey.url).toBe(
      `/api/jury/artifacts/semaphore-20.zkey?v=${set.version}-${set.zkey.sha256.slice(0, 12)}`,
    )
    expect(manifest.wasm.sha256).toMatch(/^[0-9a-f]{64}$/)
    for (const name of ['semaphore-16.wasm', '../package.json', 'semaphore-20.json', '']) {
      expect(artifactByName(name, set)).toBeUndefined()
    }
    expect(artifactByName('semaphore-20.wasm', set)?.kind).toBe('wasm')
  })
})
