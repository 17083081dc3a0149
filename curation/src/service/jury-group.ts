/**
 * The jury's Semaphore group in the database: members (identity commitments only), a head row, and every root
 * version. Admission (which knows who a member is and keeps that private) calls `addMember`, and removes revoked
 * members (`removeMembersInTransaction`, inside its own revocation); a juror's browser calls `getGroupCommitments`
 * for the version its round froze and rebuilds the tree itself, so fetching it reveals nothing about who is about
 * to vote.
 *
 * Every change is one new root version: adding a member appends a leaf, removing one sets its leaf to 0 (Semaphore's
 * `removeMember`, a LeanIMT update), so the tree keeps its shape and `version = leaves + removed leaves`. Version v
 * is the tree of leaves 0..size(v)-1 with the leaves removed at versions <= v set to 0; it never changes afterwards.
 *
 * The tree is kept in memory per process and changed incrementally (about 2 ms a member; rebuilding 10k members
 * costs about 3 s, a million about 5 minutes). Under the head row's lock each change first brings the cached tree
 * up to the stored version (leaves another process added or removed) and checks its root against the stored one,
 * so a stale or broken cache is rebuilt from the table, never trusted.
 */
import type { Group } from '@semaphore-protocol/core'
import type { Database } from '@curia/db'
import { CurationError } from '../errors'
import { JURY_TREE_DEPTH, MAX_GROUP_SIZE, REMOVED_LEAF, buildGroup, parseCommitment } from '../jury/group'
import { constraintName, inTransaction, isRetryable, type Tx } from '../ledger/transaction'

export interface GroupHead {
  /** Root version: one per change (an addition or a removal), so `version = size + removed leaves`. */
  version: number
  /** Leaves, removed members' (zeroed) leaves included: the next member's leaf index. */
  size: number
  /** Decimal; null while the group is empty. */
  root: string | null
}

export interface MemberAdded extends GroupHead {
  leafIndex: number
  /** False when the commitment was already a member (the call is idempotent: a retry after a crash is safe). */
  added: boolean
}

export interface MemberRemoval extends GroupHead {
  /**
   * `removed`: this call zeroed the member's leaf (a new root version); `already_removed`: an earlier call did (a
   * retry is safe); `not_member`: the commitment never joined. Only `removed` changed anything.
   */
  outcome: 'removed' | 'already_removed' | 'not_member'
  leafIndex: number | null
  /** The first root version without the member; null for `not_member`. */
  removedVersion: number | null
}

interface CachedTree {
  group: Group
  /** The root version `group` is the tree of. */
  version: number
}

/** Per database (per pool), the tree as this process last saw it. */
const trees = new WeakMap<object, CachedTree>()

/**
 * Adds an identity commitment as the next leaf, producing the next root version. Idempotent per commitment: a
 * commitment already in the group (even one since removed) returns its leaf and the current head with
 * `added: false`. A removed member cannot come back with the same commitment.
 */
export async function addMember(
  database: Database,
  opts: { commitment: bigint | string; now: Date },
): Promise<MemberAdded> {
  return inGroupTransaction(database, (tx) => addMemberInTransaction(database, tx, opts))
}

/**
 * A transaction that changes the group (here, and admission's, which add or remove members beside their own
 * writes): run again on a serialization failure or deadlock, or on a concurrent insert of the same commitment
 * (impossible under the head lock, but the constraint is the final word: the retry finds the member); and if it
 * fails, the process's cached tree is dropped, since it may hold the rolled-back change.
 */
export async function inGroupTransaction<T>(database: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await inTransaction(database, fn, {
      retryOn: (err) => isRetryable(err) || constraintName(err) === 'jury_member_commitment_key',
    })
  } catch (err) {
    forgetCachedTree(database)
    throw err
  }
}

/** A commitment as the group stores it (canonical decimal), or `bad_commitment`. */
export function requireCommitment(value: unknown): string {
  const commitment = parseCommitment(value)
  if (commitment === undefined) throw badCommitment()
  return commitment.toString()
}

const badCommitment = () =>
  new CurationError('bad_commitment', 'An identity commitment is a non-zero field element, in decimal.')

/**
 * `addMember` inside the caller's transaction (admission adds a member and marks its binding in one). Takes the
 * head row's lock. If the transaction then fails, the caller should `forgetCachedTree` (a stale cache is also caught
 * by the root check on the next change, so this is only economy).
 */
export async function addMemberInTransaction(
  database: Pick<Database, 'sql'>,
  tx: Tx,
  opts: { commitment: bigint | string; now: Date },
): Promise<MemberAdded> {
  const value = requireCommitment(opts.commitment)
  const commitment = BigInt(value)
  const nowIso = opts.now.toISOString()
  const head = await lockHead(tx, nowIso)
  const [existing] = await tx<{ leafIndex: number }[]>`
    select leaf_index as "leafIndex" from jury_member where commitment = ${value}`
  if (existing) return { ...head, leafIndex: existing.leafIndex, added: false }
  if (head.size >= MAX_GROUP_SIZE) {
    throw new CurationError(
      'group_full',
      `The jury group is full (${MAX_GROUP_SIZE} leaves at depth ${JURY_TREE_DEPTH}).`,
    )
  }
  const tree = await syncTree(database.sql, tx, head)
  tree.group.addMember(commitment)
  const leafIndex = head.size
  const next = { version: head.version + 1, size: head.size + 1, root: tree.group.root.toString() }
  tree.version = next.version
  await tx`
    insert into jury_member (leaf_index, commitment, admitted_at)
    values (${leafIndex}, ${value}, ${nowIso}::timestamptz)`
  await writeVersion(tx, next, nowIso)
  return { ...next, leafIndex, added: true }
}

/**
 * Removes a member: its leaf becomes 0 (Semaphore's `removeMember`), producing the next root version with the same
 * size. Rounds that froze an earlier version keep it (the member can still vote in them); every version from this
 * one on excludes the member. Idempotent per commitment (see `MemberRemoval.outcome`).
 */
export async function removeMember(
  database: Database,
  opts: { commitment: bigint | string; now: Date },
): Promise<MemberRemoval> {
  const commitment = requireCommitment(opts.commitment)
  return inGroupTransaction(database, async (tx) => {
    const [removal] = await removeMembersInTransaction(database, tx, {
      commitments: [commitment],
      now: opts.now,
    })
    return removal!
  })
}

/**
 * Removes these members inside the caller's transaction (admission revokes people and removes their commitments in
 * one), one root version each, in the order given; one result per commitment. Takes the head row's lock (only when
 * there is something to do). Commitments that are not canonical non-zero decimals are refused (`bad_commitment`).
 */
export async function removeMembersInTransaction(
  database: Pick<Database, 'sql'>,
  tx: Tx,
  opts: { commitments: readonly string[]; now: Date },
): Promise<MemberRemoval[]> {
  if (opts.commitments.length === 0) return []
  for (const c of opts.commitments) if (parseCommitment(c)?.toString() !== c) throw badCommitment()
  const nowIso = opts.now.toISOString()
  let head = await lockHead(tx, nowIso)
  const rows = await tx<{ commitment: string; leafIndex: number; removedVersion: number | null }[]>`
    select commitment, leaf_index as "leafIndex", removed_version as "removedVersion"
    from jury_member where commitment = any(${tx.array([...opts.commitments])}::text[])`
  const members = new Map(rows.map((r) => [r.commitment, r]))
  let tree: CachedTree | undefined
  const out: MemberRemoval[] = []
  for (const commitment of opts.commitments) {
    const member = members.get(commitment)
    if (!member) {
      out.push({ ...head, outcome: 'not_member', leafIndex: null, removedVersion: null })
      continue
    }
    if (member.removedVersion !== null) {
      out.push({
        ...head,
        outcome: 'already_removed',
        leafIndex: member.leafIndex,
        removedVersion: member.removedVersion,
      })
      continue
    }
    tree ??= await syncTree(database.sql, tx, head)
    tree.group.removeMember(member.leafIndex)
    const next = { version: head.version + 1, size: head.size, root: tree.group.root.toString() }
    tree.version = next.version
    await tx`
      update jury_member set removed_version = ${next.version}, removed_at = ${nowIso}::timestamptz
      where leaf_index = ${member.leafIndex} and removed_version is null`
    await writeVersion(tx, next, nowIso)
    // The same commitment twice in one call: the second finds it removed.
    member.removedVersion = next.version
    head = next
    out.push({ ...next, outcome: 'removed', leafIndex: member.leafIndex, removedVersion: next.version })
  }
  return out
}

/** Drops this process's cached tree (after a transaction that changed it failed). */
export function forgetCachedTree(database: Pick<Database, 'sql'>): void {
  trees.delete(database.sql)
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

/**
 * How many members (leaves not removed) each of these root versions has; versions the group never had are absent
 * (version 0, the empty group, has 0).
 */
export async function countMembers(
  database: Pick<Database, 'sql'>,
  rootVersions: readonly number[],
): Promise<Map<number, number>> {
  const versions = [...new Set(rootVersions)].filter((v) => Number.isSafeInteger(v) && v > 0)
  const out = new Map<number, number>(rootVersions.includes(0) ? [[0, 0]] : [])
  if (versions.length === 0) return out
  const rows = await database.sql<{ version: number; members: number }[]>`
    select r.version, r.size - (
      select count(*)::int from jury_member m where m.removed_version <= r.version) as members
    from jury_group_root r where r.version = any(${database.sql.array(versions)}::int[])`
  for (const r of rows) out.set(r.version, r.members)
  return out
}

/** Members (leaves not removed) in one root version; 0 for version 0 or one that never existed. */
export async function countMembersAt(database: Pick<Database, 'sql'>, rootVersion: number): Promise<number> {
  return (await countMembers(database, [rootVersion])).get(rootVersion) ?? 0
}

export interface GroupExport {
  depth: number
  version: number
  root: string | null
  /**
   * The version's leaves in order, decimal: members' commitments, and 0 for a member removed at or before this
   * version. `new Group(commitments)` rebuilds the root.
   */
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

/** Reads a root version's leaves (0 for removed members) and root; refuses a version the group never had. */
export async function loadGroupExport(sql: Tx | Database['sql'], rootVersion: number): Promise<GroupExport> {
  if (rootVersion === 0) return { depth: JURY_TREE_DEPTH, version: 0, root: null, commitments: [] }
  const [row] = await sql<{ root: string; size: number }[]>`
    select root, size from jury_group_root where version = ${rootVersion}`
  if (!row) throw new CurationError('bad_request', `The group never had root version ${rootVersion}.`)
  const leaves = await readLeaves(sql, { size: row.size, version: rootVersion })
  return { depth: JURY_TREE_DEPTH, version: rootVersion, root: row.root, commitments: leaves }
}

/** Leaves 0..size-1 of root version `version`, with the members removed by then as 0. */
async function readLeaves(
  sql: Tx | Database['sql'],
  at: { size: number; version: number },
): Promise<string[]> {
  const rows = await sql<{ leaf: string }[]>`
    select case when removed_version <= ${at.version} then ${REMOVED_LEAF} else commitment end as leaf
    from jury_member where leaf_index < ${at.size} order by leaf_index`
  return rows.map((r) => r.leaf)
}

async function lockHead(tx: Tx, nowIso: string): Promise<GroupHead> {
  await tx`
    insert into jury_group (id, version, size, root, updated_at) values (1, 0, 0, null, ${nowIso}::timestamptz)
    on conflict (id) do nothing`
  const [head] = await tx<GroupHead[]>`select version, size, root from jury_group where id = 1 for update`
  return head!
}

/** Records a new root version and moves the head to it (under the head lock). */
async function writeVersion(tx: Tx, next: GroupHead, nowIso: string): Promise<void> {
  await tx`
    insert into jury_group_root (version, root, size, created_at)
    values (${next.version}, ${next.root}, ${next.size}, ${nowIso}::timestamptz)`
  await tx`
    update jury_group set version = ${next.version}, size = ${next.size}, root = ${next.root},
      updated_at = ${nowIso}::timestamptz
    where id = 1`
}

/**
 * The cached tree brought up to `head` (called under the head lock): the leaves added and removed since the version
 * it holds, replayed as they happened; rebuilt from the table when it is ahead (a change that rolled back) or when
 * its root disagrees with the stored one.
 */
async function syncTree(key: object, tx: Tx, head: GroupHead): Promise<CachedTree> {
  let cached = trees.get(key)
  if (cached && cached.version > head.version) cached = undefined
  if (cached && cached.version < head.version) {
    try {
      await replayChanges(tx, cached, head)
    } catch {
      // A leaf we hold as removed is removed again, say: the cache is not what we thought. Rebuild.
      cached = undefined
    }
  }
  if (cached && !sameRoot(cached.group, head)) cached = undefined
  if (!cached) {
    cached = { group: buildGroup(await readLeaves(tx, head)), version: head.version }
    if (!sameRoot(cached.group, head)) {
      throw new Error(`jury group: the stored members rebuild a root other than the stored root ${head.root}`)
    }
  }
  trees.set(key, cached)
  return cached
}

/** Applies what other processes did between `cached.version` and `head`: new leaves, then removals. */
async function replayChanges(tx: Tx, cached: CachedTree, head: GroupHead): Promise<void> {
  if (cached.group.size < head.size) {
    const rows = await tx<{ commitment: string }[]>`
      select commitment from jury_member
      where leaf_index >= ${cached.group.size} and leaf_index < ${head.size} order by leaf_index`
    cached.group.addMembers(rows.map((r) => BigInt(r.commitment)))
  }
  const removed = await tx<{ leafIndex: number }[]>`
    select leaf_index as "leafIndex" from jury_member
    where removed_version > ${cached.version} and removed_version <= ${head.version} order by removed_version`
  for (const { leafIndex } of removed) cached.group.removeMember(leafIndex)
  cached.version = head.version
}

function sameRoot(group: Group, head: GroupHead): boolean {
  if (group.size !== head.size) return false
  return head.size === 0 ? true : group.root.toString() === head.root
}
