/**
 * A juror's ballot: one per round, covering the sampled posts assigned to it (assignment.ts: chosen by a hash of its
 * round nullifier), bound to the round by the proof's scope and to its content by the proof's message. Pure: the browser builds ballots with these functions, the server and the offline
 * verifier check them with the same ones.
 */
import type { SemaphoreProof } from '@semaphore-protocol/core'
import { CurationError } from '../errors'
import { SNARK_BASE_FIELD, SNARK_SCALAR_FIELD, parseDecimal } from './group'
import { hashToField } from './hash'

export const VOTES = ['endorse', 'reject', 'abstain'] as const
export type Vote = (typeof VOTES)[number]

/**
 * The longest ballot content accepted, in UTF-16 code units (the content is ASCII, post URIs being ASCII, so also
 * bytes): room for a full sample of a few hundred posts with long URIs; anything bigger is refused before parsing.
 */
export const MAX_BALLOT_CONTENT_LENGTH = 512 * 1024

const ROUND_SCOPE_TAG = 'curia/round/v1/'
/** Scopes and messages are sha256 truncated to 248 bits. */
const FIELD_248 = 1n << 248n

/**
 * The Semaphore scope of a round: sha256("curia/round/v1/<id>") truncated to 248 bits (see `hashToField`). One
 * nullifier per identity per scope is what makes one ballot per juror per round.
 */
export function roundScope(roundId: number): bigint {
  if (!Number.isSafeInteger(roundId) || roundId <= 0) throw new TypeError(`bad round id ${roundId}`)
  return hashToField(`${ROUND_SCOPE_TAG}${roundId}`)
}

/** The Semaphore message of a ballot: sha256 of its canonical content, truncated to 248 bits. */
export function ballotMessage(content: string): bigint {
  return hashToField(content)
}

/**
 * The canonical content: a JSON list of [postUri, vote] pairs sorted by post URI (UTF-16 code unit order), each
 * URI once, no whitespace: `[["at://did:plc:a/app.bsky.feed.post/1","endorse"],[...,"abstain"]]`.
 */
export function canonicalBallotContent(votes: Iterable<readonly [string, Vote]>): string {
  const pairs = [...votes].map(([uri, vote]) => [uri, vote] as const)
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  for (let i = 1; i < pairs.length; i++) {
    if (pairs[i - 1]![0] === pairs[i]![0]) throw new TypeError(`post ${pairs[i]![0]} voted twice`)
  }
  for (const [uri, vote] of pairs) {
    if (typeof uri !== 'string' || uri.length === 0) throw new TypeError('a post URI is a non-empty string')
    if (!(VOTES as readonly string[]).includes(vote)) throw new TypeError(`unknown vote ${String(vote)}`)
  }
  return JSON.stringify(pairs)
}

/**
 * Parses ballot content, refusing (`bad_ballot`) anything that is not exactly the canonical text of its votes:
 * whitespace, unsorted or repeated posts, unknown votes, extra fields. Two texts for one ballot would give two
 * messages for one intent; refusing them keeps the message a function of the votes.
 */
export function parseBallotContent(content: unknown): Map<string, Vote> {
  if (typeof content !== 'string') throw badBallot('The ballot content must be a string.')
  if (content.length > MAX_BALLOT_CONTENT_LENGTH) throw badBallot('The ballot content is too long.')
  let parsed: unknown
  try {
    parsed = JSON.parse(content)
  } catch {
    throw badBallot('The ballot content is not JSON.')
  }
  if (!Array.isArray(parsed)) throw badBallot('The ballot content must be a list of [post, vote] pairs.')
  const votes = new Map<string, Vote>()
  for (const pair of parsed) {
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      typeof pair[0] !== 'string' ||
      pair[0].length === 0 ||
      typeof pair[1] !== 'string' ||
      !(VOTES as readonly string[]).includes(pair[1])
    ) {
      throw badBallot('Each ballot entry must be [post URI, "endorse" | "reject" | "abstain"].')
    }
    if (votes.has(pair[0])) throw badBallot('A post appears twice in the ballot.')
    votes.set(pair[0], pair[1] as Vote)
  }
  if (canonicalBallotContent(votes) !== content) {
    throw badBallot('The ballot content is not canonical (sorted by post, no whitespace).')
  }
  return votes
}

/** True when the ballot votes on exactly these posts (each of the ballot's assigned posts once, nothing else). */
export function coversExactly(votes: ReadonlyMap<string, Vote>, postUris: readonly string[]): boolean {
  return votes.size === postUris.length && postUris.every((uri) => votes.has(uri))
}

const PROOF_KEYS = ['merkleTreeDepth', 'merkleTreeRoot', 'message', 'nullifier', 'points', 'scope'].join(',')

/**
 * Checks a proof's shape before anything else looks at it: exactly Semaphore's six fields, a small integer depth,
 * canonical decimals (no leading zeros, so one value has one spelling), root and nullifier below the scalar field,
 * scope and message below 2^248 (what `roundScope` and `ballotMessage` produce), eight point coordinates below the
 * base field. Refuses with `bad_ballot`.
 */
export function parseProofShape(value: unknown): SemaphoreProof {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badBallot('The proof must be an object.')
  }
  const p = value as Record<string, unknown>
  if (Object.keys(p).sort().join(',') !== PROOF_KEYS) {
    throw badBallot(`The proof must have exactly the fields ${PROOF_KEYS}.`)
  }
  if (!Number.isSafeInteger(p.merkleTreeDepth) || (p.merkleTreeDepth as number) < 1) {
    throw badBallot('The proof depth must be a positive integer.')
  }
  if ((p.merkleTreeDepth as number) > 32) throw badBallot('The proof depth is larger than Semaphore allows.')
  const field = (name: string, bound: bigint) => {
    if (parseDecimal(p[name], bound) === undefined) {
      throw badBallot(
        `The proof's ${name} must be a canonical decimal below ${bound === FIELD_248 ? '2^248' : 'the field'}.`,
      )
    }
  }
  field('merkleTreeRoot', SNARK_SCALAR_FIELD)
  field('nullifier', SNARK_SCALAR_FIELD)
  field('scope', FIELD_248)
  field('message', FIELD_248)
  const points = p.points
  if (!Array.isArray(points) || points.length !== 8) throw badBallot('The proof must have 8 points.')
  for (const c of points) {
    if (parseDecimal(c, SNARK_BASE_FIELD) === undefined) {
      throw badBallot('Each proof point must be a canonical decimal below the base field.')
    }
  }
  return {
    merkleTreeDepth: p.merkleTreeDepth as number,
    merkleTreeRoot: p.merkleTreeRoot as SemaphoreProof['merkleTreeRoot'],
    nullifier: p.nullifier as SemaphoreProof['nullifier'],
    message: p.message as SemaphoreProof['message'],
    scope: p.scope as SemaphoreProof['scope'],
    points: [...(points as string[])] as SemaphoreProof['points'],
  }
}

function badBallot(message: string): CurationError {
  return new CurationError('bad_ballot', message)
}
