/**
 * Removing members from the jury group: a removal zeroes the member's leaf (Semaphore's removeMember), makes one new
 * root version of the same size, and every version's exported leaves (0 for removed members) rebuild its stored
 * root. Two pools on one database stand for two processes, each with its own cached tree.
 */
import { Group, Identity } from '@semaphore-protocol/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { isCurationError } from '../src/errors'
import { buildGroup, groupProblems, groupRoot, parseCommitment, parseLeaf } from '../src/jury/group'
import {
  addMember,
  countMembers,
  getGroupCommitments,
  getGroupHead,
  removeMember,
  removeMembersInTransaction,
} from '../src/service/jury-group'
import { T0, at } from './jury-helpers'

let database: Database
let other: Database

beforeAll(async () => {
  database = await createTestDatabase({ max: 6 })
  other = await openDatabase({ url: database.url, migrate: false, max: 3 })
})
afterAll(async () => {
  await other.close()
  await database.close()
})

const commitment = (name: string) => new Identity(name).commitment

/** Every stored root version: its exported leaves rebuild its root, and its version counts its changes. */
async function expectEveryVersionRebuilds(): Promise<number> {
  const roots = await database.sql<{ version: number; root: string; size: number }[]>`
    select version, root, size from jury_group_root order by version`
  roots.forEach((r, i) => expect(r.version).toBe(i + 1))
  for (const r of roots) {
    const exp = await getGroupCommitments(database, { rootVersion: r.version })
    expect(exp.commitments, `version ${r.version}`).toHaveLength(r.size)
    expect(groupRoot(exp.commitments), `version ${r.version}`).toBe(r.root)
    expect(groupProblems({ rootVersion: r.version, root: r.root, commitments: exp.commitments })).toEqual([])
  }
  return roots.length
}

describe('leaves with zeros (pure)', () => {
  it('new Group(leaves with zeros) rebuilds the tree that add-then-removeMember produced', () => {
    const members = Array.from({ length: 7 }, (_, i) => commitment(`pure-${i}`))
    for (const removed of [[0], [6], [3], [0, 6], [1, 2, 5], [0, 1, 2, 3, 4, 5, 6]]) {
      const history = new Group(members)
      for (const i of removed) history.removeMember(i)
      const leaves = members.map((c, i) => (removed.includes(i) ? '0' : c.toString()))
      expect(buildGroup(leaves).root, String(removed)).toBe(history.root)
      expect(groupRoot(leaves), String(removed)).toBe(history.root.toString())
    }
    // One member, removed: the tree is the single leaf 0.
    const alone = new Group([members[0]!])
    alone.removeMember(0)
    expect(groupRoot(['0'])).toBe(alone.root.toString())
  })

  it('accepts 0 as a leaf of an export but never as a new member', () => {
    expect(parseLeaf('0')).toBe(0n)
    expect(parseLeaf(0n)).toBe(0n)
    expect(parseLeaf(commitment('x').toString())).toBe(commitment('x'))
    expect(parseLeaf('00')).toBeUndefined()
    expect(parseCommitment('0')).toBeUndefined()
    expect(parseCommitment(0n)).toBeUndefined()
  })

  it('checks an exported version: leaves, repeats, one version per change, the root', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((n) => commitment(n).toString()) as [string, string, string]
    const leaves = [a, '0', c]
    const root = groupRoot(leaves)
    // Three additions and one removal: version 4.
    expect(groupProblems({ rootVersion: 4, root, commitments: leaves })).toEqual([])
    expect(groupProblems({ rootVersion: 3, root, commitments: leaves }).join()).toMatch(/root version 3/)
    expect(groupProblems({ rootVersion: 4, root, commitments: [a, b, c] }).join()).toMatch(
      /root version 4|commitments rebuild/,
    )
    expect(groupProblems({ rootVersion: 4, root, commitments: [a, '00', c] }).join()).toMatch(/leaf 1/)
    expect(groupProblems({ rootVersion: 4, root: groupRoot([a, '0', a]), commitments: [a, '0', a] })).toEqual(
      ['group: a commitment repeats'],
    )
    // Several zeros are not repeats.
    const zeros = [a, '0', '0', c]
    expect(groupProblems({ rootVersion: 6, root: groupRoot(zeros), commitments: zeros })).toEqual([])
    expect(groupProblems({ rootVersion: 0, root: null, commitments: [] })).toEqual([])
  })
})

describe('removing members', () => {
  const names = ['m-0', 'm-1', 'm-2', 'm-3']

  it('zeroes the leaf: a new version of the same size, matching Semaphore, the old version unchanged', async () => {
    for (const name of names) await addMember(database, { commitment: commitment(name), now: T0 })
    const expected = new Group(names.map(commitment))
    expected.removeMember(1)
    const removal = await removeMember(database, { commitment: commitment('m-1'), now: at(1000) })
    expect(removal).toEqual({
      outcome: 'removed',
      leafIndex: 1,
      removedVersion: 5,
      version: 5,
      size: 4,
      root: expected.root.toString(),
    })
    expect(await getGroupHead(database)).toEqual({ version: 5, size: 4, root: expected.root.toString() })
    const [row] = await database.sql<{ removedVersion: number; removedAt: string }[]>`
      select removed_version as "removedVersion", removed_at::text as "removedAt"
      from jury_member where leaf_index = 1`
    expect(row!.removedVersion).toBe(5)
    expect(new Date(row!.removedAt).getTime()).toBe(at(1000).getTime())

    const v5 = await getGroupCommitments(database, { rootVersion: 5 })
    expect(v5.commitments).toEqual([
      commitment('m-0').toString(),
      '0',
      ...['m-2', 'm-3'].map((n) => commitment(n).toString()),
    ])
    expect(new Group(v5.commitments.map(BigInt)).root.toString()).toBe(v5.root)
    // Version 4 still lists the member: a round that froze it keeps it.
    const v4 = await getGroupCommitments(database, { rootVersion: 4 })
    expect(v4.commitments).toEqual(names.map((n) => commitment(n).toString()))
    expect(await countMembers(database, [0, 4, 5, 99])).toEqual(
      new Map([
        [0, 0],
        [4, 4],
        [5, 3],
      ]),
    )
    expect(await expectEveryVersionRebuilds()).toBe(5)
  })

  it('is idempotent: removing again changes nothing; a non-member and 0 are told apart', async () => {
    const head = await getGroupHead(database)
    const again = await removeMember(other, { commitment: commitment('m-1').toString(), now: at(2000) })
    expect(again).toEqual({ ...head, outcome: 'already_removed', leafIndex: 1, removedVersion: 5 })
    const never = await removeMember(database, { commitment: commitment('nobody'), now: at(2000) })
    expect(never).toEqual({ ...head, outcome: 'not_member', leafIndex: null, removedVersion: null })
    for (const bad of [0n, '0', '-1', 'abc']) {
      const err = await removeMember(database, { commitment: bad, now: at(2000) }).catch((e: unknown) => e)
      expect(isCurationError(err, 'bad_commitment'), String(bad)).toBe(true)
    }
    expect(await getGroupHead(database)).toEqual(head)
    expect(await expectEveryVersionRebuilds()).toBe(5)
  })

  it('adds after a removal at version head + 1 and leaf index head.size; a removed commitment cannot rejoin', async () => {
    const added = await addMember(database, { commitment: commitment('m-4'), now: at(3000) })
    const expected = new Group([...names, 'm-4'].map(commitment))
    expected.removeMember(1)
    expect(added).toEqual({ added: true, leafIndex: 4, version: 6, size: 5, root: expected.root.toString() })
    const rejoin = await addMember(database, { commitment: commitment('m-1'), now: at(3000) })
    expect(rejoin).toMatchObject({ added: false, leafIndex: 1, version: 6, size: 5 })
    expect(await expectEveryVersionRebuilds()).toBe(6)
  })

  it('keeps two processes in step: removals another pool made are replayed into the cached tree', async () => {
    // `database` last changed the group at version 6; `other` now removes and adds without it seeing.
    await removeMember(other, { commitment: commitment('m-3'), now: at(4000) })
    await addMember(other, { commitment: commitment('m-5'), now: at(4000) })
    await removeMember(other, { commitment: commitment('m-0'), now: at(4000) })
    // Same size as `other` left it, another root: `database`'s cache must apply the zeros, not trust its root.
    const removal = await removeMember(database, { commitment: commitment('m-4'), now: at(5000) })
    const expected = new Group(['m-0', 'm-1', 'm-2', 'm-3', 'm-4', 'm-5'].map(commitment))
    for (const i of [1, 3, 0, 4]) expected.removeMember(i)
    expect(removal).toMatchObject({
      outcome: 'removed',
      version: 10,
      size: 6,
      root: expected.root.toString(),
    })
    // And the other way: `other`'s cache replays `database`'s removal before its own addition.
    const added = await addMember(other, { commitment: commitment('m-6'), now: at(5000) })
    expected.addMember(commitment('m-6'))
    expect(added).toMatchObject({ leafIndex: 6, version: 11, size: 7, root: expected.root.toString() })
    expect(await expectEveryVersionRebuilds()).toBe(11)
  })

  it('drops a cached removal whose transaction rolled back', async () => {
    const head = await getGroupHead(database)
    const err = await database.sql
      .begin(async (tx) => {
        await removeMembersInTransaction(database, tx, {
          commitments: [commitment('m-2').toString()],
          now: at(6000),
        })
        throw new Error('rolled back on purpose')
      })
      .catch((e: unknown) => e)
    expect((err as Error).message).toBe('rolled back on purpose')
    expect(await getGroupHead(database)).toEqual(head)
    // The cache holds m-2 as removed at a version that never committed; the next change must not build on it.
    const added = await addMember(database, { commitment: commitment('m-7'), now: at(7000) })
    const leaves = (await getGroupCommitments(database, { rootVersion: head.version })).commitments
    expect(leaves).toContain(commitment('m-2').toString())
    expect(added).toMatchObject({
      version: head.version + 1,
      root: groupRoot([...leaves, commitment('m-7')]),
    })
    expect(await expectEveryVersionRebuilds()).toBe(head.version + 1)
  })

  it('removes several in one transaction, one version each, in the order given', async () => {
    const head = await getGroupHead(database)
    const out = await database.sql.begin((tx) =>
      removeMembersInTransaction(database, tx, {
        commitments: ['m-2', 'm-5', 'm-2', 'nobody'].map((n) => commitment(n).toString()),
        now: at(8000),
      }),
    )
    expect(out.map((r) => [r.outcome, r.version])).toEqual([
      ['removed', head.version + 1],
      ['removed', head.version + 2],
      ['already_removed', head.version + 2],
      ['not_member', head.version + 2],
    ])
    expect(out[2]!.removedVersion).toBe(head.version + 1)
    expect(await expectEveryVersionRebuilds()).toBe(head.version + 2)
  })

  it('serialises concurrent additions and removals across two pools: versions strictly increase', async () => {
    const adders = Array.from({ length: 8 }, (_, i) => `race-add-${i}`)
    const victims = Array.from({ length: 6 }, (_, i) => `race-victim-${i}`)
    for (const name of victims) await addMember(database, { commitment: commitment(name), now: at(9000) })
    const before = await getGroupHead(database)
    const ops = [
      ...adders.map(
        (name, i) => () =>
          addMember(i % 2 ? database : other, { commitment: commitment(name), now: at(9500) }),
      ),
      ...victims.map(
        (name, i) => () =>
          removeMember(i % 2 ? other : database, { commitment: commitment(name), now: at(9500) }),
      ),
      // The same removal twice, from both pools at once: one removes, the other finds it removed.
      () => removeMember(database, { commitment: commitment('race-victim-0'), now: at(9500) }),
    ]
    const results = await Promise.all(ops.map((op) => op()))
    const versions = results
      .filter((r) => ('added' in r ? r.added : r.outcome === 'removed'))
      .map((r) => r.version)
      .sort((x, y) => x - y)
    expect(versions).toEqual(Array.from({ length: 14 }, (_, i) => before.version + 1 + i))
    const head = await getGroupHead(database)
    expect(head).toMatchObject({ version: before.version + 14, size: before.size + 8 })
    const current = await getGroupCommitments(database, { rootVersion: head.version })
    for (const name of victims) expect(current.commitments).not.toContain(commitment(name).toString())
    for (const name of adders) expect(current.commitments).toContain(commitment(name).toString())
    expect(await expectEveryVersionRebuilds()).toBe(head.version)
    // Version = leaves + removed leaves, at every version.
    const zeros = current.commitments.filter((c) => c === '0').length
    expect(head.version).toBe(head.size + zeros)
  })
})
