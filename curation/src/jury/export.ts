/**
 * A closed round's public record, and its offline verification: everything needed to re-check the round with no
 * Curia server (every proof, the nullifiers, the seed against its commitment, the sample, the tallies).
 */
import type { SemaphoreProof } from '@semaphore-protocol/core'
import { z } from 'zod'
import {
  ballotMessage,
  coversExactly,
  parseBallotContent,
  parseProofShape,
  roundScope,
  type Vote,
} from './ballot'
import { assignBallotPosts } from './assignment'
import { eligibleListProblems, eligibleSetHash } from './eligible'
import { JURY_TREE_DEPTH, groupProblems } from './group'
import { canonicalJson, merkleTreeHash, utf8Bytes, type Hex32 } from './hash'
import { assertRoundParams, type RoundParams } from './round'
import { drawSample, mixSeed, seedCommitment, type Beacon, type SampleResult } from './sampling'
import { tallyBallots, type Verdict } from './tally'

/**
 * v2 adds `eligibleHash`, the commitment to the eligible list fixed at freeze. A round frozen before it existed has
 * no commitment and is still exported as v1 (its Merkle root, fixed at close, covers the v1 shape); the verifier
 * reads both.
 */
export const ROUND_EXPORT_FORMAT = 'curia-round-export/v2'
export const ROUND_EXPORT_FORMAT_V1 = 'curia-round-export/v1'
export type RoundExportFormat = typeof ROUND_EXPORT_FORMAT | typeof ROUND_EXPORT_FORMAT_V1

export interface ExportedBallot {
  nullifier: string
  content: string
  proof: SemaphoreProof
}

export interface RoundExport {
  format: RoundExportFormat
  round: {
    id: number
    /** Decimal: roundScope(id). */
    scope: string
    treeDepth: number
    params: RoundParams
    openedAt: string
    windowStartsAt: string
    windowEndsAt: string
    frozenAt: string
    revealedAt: string
    votingEndsAt: string
    closedAt: string
  }
  seed: { commitment: Hex32; seed: Hex32; beacon: Beacon; mixedSeed: Hex32 }
  /**
   * The root frozen at opening and the leaves of that root version, in order, that rebuild it: members'
   * commitments, and 0 for members removed by then (`rootVersion` = leaves + removed leaves: one per change).
   */
  group: { rootVersion: number; root: string | null; commitments: string[] }
  /**
   * v2: `eligibleSetHash(round.id, eligible)`, fixed and shown publicly at freeze before the beacon block was chosen
   * (anchored on-chain first when the deployment anchors). Absent in v1.
   */
  eligibleHash?: Hex32
  /** Every eligible market, by id, with the exposure frozen at eligibility and the probability it got. */
  eligible: { marketId: number; postUri: string; exposure: number; probability: number; sampled: boolean }[]
  /** Sampled market ids, ascending. */
  sample: number[]
  /** Every accepted ballot, by nullifier (numerically): no arrival order, which could link ballots to people. */
  ballots: ExportedBallot[]
  /** Per sampled market, in market id order. */
  tallies: {
    marketId: number
    postUri: string
    endorse: number
    reject: number
    abstain: number
    verdict: Verdict
  }[]
  /** exportMerkleRoot of everything above. */
  merkleRoot: Hex32
}

/**
 * The export's Merkle root, 0x bytes32 (for anchoring on-chain): an RFC 6962 tree whose first leaf is the canonical
 * JSON (`canonicalJson`: sorted keys, no whitespace, ECMAScript number formatting as RFC 8785) of the export
 * without `ballots` and `merkleRoot`, followed by one leaf per ballot, canonical JSON, in nullifier order. A juror can
 * prove their ballot is in an anchored round with a log-size inclusion path.
 */
export function exportMerkleRoot(exp: Omit<RoundExport, 'merkleRoot'> | RoundExport): Hex32 {
  const { ballots, ...rest } = exp
  const header = { ...rest } as Record<string, unknown>
  delete header.merkleRoot
  const leaves = [canonicalJson(header), ...sortBallots(ballots).map((b) => canonicalJson(b))]
  return merkleTreeHash(leaves.map(utf8Bytes))
}

export function sortBallots<T extends { nullifier: string }>(ballots: readonly T[]): T[] {
  return [...ballots].sort((a, b) => {
    const x = BigInt(a.nullifier)
    const y = BigInt(b.nullifier)
    return x < y ? -1 : x > y ? 1 : 0
  })
}

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/) as unknown as z.ZodType<Hex32>
const decimal = z.string().regex(/^(0|[1-9][0-9]{0,77})$/)
const iso = z.string().min(1)
const count = z.number().int().min(0)

/** The export's shape, checked before anything in it is believed (it is an untrusted file to the verifier). */
export const roundExportSchema = z.strictObject({
  format: z.enum([ROUND_EXPORT_FORMAT, ROUND_EXPORT_FORMAT_V1]),
  round: z.strictObject({
    id: z.number().int().positive(),
    scope: decimal,
    treeDepth: z.number().int(),
    params: z.strictObject({
      pMin: z.number(),
      pMax: z.number(),
      halfExposure: z.number(),
      capacity: count,
      quorum: z.number().int().positive(),
      postsPerBallot: z.number().int().positive().optional(),
    }),
    openedAt: iso,
    windowStartsAt: iso,
    windowEndsAt: iso,
    frozenAt: iso,
    revealedAt: iso,
    votingEndsAt: iso,
    closedAt: iso,
  }),
  seed: z.strictObject({
    commitment: hex32,
    seed: hex32,
    beacon: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('operator') }),
      z.strictObject({
        kind: z.literal('block'),
        chainId: z.number().int().positive(),
        number: count,
        hash: hex32,
      }),
    ]),
    mixedSeed: hex32,
  }),
  group: z.strictObject({ rootVersion: count, root: decimal.nullable(), commitments: z.array(decimal) }),
  eligibleHash: hex32.optional(),
  eligible: z.array(
    z.strictObject({
      marketId: z.number().int().positive(),
      postUri: z.string().min(1),
      exposure: count,
      probability: z.number(),
      sampled: z.boolean(),
    }),
  ),
  sample: z.array(z.number().int().positive()),
  ballots: z.array(z.strictObject({ nullifier: decimal, content: z.string(), proof: z.unknown() })),
  tallies: z.array(
    z.strictObject({
      marketId: z.number().int().positive(),
      postUri: z.string(),
      endorse: count,
      reject: count,
      abstain: count,
      verdict: z.enum(['endorse', 'reject', 'void']),
    }),
  ),
  merkleRoot: hex32,
})

export interface VerifyReport {
  /** One line per mismatch; empty when the round checks out. */
  problems: string[]
  /** What was checked, for the verifier's summary line. */
  checked: { ballots: number; proofsVerified: number; eligible: number; sampled: number }
  /** For a block beacon: the block whose hash must be compared with the chain (the verifier cannot do it offline). */
  beaconBlock?: { chainId: number; number: number; hash: Hex32 }
  /**
   * What the contents hash to (not what the export claims), to compare with values published elsewhere: the
   * export's Merkle root (anchored at close) and the eligible list's commitment (`eligibleSetHash`, anchored at
   * freeze). Absent when the export is not even shaped like one.
   */
  recomputed?: { exportRoot: Hex32; eligibleHash: Hex32 }
}

/**
 * Re-verifies a round export with no server. `verifyProof` is Semaphore's (passed in so the caller owns the curve's
 * lifetime). Never throws on bad data: every problem becomes a line of the report.
 */
export async function verifyRoundExport(
  input: unknown,
  deps: { verifyProof: (proof: SemaphoreProof) => Promise<boolean> },
): Promise<VerifyReport> {
  const problems: string[] = []
  const checked = { ballots: 0, proofsVerified: 0, eligible: 0, sampled: 0 }
  const parsed = roundExportSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return {
      problems: [`export shape: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`],
      checked,
    }
  }
  const exp = parsed.data as RoundExport
  const { round, seed, group } = exp
  checked.eligible = exp.eligible.length

  // The Merkle root binds everything else, but only to itself: an export rewritten whole hashes to a new root, so
  // the root must be compared with the one anchored at close (`verify-round --anchor` or `--root`).
  const root = exportMerkleRoot(exp)
  if (root !== exp.merkleRoot)
    problems.push(`merkle root: export says ${exp.merkleRoot}, contents hash to ${root}`)
  const recomputed = { exportRoot: root, eligibleHash: eligibleSetHash(round.id, exp.eligible) }
  const report: VerifyReport = { problems, checked, recomputed }
  if (seed.beacon.kind === 'block')
    report.beaconBlock = { chainId: seed.beacon.chainId, number: seed.beacon.number, hash: seed.beacon.hash }

  // The eligible list is the one committed to at freeze, before the beacon block was chosen. (Recomputed for a v1
  // export too: a commitment anchored on-chain for its round must match it all the same.)
  if (exp.format === ROUND_EXPORT_FORMAT_V1) {
    if (exp.eligibleHash !== undefined) problems.push('eligible: a v1 export has no eligibleHash')
  } else if (exp.eligibleHash === undefined) {
    problems.push(`eligible: a ${exp.format} export needs its eligibleHash`)
  } else if (recomputed.eligibleHash !== exp.eligibleHash) {
    problems.push(
      `eligible: the list hashes to ${recomputed.eligibleHash}, not the commitment fixed at freeze ${exp.eligibleHash}`,
    )
  }

  try {
    assertRoundParams(round.params)
  } catch (err) {
    problems.push(`params: ${(err as Error).message}`)
    return report
  }
  if (round.treeDepth !== JURY_TREE_DEPTH) {
    problems.push(`tree depth: export says ${round.treeDepth}, Curia proves at ${JURY_TREE_DEPTH}`)
  }
  const scope = roundScope(round.id).toString()
  if (round.scope !== scope)
    problems.push(`scope: export says ${round.scope}, round ${round.id} has ${scope}`)

  // Seed: the revealed seed matches the commitment published at opening, and the mixed seed follows.
  if (seedCommitment(seed.seed) !== seed.commitment) {
    problems.push(
      `seed: sha256(${seed.seed}) is ${seedCommitment(seed.seed)}, not the commitment ${seed.commitment}`,
    )
  }
  const mixed = mixSeed(seed.seed, seed.beacon)
  if (mixed !== seed.mixedSeed)
    problems.push(`mixed seed: export says ${seed.mixedSeed}, recomputed ${mixed}`)

  // Group: the leaves (0 for a removed member) rebuild the frozen root.
  problems.push(...groupProblems(group))

  // Sample: recomputed from the eligible set, the params and the mixed seed (the recomputed one, not the claim).
  // A list it cannot be drawn from (a market twice, an id or exposure past 2^53) is a finding, and nothing after
  // the sample can be checked without it.
  const unusable = eligibleListProblems(exp.eligible)
  if (unusable.length > 0) {
    problems.push(
      ...unusable,
      'sample: not recomputed (the eligible list is unusable); ballots and tallies unchecked',
    )
    return report
  }
  let sample: SampleResult
  try {
    sample = drawSample(mixed, exp.eligible, round.params)
  } catch (err) {
    problems.push(`sample: cannot be recomputed: ${(err as Error).message}`)
    return report
  }
  const probability = new Map(sample.probabilities.map((p) => [p.marketId, p.probability]))
  const sampledIds = new Set(sample.sampled)
  checked.sampled = sample.sampled.length
  for (const m of exp.eligible) {
    if (probability.get(m.marketId) !== m.probability) {
      problems.push(
        `sample: market ${m.marketId} probability ${m.probability}, recomputed ${probability.get(m.marketId)}`,
      )
    }
    if (sampledIds.has(m.marketId) !== m.sampled) {
      problems.push(
        `sample: market ${m.marketId} marked ${m.sampled ? '' : 'not '}sampled, recomputation disagrees`,
      )
    }
  }
  if (canonicalJson(exp.sample) !== canonicalJson(sample.sampled)) {
    problems.push(
      `sample: export lists [${exp.sample.join(', ')}], recomputed [${sample.sampled.join(', ')}]`,
    )
  }
  const uriOf = new Map(exp.eligible.map((m) => [m.marketId, m.postUri]))
  const sampledUris = sample.sampled.map((id) => uriOf.get(id)!)

  // Ballots: each one as the server checked it, then the proof itself; nullifiers unique.
  const nullifiers = new Set<string>()
  const votes: Map<string, Vote>[] = []
  for (const [i, ballot] of exp.ballots.entries()) {
    checked.ballots += 1
    const where = `ballot ${i} (nullifier ${ballot.nullifier.slice(0, 12)}...)`
    if (nullifiers.has(ballot.nullifier)) {
      problems.push(`${where}: nullifier used twice`)
      continue
    }
    nullifiers.add(ballot.nullifier)
    let proof: SemaphoreProof
    let content: Map<string, Vote>
    try {
      proof = parseProofShape(ballot.proof)
      content = parseBallotContent(ballot.content)
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`)
      continue
    }
    const issues: string[] = []
    if (proof.nullifier !== ballot.nullifier) issues.push('nullifier differs from the proof')
    if (proof.merkleTreeDepth !== JURY_TREE_DEPTH) issues.push(`depth ${proof.merkleTreeDepth}`)
    if (proof.scope !== scope) issues.push('scope is not this round')
    if (proof.merkleTreeRoot !== group.root) issues.push('root is not the frozen root')
    if (proof.message !== ballotMessage(ballot.content).toString())
      issues.push('message is not sha256(content)')
    // The posts this nullifier is assigned (the whole sample for a round without postsPerBallot).
    try {
      const assigned = assignBallotPosts({
        mixedSeed: mixed,
        nullifier: proof.nullifier,
        sampledPostUris: sampledUris,
        postsPerBallot: round.params.postsPerBallot,
      })
      if (!coversExactly(content, assigned)) {
        issues.push(`content does not cover exactly its ${assigned.length} assigned posts`)
      }
    } catch (err) {
      issues.push(`assignment: ${(err as Error).message}`)
    }
    if (issues.length > 0) {
      problems.push(`${where}: ${issues.join('; ')}`)
      continue
    }
    let valid = false
    try {
      valid = await deps.verifyProof(proof)
    } catch (err) {
      problems.push(`${where}: proof verification threw: ${(err as Error).message}`)
      continue
    }
    if (!valid) problems.push(`${where}: the proof does not verify`)
    else {
      checked.proofsVerified += 1
      votes.push(content)
    }
  }

  // Tallies: recomputed from the ballots that verified.
  const tallies = tallyBallots(sampledUris, votes, round.params.quorum).map((t, i) => ({
    marketId: sample.sampled[i]!,
    ...t,
  }))
  if (canonicalJson(tallies) !== canonicalJson(exp.tallies)) {
    for (const t of tallies) {
      const claimed = exp.tallies.find((x) => x.marketId === t.marketId)
      if (!claimed) problems.push(`tally: market ${t.marketId} missing`)
      else if (canonicalJson(claimed) !== canonicalJson(t)) {
        problems.push(
          `tally: market ${t.marketId} export says ${claimed.endorse}/${claimed.reject}/${claimed.abstain} ${claimed.verdict}, ` +
            `ballots give ${t.endorse}/${t.reject}/${t.abstain} ${t.verdict}`,
        )
      }
    }
    if (exp.tallies.length !== tallies.length) {
      problems.push(`tally: export has ${exp.tallies.length} tallies for ${tallies.length} sampled markets`)
    }
  }

  return report
}
