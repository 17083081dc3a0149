/**
 * Which sampled posts a ballot covers (pure): the k posts with the smallest sha256(tag | mixedSeed | nullifier |
 * post) draws, and the round nullifier a browser computes before proving (checked against a real proof).
 */
import { createHash } from 'node:crypto'
import { Group, Identity, generateProof } from '@semaphore-protocol/core'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { assignBallotPosts, assignmentDraw, expectedVotesPerPost } from '../src/jury/assignment'
import { ballotMessage, roundScope } from '../src/jury/ballot'
import { JURY_TREE_DEPTH, SNARK_SCALAR_FIELD } from '../src/jury/group'
import type { Hex32 } from '../src/jury/hash'
import { semaphoreHash, semaphoreNullifier } from '../src/jury/nullifier'
import { semaphoreArtifacts } from '../src/service/jury-artifacts'
import { terminateCurve } from './jury-helpers'

const hex32 = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b): Hex32 => `0x${Buffer.from(b).toString('hex')}`)
const nullifier = fc.bigInt({ min: 0n, max: SNARK_SCALAR_FIELD - 1n })
const uri = (n: number | string) => `at://did:plc:author/app.bsky.feed.post/${n}`
const sample = fc.uniqueArray(
  fc.stringMatching(/^at:\/\/did:plc:[a-z0-9]{1,6}\/app\.bsky\.feed\.post\/[a-z0-9|]{1,6}$/),
  { maxLength: 60 },
)
const k = fc.integer({ min: 1, max: 40 })
const SEED: Hex32 = `0x${'a7'.repeat(32)}`

/** The documented rule, written again with node:crypto: the implementation must agree with it. */
function byTheRule(mixedSeed: Hex32, n: bigint, posts: readonly string[], postsPerBallot: number): string[] {
  const draw = (p: string) =>
    BigInt(`0x${createHash('sha256').update(`curia/assign/v1|${mixedSeed}|${n}|${p}`).digest('hex')}`)
  return [...posts]
    .sort((a, b) => {
      const x = draw(a)
      const y = draw(b)
      return x < y ? -1 : x > y ? 1 : 0
    })
    .slice(0, postsPerBallot)
    .sort()
}

describe('a ballot’s assigned posts', () => {
  it('are min(k, n) posts of the sample, sorted, each once (property)', () => {
    fc.assert(
      fc.property(hex32, nullifier, sample, k, (mixedSeed, n, posts, postsPerBallot) => {
        const assigned = assignBallotPosts({
          mixedSeed,
          nullifier: n,
          sampledPostUris: posts,
          postsPerBallot,
        })
        expect(assigned).toHaveLength(Math.min(postsPerBallot, posts.length))
        expect(new Set(assigned).size).toBe(assigned.length)
        for (const p of assigned) expect(posts).toContain(p)
        expect(assigned).toEqual([...assigned].sort())
      }),
    )
  })

  it('follow the documented rule exactly, whatever the order of the sample (property)', () => {
    fc.assert(
      fc.property(
        hex32,
        nullifier,
        sample.chain((posts) =>
          fc.tuple(fc.constant(posts), fc.shuffledSubarray(posts, { minLength: posts.length })),
        ),
        k,
        (mixedSeed, n, [posts, shuffled], postsPerBallot) => {
          const input = { mixedSeed, nullifier: n, postsPerBallot }
          const assigned = assignBallotPosts({ ...input, sampledPostUris: posts })
          expect(assignBallotPosts({ ...input, sampledPostUris: shuffled })).toEqual(assigned)
          // The nullifier as the proof spells it (a decimal string) gives the same posts.
          expect(assignBallotPosts({ ...input, nullifier: n.toString(), sampledPostUris: shuffled })).toEqual(
            assigned,
          )
          expect(assigned).toEqual(byTheRule(mixedSeed, n, posts, postsPerBallot))
        },
      ),
      { numRuns: 50 },
    )
  })

  it('cover the whole sample when it has at most k posts, or when the round has no postsPerBallot', () => {
    const posts = [3, 1, 2].map(uri)
    const whole = [...posts].sort()
    expect(
      assignBallotPosts({ mixedSeed: SEED, nullifier: 5n, sampledPostUris: posts, postsPerBallot: 3 }),
    ).toEqual(whole)
    expect(
      assignBallotPosts({ mixedSeed: SEED, nullifier: 5n, sampledPostUris: posts, postsPerBallot: 12 }),
    ).toEqual(whole)
    expect(
      assignBallotPosts({
        mixedSeed: SEED,
        nullifier: 5n,
        sampledPostUris: posts,
        postsPerBallot: undefined,
      }),
    ).toEqual(whole)
    expect(
      assignBallotPosts({ mixedSeed: SEED, nullifier: 5n, sampledPostUris: [], postsPerBallot: 2 }),
    ).toEqual([])
  })

  it('spread evenly: over many nullifiers every post is assigned about J * k / n times', () => {
    const posts = Array.from({ length: 20 }, (_, i) => uri(i + 1))
    const ballots = 3000
    const postsPerBallot = 5
    const counts = new Map(posts.map((p) => [p, 0]))
    let overlap = 0
    let previous: string[] = []
    for (let j = 0; j < ballots; j++) {
      const n =
        BigInt(`0x${createHash('sha256').update(`nullifier ${j}`).digest('hex')}`) % SNARK_SCALAR_FIELD
      const assigned = assignBallotPosts({
        mixedSeed: SEED,
        nullifier: n,
        sampledPostUris: posts,
        postsPerBallot,
      })
      for (const p of assigned) counts.set(p, counts.get(p)! + 1)
      overlap += assigned.filter((p) => previous.includes(p)).length
      previous = assigned
    }
    const expected = expectedVotesPerPost(ballots, postsPerBallot, posts.length)
    expect(expected).toBe(750)
    // Each count is Binomial(3000, 1/4): standard deviation about 24; 5 of them is 120.
    for (const [post, c] of counts) expect(Math.abs(c - expected), post).toBeLessThan(120)
    // Two ballots share about k^2 / n = 1.25 posts, as independent draws would.
    expect(overlap / (ballots - 1)).toBeGreaterThan(1.1)
    expect(overlap / (ballots - 1)).toBeLessThan(1.4)
  })

  it('change with the round (mixed seed) and with the juror (nullifier)', () => {
    const posts = Array.from({ length: 40 }, (_, i) => uri(i))
    const of = (mixedSeed: Hex32, n: bigint) =>
      assignBallotPosts({ mixedSeed, nullifier: n, sampledPostUris: posts, postsPerBallot: 12 })
    expect(of(SEED, 1n)).not.toEqual(of(SEED, 2n))
    expect(of(SEED, 1n)).not.toEqual(of(`0x${'a8'.repeat(32)}`, 1n))
    expect(assignmentDraw(SEED, 1n, uri(0))).toBe(assignmentDraw(SEED, '1', uri(0)))
  })

  it('refuse inputs that could be read two ways', () => {
    const base = { mixedSeed: SEED, nullifier: 1n, sampledPostUris: [uri(1), uri(2)], postsPerBallot: 1 }
    expect(() => assignBallotPosts({ ...base, nullifier: '01' })).toThrow(TypeError)
    expect(() => assignBallotPosts({ ...base, nullifier: -1n })).toThrow(TypeError)
    expect(() => assignBallotPosts({ ...base, mixedSeed: `0x${'A7'.repeat(32)}` })).toThrow(TypeError)
    expect(() => assignBallotPosts({ ...base, sampledPostUris: [uri(1), uri(1)] })).toThrow(TypeError)
    expect(() => assignBallotPosts({ ...base, sampledPostUris: [''] })).toThrow(TypeError)
    expect(() => assignBallotPosts({ ...base, postsPerBallot: 0 })).toThrow(TypeError)
    expect(() => assignBallotPosts({ ...base, postsPerBallot: 1.5 })).toThrow(TypeError)
  })

  it('expect J * min(k, n) / n votes per post', () => {
    expect(expectedVotesPerPost(150, 12, 100)).toBe(18)
    expect(expectedVotesPerPost(10, 12, 3)).toBe(10)
    expect(expectedVotesPerPost(10, undefined, 30)).toBe(10)
    expect(expectedVotesPerPost(10, 12, 0)).toBe(0)
  })
})

describe('the round nullifier, computed without proving', () => {
  afterAll(terminateCurve)

  it('is the nullifier of a real Semaphore proof for the round’s scope', async () => {
    const juror = new Identity('secret')
    const other = new Identity('other')
    const group = new Group([other.commitment, juror.commitment])
    const scope = roundScope(7)
    const proof = await generateProof(
      juror,
      group,
      ballotMessage('[]'),
      scope,
      JURY_TREE_DEPTH,
      semaphoreArtifacts(JURY_TREE_DEPTH),
    )
    expect(semaphoreNullifier(juror.secretScalar, scope).toString()).toBe(proof.nullifier)
    // Another round, another juror: another nullifier.
    expect(semaphoreNullifier(juror.secretScalar, roundScope(8)).toString()).not.toBe(proof.nullifier)
    expect(semaphoreNullifier(other.secretScalar, scope).toString()).not.toBe(proof.nullifier)
  })

  it('hashes the scope as Semaphore does: keccak256 of the 32-byte word, top 248 bits', () => {
    // keccak256(32 zero bytes) = 0x290decd9...e563 (the well-known empty-slot hash).
    expect(semaphoreHash(0n)).toBe(
      BigInt('0x290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563') >> 8n,
    )
    expect(() => semaphoreHash(1n << 256n)).toThrow(TypeError)
    expect(() => semaphoreHash(-1n)).toThrow(TypeError)
  })
})
