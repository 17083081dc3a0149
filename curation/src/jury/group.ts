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

/**
 * A removed member's leaf. Semaphore's `Group.removeMember(index)` is a LeanIMT update of that leaf to 0: the tree
 * keeps its shape (later members keep their indexes) and the root changes. So a group's leaves are commitments and
 * zeros, and `new Group(leaves)` rebuilds exactly the tree that adding them all and then removing those produced.
 * 0 is never a member's commitment (`parseCommitment` refuses it, as `Group.addMember` does).
 */
export const REMOVED_LEAF = '0'

/** A leaf of a group as exported: a commitment, or 0 for a removed member. */
export function parseLeaf(value: unknown): bigint | undefined {
  if (value === 0n || value === REMOVED_LEAF) return 0n
  return parseCommitment(value)
}

/** The group of these leaves (commitments, 0 for a removed member), in this order (leaf index = position). */
export function buildGroup(leaves: readonly (bigint | string)[]): Group {
  // The constructor inserts the leaves as given; `addMembers` would refuse the zeros.
  return new Group(leaves.map((c) => BigInt(c)))
}

/** The root of the group of these leaves, decimal; null for an empty group (a LeanIMT has no root then). */
export function groupRoot(leaves: readonly (bigint | string)[]): string | null {
  if (leaves.length === 0) return null
  return buildGroup(leaves).root.toString()
}

/**
 * What is wrong with a published group version (none: an empty list): every leaf is a commitment or 0, no commitment
 * appears twice, the version counts one change per leaf added and one per leaf removed (`version = leaves + zeros`),
 * and the leaves rebuild the root.
 */
export function groupProblems(group: {
  rootVersion: number
  root: string | null
  commitments: readonly string[]
}): string[] {
  const { rootVersion, root, commitments } = group
  const bad = commitments.findIndex((c) => parseLeaf(c) === undefined)
  if (bad >= 0) return [`group: leaf ${bad} is neither a commitment nor 0 (removed)`]
  const problems: string[] = []
  const members = commitments.filter((c) => c !== REMOVED_LEAF)
  const removed = commitments.length - members.length
  if (commitments.length + removed !== rootVersion) {
    problems.push(
      `group: ${members.length} members and ${removed} removed leaves do not make root version ${rootVersion} ` +
        '(one version per addition and per removal)',
    )
  }
  if (new Set(members).size !== members.length) problems.push('group: a commitment repeats')
  const rebuilt = groupRoot(commitments)
  if (rebuilt !== root) problems.push(`group: commitments rebuild root ${rebuilt}, export says ${root}`)
  return problems
}
