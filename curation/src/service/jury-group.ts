/**
 * The jury's Semaphore group in the database: members (identity commitments only), a head row, and every root
 * version. Admission (which knows who a member is and keeps that private) calls `addMember`; a juror's browser calls
 * `getGroupCommitments` for the version its round froze and rebuilds the tree itself, so fetching it reveals nothing
 * about who is about to vote.
 *
 * The tree is kept in memory per process and extended incrementally (about 2 ms a member; rebuilding 10k members
 * costs about 3 s, a million about 5 minutes). Under the head row's lock each addition first brings the cached tree
 * up to the stored size (members another process added) and checks its root against the stored one, so a stale or
 * broken cache is rebuilt from the table, never trusted.
 */
import type { Group } from '@semaphore-protocol/core'
import type { Database } from '@curia/db'
import { CurationError } from '../errors'
import { JURY_TREE_DEPTH, MAX_GROUP_SIZE, buildGroup, parseCommitment } from '../jury/group'
import { constraintName, inTransaction, isRetryable, type Tx } from '../ledger/transaction'

export interface GroupHead {
  /** Root version = number of members: version n is the tree of leaves 0..n-1. */
  version: number
  size: number
  /** Decimal; null while the group is empty. */
  root: string | null
}

export interface MemberAdded extends GroupHead {
  leafIndex: number
  /** False when the commitment was already a member (the call is idempotent: a retry after a crash is safe). */
  added: boolean
}

interface CachedTree {
  group: Group
}

/** Per database (per pool), the tree as this process last saw it. */
const trees = new WeakMap<object, CachedTree>()

/**
 * Adds an identity commitment as the next leaf, producing the next root version. Idempotent per commitment: a
 * commitment already in the group returns its leaf and the current head with `added: false`.
 */
export async function addMember(
  database: Database,
  opts: { commitment: bigint | string; now: Date },
): Promise<MemberAdded> {
  const commitment = parseCommitment(opts.commitment)
  if (commitment === undefined) {
    throw new CurationError(
      'bad_commitment',
      'An identity commitment is a non-zero field element, in decimal.',
    )
  }
  const value = commitment.toString()
  const nowIso = opts.now.toISOString()
  try {
    return await inTransaction(
      database,
      async (tx) => {
        const head = await lockHead(tx, nowIso)
        const [existing] = await tx<{ leafIndex: number }[]>`
          select leaf_index as "leafIndex" from jury_member where commitment = ${value}`
        if (existing) return { ...head, leafIndex: existing.leafIndex, added: false }
        if (head.size >= MAX_GROUP_SIZE) {
          throw new CurationError(
            'group_full',
            `The jury group is full (${MAX_GROUP_SIZE} members at depth ${JURY_TREE_DEPTH}).`,
          )
        }
        const group = await syncTree(database.sql, tx, head)
        group.addMember(commitment)
        const leafIndex = head.size
        const next = { version: head.version + 1, size: head.size + 1, root: group.root.toString() }
        await tx`
          insert into jury_member (leaf_index, commitment, admitted_at)
          values (${leafIndex}, ${value}, ${nowIso}::timestamptz)`
        await tx`
          insert into jury_group_root (version, root, size, created_at)
          values (${next.version}, ${next.root}, ${next.size}, ${nowIso}::timestamptz)`
        await tx`
          update jury_group set version = ${next.version}, size = ${next.size}, root = ${next.root},
            updated_at = ${nowIso}::timestamptz
          where id = 1`
        return { ...next, leafIndex, added: true }
      },
      // A concurrent insert of the same commitment (impossible under the head lock, but the constraint is the
      // final word) runs again and finds the member.
      { retryOn: (err) => isRetryable(err) || constraintName(err) === 'jury_member_commitment_key' },
    )
  } catch (err) {
    // The cached tree may hold a leaf whose transaction rolled back (or whose commit failed): drop it.
    trees.delete(database.sql)
    throw err
  }
}

/** The group's current head (version, size, root). */
export async function getGroupHead(database: Pick<Database, 'sql'>): Promise<GroupHead> {
  const [row] = await database.sql<GroupHead[]>`select version, size, root from jury_group where id = 1`
  return row ?? { version: 0, size: 0, root: null }
}

/** The root version a root belongs to, if the group ever had it. */
export async function findRootVersion(
  database: Pick<Database, 'sql'>,
  root: string,
): Promise<GroupHead | undefined> {
  const [row] = await database.sql<GroupHead[]>`
    select version, size, root from jury_group_root where root = ${root} order by version limit 1`
  return row
}

export interface GroupExport {
  depth: number
  version: number
  root: string | null
  /** Decimal commitments in leaf order: `new Group(commitments)` rebuilds the root. */
  commitments: string[]
}

/**
 * Everything a browser needs to rebuild the tree of a root version (the one its round froze) and prove against
 * it, without ever asking the server for its own Merkle path.
 */
export async function getGroupCommitments(
  database: Pick<Database, 'sql'>,
  opts: { rootVersion: number },
): Promise<GroupExport> {
  const { rootVersion } = opts
  if (!Number.isSafeInteger(rootVersion) || rootVersion < 0) {
    throw new CurationError('bad_request', 'A root version is a non-negative integer.')
  }
  return loadGroupExport(database.sql, rootVersion)
}

/** Reads the first `rootVersion` commitments and the version's root; refuses a version the group never had. */
export async function loadGroupExport(sql: Tx | Database['sql'], rootVersion: number): Promise<GroupExport> {
  let root: string | null = null
  if (rootVersion > 0) {
    const [row] = await sql<
      { root: string }[]
    >`select root from jury_group_root where version = ${rootVersion}`
    if (!row) throw new CurationError('bad_request', `The group never had root version ${rootVersion}.`)
    root = row.root
  }
  const rows = await sql<{ commitment: string }[]>`
    select commitment from jury_member where leaf_index < ${rootVersion} order by leaf_index`
  return { depth: JURY_TREE_DEPTH, version: rootVersion, root, commitments: rows.map((r) => r.commitment) }
}

async function lockHead(tx: Tx, nowIso: string): Promise<GroupHead> {
  await tx`
    insert into jury_group (id, version, size, root, updated_at) values (1, 0, 0, null, ${nowIso}::timestamptz)
    on conflict (id) do nothing`
  const [head] = await tx<GroupHead[]>`select version, size, root from jury_group where id = 1 for update`
  return head!
}

/** The cached tree brought up to `head` (called under the head lock), rebuilt from the table if it disagrees. */
async function syncTree(key: object, tx: Tx, head: GroupHead): Promise<Group> {
  let cached = trees.get(key)
  if (cached && cached.group.size > head.size) cached = undefined
  if (cached && cached.group.size < head.size) {
    const rows = await tx<{ commitment: string }[]>`
      select commitment from jury_member
      where leaf_index >= ${cached.group.size} and leaf_index < ${head.size} order by leaf_index`
    cached.group.addMembers(rows.map((r) => BigInt(r.commitment)))
  }
  if (cached && !sameRoot(cached.group, head)) cached = undefined
  if (!cached) {
    const rows = await tx<{ commitment: string }[]>`
      select commitment from jury_member where leaf_index < ${head.size} order by leaf_index`
    cached = { group: buildGroup(rows.map((r) => r.commitment)) }
    if (!sameRoot(cached.group, head)) {
      throw new Error(`jury group: the stored members rebuild a root other than the stored root ${head.root}`)
    }
  }
  trees.set(key, cached)
  return cached.group
}

function sameRoot(group: Group, head: GroupHead): boolean {
  if (group.size !== head.size) return false
  return head.size === 0 ? true : group.root.toString() === head.root
}
