/**
 * The jury's Semaphore group: constants every proof and every verifier must agree on, and building the tree from
 * its commitments (the juror's browser does exactly this rather than asking the server for its Merkle path).
 */
import { Group } from '@semaphore-protocol/core'

/**
 * The one Merkle tree depth of every jury proof (and of the faucet's proofs against the same group).
 *
 * Why fixed: left to infer it, Semaphore proves at the depth of the juror's own path, and a member on the tree's
 * right edge then proves at a smaller, public depth, shrinking their anonymity set to a handful. With one depth
 * every proof looks alike.
 *
 * Why 20: it bounds the group at 2^20 = 1,048,576 members, more verified humans than one feed's jury will gather
 * (a depth cannot change without a new group and new proofs, so it must be generous), while proving stays near
 * 2 s (measured here: about 1.2 s at depth 7, 2.2 s at depth 20) and the artifacts a browser downloads are 5.7 MB
 * raw (depth 16: 5.2 MB, depth 32: 7.7 MB). Verifying costs the same at every depth.
 */
export const JURY_TREE_DEPTH = 20
export const MAX_GROUP_SIZE = 2 ** JURY_TREE_DEPTH

/** The BN254 scalar field: Semaphore's commitments, roots and nullifiers are elements of it. */
export const SNARK_SCALAR_FIELD =
  21888242871839275222246405745257275088548364400416034343698204186575808495617n
/** The BN254 base field: the Groth16 proof's point coordinates are elements of it. */
export const SNARK_BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n

const CANONICAL_DECIMAL = /^(0|[1-9][0-9]{0,77})$/

/** A canonical decimal string (no sign, no leading zeros, at most 78 digits) below `bound`, else undefined. */
export function parseDecimal(value: unknown, bound: bigint): bigint | undefined {
  if (typeof value !== 'string' || !CANONICAL_DECIMAL.test(value)) return undefined
  const n = BigInt(value)
  return n < bound ? n : undefined
}

/** An identity commitment: a non-zero field element, given as a bigint or a canonical decimal string. */
export function parseCommitment(value: unknown): bigint | undefined {
  const n = typeof value === 'bigint' ? value : parseDecimal(value, SNARK_SCALAR_FIELD)
  return n !== undefined && n > 0n && n < SNARK_SCALAR_FIELD ? n : undefined
}

/** The group of these commitments, in this order (leaf index = position). */
export function buildGroup(commitments: readonly (bigint | string)[]): Group {
  return new Group(commitments.map((c) => BigInt(c)))
}

/** The root of the group of these commitments, decimal; null for an empty group (a LeanIMT has no root then). */
export function groupRoot(commitments: readonly (bigint | string)[]): string | null {
  if (commitments.length === 0) return null
  return buildGroup(commitments).root.toString()
}
