/**
 * Which sampled posts one ballot covers: a pure function of the round's mixed seed, the juror's round nullifier and
 * the sample, so the juror's browser, the server and the offline verifier all compute the same set.
 *
 * Why: when jurors choose which sampled posts to judge, a cartel votes on every attacker post and outvotes the few
 * honest votes each post gets (the capture simulation, sim/report/REPORT.md: a 20% cartel turned capture into
 * profit). Assigned by a hash, a cartel gets about its share of each post's votes and no more.
 *
 * Rule: each sampled post gets the draw sha256("curia/assign/v1|<mixedSeed>|<nullifier>|<postUri>") as a 256-bit
 * integer; the ballot covers the `postsPerBallot` posts with the smallest draws (ties, which need a sha256
 * collision, go to the smaller URI). A sample of at most `postsPerBallot` posts is covered whole, and so is any
 * sample when `postsPerBallot` is absent (rounds opened before assignment existed).
 *
 * Why these inputs: the nullifier is public (it is in the proof) and fixed per juror per round, so the server checks
 * the assignment without learning who the juror is, and a juror cannot pick another assignment without another
 * identity (one per verified human). The mixed seed is unknown until the reveal, so nobody could arrange in
 * advance which identity judges which post. The encoding is injective: the seed is fixed-length hex and the
 * nullifier a decimal, neither contains "|", and the URI is last.
 *
 * Pure: no I/O, no clock, no randomness; integer-exact comparisons (bigints), so every verifier agrees.
 */
import { isHex32, sha256Text, type Hex32 } from './hash'

const ASSIGNMENT_TAG = 'curia/assign/v1'
const DECIMAL = /^(0|[1-9][0-9]{0,77})$/

/** The draw of one post for one ballot: smaller draws are assigned first. */
export function assignmentDraw(mixedSeed: Hex32, nullifier: bigint | string, postUri: string): bigint {
  return BigInt(sha256Text(`${ASSIGNMENT_TAG}|${mixedSeed}|${nullifierText(nullifier)}|${postUri}`))
}

export interface AssignmentInput {
  /** The round's mixed seed (seed mixed with the beacon), revealed with the sample. */
  mixedSeed: Hex32
  /** The ballot's Semaphore nullifier for the round's scope (bigint or canonical decimal). */
  nullifier: bigint | string
  /** The sampled posts, by URI, in any order (each once). */
  sampledPostUris: readonly string[]
  /** The round's posts per ballot; undefined: every ballot covers the whole sample. */
  postsPerBallot: number | undefined
}

/**
 * The posts this ballot must cover, sorted by URI (UTF-16 code units, the canonical content's order): the
 * min(postsPerBallot, n) sampled posts with the smallest draws.
 */
export function assignBallotPosts(input: AssignmentInput): string[] {
  const { mixedSeed, sampledPostUris, postsPerBallot } = input
  if (!isHex32(mixedSeed)) throw new TypeError('a mixed seed is 32 bytes as 0x-prefixed lowercase hex')
  const nullifier = nullifierText(input.nullifier)
  if (postsPerBallot !== undefined && (!Number.isSafeInteger(postsPerBallot) || postsPerBallot < 1)) {
    throw new TypeError(`bad postsPerBallot ${postsPerBallot}`)
  }
  const seen = new Set<string>()
  for (const uri of sampledPostUris) {
    if (typeof uri !== 'string' || uri.length === 0) throw new TypeError('a post URI is a non-empty string')
    if (seen.has(uri)) throw new TypeError(`post ${uri} twice in the sample`)
    seen.add(uri)
  }
  if (postsPerBallot === undefined || sampledPostUris.length <= postsPerBallot) {
    return [...sampledPostUris].sort(byCodeUnits)
  }
  const draws = sampledPostUris.map((uri) => ({ uri, draw: assignmentDraw(mixedSeed, nullifier, uri) }))
  draws.sort((a, b) => (a.draw < b.draw ? -1 : a.draw > b.draw ? 1 : byCodeUnits(a.uri, b.uri)))
  return draws
    .slice(0, postsPerBallot)
    .map((d) => d.uri)
    .sort(byCodeUnits)
}

/**
 * How many ballots cover each sampled post on average: with J ballots, k posts per ballot and n sampled posts,
 * J * min(k, n) / n. What the quorum must be read against (a post expecting 3 votes often misses a quorum of 3).
 */
export function expectedVotesPerPost(
  ballots: number,
  postsPerBallot: number | undefined,
  sampled: number,
): number {
  if (sampled === 0) return 0
  const k = postsPerBallot === undefined ? sampled : Math.min(postsPerBallot, sampled)
  return (ballots * k) / sampled
}

function nullifierText(nullifier: bigint | string): string {
  if (typeof nullifier === 'bigint') {
    if (nullifier < 0n) throw new TypeError('a nullifier is not negative')
    return nullifier.toString()
  }
  if (typeof nullifier !== 'string' || !DECIMAL.test(nullifier)) {
    throw new TypeError('a nullifier is a bigint or a canonical decimal string')
  }
  return nullifier
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
