import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isCurationError } from '../src/errors'
import {
  ballotMessage,
  canonicalBallotContent,
  coversExactly,
  parseBallotContent,
  parseProofShape,
  roundScope,
  VOTES,
  type Vote,
} from '../src/jury/ballot'
import { SNARK_SCALAR_FIELD } from '../src/jury/group'
import { canonicalJson, merkleTreeHash, sha256Text, utf8Bytes } from '../src/jury/hash'
import { tallyBallots, verdictOf } from '../src/jury/tally'

const uri = (n: number | string) => `at://did:plc:author/app.bsky.feed.post/${n}`

function refusal(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    if (isCurationError(err)) return err.code
    throw err
  }
  return undefined
}

describe('ballot content', () => {
  it('is a sorted list of [post, vote] pairs that parses back to itself', () => {
    const content = canonicalBallotContent([
      [uri(2), 'reject'],
      [uri(1), 'endorse'],
      [uri(10), 'abstain'],
    ])
    expect(content).toBe(`[["${uri(1)}","endorse"],["${uri(10)}","abstain"],["${uri(2)}","reject"]]`)
    expect([...parseBallotContent(content)]).toEqual([
      [uri(1), 'endorse'],
      [uri(10), 'abstain'],
      [uri(2), 'reject'],
    ])
  })

  it('round-trips any ballot (property)', () => {
    const ballot = fc.uniqueArray(
      fc.tuple(
        fc.stringMatching(/^at:\/\/did:plc:[a-z0-9]{1,8}\/app\.bsky\.feed\.post\/[a-z0-9]{1,6}$/),
        fc.constantFrom(...VOTES),
      ),
      { selector: ([u]) => u, maxLength: 30 },
    )
    fc.assert(
      fc.property(ballot, (pairs) => {
        const content = canonicalBallotContent(pairs)
        expect(canonicalBallotContent(parseBallotContent(content))).toBe(content)
        expect(new Map(pairs)).toEqual(parseBallotContent(content))
      }),
    )
  })

  it('refuses anything non-canonical', () => {
    const good = canonicalBallotContent([
      [uri(1), 'endorse'],
      [uri(2), 'reject'],
    ])
    const variants = [
      `[["${uri(2)}","reject"],["${uri(1)}","endorse"]]`, // unsorted
      `[["${uri(1)}", "endorse"],["${uri(2)}","reject"]]`, // whitespace
      ` ${good}`,
      `[["${uri(1)}","endorse"],["${uri(1)}","endorse"]]`, // repeated post
      `[["${uri(1)}","yes"]]`, // unknown vote
      `[["${uri(1)}","endorse","extra"]]`,
      `[{"post":"${uri(1)}","vote":"endorse"}]`,
      `{"${uri(1)}":"endorse"}`,
      `[["\\u0061t://x","endorse"]]`, // an escape where the canonical form has the character
      'not json',
      `[["","endorse"]]`,
    ]
    for (const v of variants)
      expect(
        refusal(() => parseBallotContent(v)),
        v,
      ).toBe('bad_ballot')
    expect(refusal(() => parseBallotContent(42))).toBe('bad_ballot')
    expect(refusal(() => parseBallotContent(`[${'["a","endorse"],'.repeat(40_000)}["b","endorse"]]`))).toBe(
      'bad_ballot',
    )
    expect(refusal(() => parseBallotContent(good))).toBeUndefined()
  })

  it('covers exactly the sampled posts or not', () => {
    const votes = parseBallotContent(
      canonicalBallotContent([
        [uri(1), 'endorse'],
        [uri(2), 'abstain'],
      ]),
    )
    expect(coversExactly(votes, [uri(2), uri(1)])).toBe(true)
    expect(coversExactly(votes, [uri(1)])).toBe(false)
    expect(coversExactly(votes, [uri(1), uri(2), uri(3)])).toBe(false)
    expect(coversExactly(votes, [uri(1), uri(3)])).toBe(false)
  })
})

describe('scope and message', () => {
  it('are the top 248 bits of sha256 of the tagged round id and of the content', () => {
    expect(roundScope(7)).toBe(BigInt(sha256Text('curia/round/v1/7')) >> 8n)
    expect(roundScope(7)).not.toBe(roundScope(8))
    expect(roundScope(7) < 1n << 248n).toBe(true)
    expect(roundScope(7) < SNARK_SCALAR_FIELD).toBe(true)
    expect(ballotMessage('[]')).toBe(BigInt(sha256Text('[]')) >> 8n)
  })
})

describe('proof shape', () => {
  const proof = {
    merkleTreeDepth: 20,
    merkleTreeRoot: '123',
    nullifier: '456',
    message: '789',
    scope: '1011',
    points: ['1', '2', '3', '4', '5', '6', '7', '8'],
  }
  it('accepts exactly Semaphore fields in canonical decimals', () => {
    expect(parseProofShape(proof)).toEqual(proof)
  })
  it('refuses wrong lengths, spellings, extra fields and out-of-field values', () => {
    const bad: unknown[] = [
      null,
      [],
      'proof',
      { ...proof, extra: 1 },
      { ...proof, merkleTreeDepth: 20.5 },
      { ...proof, merkleTreeDepth: 33 },
      { ...proof, merkleTreeDepth: '20' },
      { ...proof, merkleTreeRoot: '0123' },
      { ...proof, merkleTreeRoot: SNARK_SCALAR_FIELD.toString() },
      { ...proof, nullifier: '-1' },
      { ...proof, nullifier: 456 },
      { ...proof, scope: (1n << 248n).toString() },
      { ...proof, message: '0x10' },
      { ...proof, message: '1'.repeat(100) },
      { ...proof, points: proof.points.slice(0, 7) },
      { ...proof, points: [...proof.points, '9'] },
      { ...proof, points: [...proof.points.slice(0, 7), ' 8'] },
    ]
    for (const b of bad)
      expect(
        refusal(() => parseProofShape(b)),
        JSON.stringify(b),
      ).toBe('bad_ballot')
  })
})

describe('tally', () => {
  it('endorses on a strict majority with quorum, rejects on a tie, voids without quorum', () => {
    expect(verdictOf(2, 1, 3)).toBe('endorse')
    expect(verdictOf(2, 2, 3)).toBe('reject')
    expect(verdictOf(0, 3, 3)).toBe('reject')
    expect(verdictOf(2, 0, 3)).toBe('void')
  })
  it('does not count abstentions toward the quorum', () => {
    const ballots = [
      new Map<string, Vote>([[uri(1), 'endorse']]),
      new Map<string, Vote>([[uri(1), 'abstain']]),
      new Map<string, Vote>([[uri(1), 'abstain']]),
    ]
    expect(tallyBallots([uri(1)], ballots, 2)).toEqual([
      { postUri: uri(1), endorse: 1, reject: 0, abstain: 2, verdict: 'void' },
    ])
  })
})

describe('canonical JSON and the Merkle tree', () => {
  it('sorts keys and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 0.5, y: -1 } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"y":-1,"z":0.5}}',
    )
    expect(() => canonicalJson({ a: 1n })).toThrow()
    expect(() => canonicalJson(Number.NaN)).toThrow()
  })
  it('matches RFC 6962 test vectors', () => {
    // From Certificate Transparency's test suite (merkle_tree_test.cc): leaves "", 0x00, 0x10.
    const leaves = [new Uint8Array(), Uint8Array.of(0x00), Uint8Array.of(0x10)]
    expect(merkleTreeHash([])).toBe('0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(merkleTreeHash(leaves.slice(0, 1))).toBe(
      '0x6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    )
    expect(merkleTreeHash(leaves.slice(0, 2))).toBe(
      '0xfac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    )
    expect(merkleTreeHash(leaves.slice(0, 3))).toBe(
      '0xaeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    )
    expect(merkleTreeHash([utf8Bytes('a'), utf8Bytes('b')])).not.toBe(
      merkleTreeHash([utf8Bytes('b'), utf8Bytes('a')]),
    )
  })
})
