import { Group, Identity } from '@semaphore-protocol/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { isCurationError } from '../src/errors'
import { SNARK_SCALAR_FIELD } from '../src/jury/group'
import { addMember, findRootVersion, getGroupCommitments, getGroupHead } from '../src/service/jury-group'
import { T0 } from './jury-helpers'

let database: Database
let other: Database

beforeAll(async () => {
  database = await createTestDatabase({ max: 6 })
  // A second pool on the same database: another process with its own cached tree.
  other = await openDatabase({ url: database.url, migrate: false, max: 2 })
})
afterAll(async () => {
  await other.close()
  await database.close()
})

const commitment = (name: string) => new Identity(name).commitment

async function counts() {
  const [row] = await database.sql<{ members: number; roots: number }[]>`
    select (select count(*)::int from jury_member) as members, (select count(*)::int from jury_group_root) as roots`
  return row!
}

describe('the jury group', () => {
  it('starts empty, with no root', async () => {
    expect(await getGroupHead(database)).toEqual({ version: 0, size: 0, root: null })
    expect(await getGroupCommitments(database, { rootVersion: 0 })).toEqual({
      depth: 20,
      version: 0,
      root: null,
      commitments: [],
    })
  })

  it('adds members as consecutive leaves, one root version each, matching Semaphore', async () => {
    const names = ['juror-1', 'juror-2', 'juror-3']
    for (const [i, name] of names.entries()) {
      const added = await addMember(database, { commitment: commitment(name), now: T0 })
      const expected = new Group(names.slice(0, i + 1).map(commitment))
      expect(added).toEqual({
        added: true,
        leafIndex: i,
        version: i + 1,
        size: i + 1,
        root: expected.root.toString(),
      })
    }
    expect(await counts()).toEqual({ members: 3, roots: 3 })
  })

  it('is idempotent per commitment (a retried admission is safe) and accepts decimal strings', async () => {
    const before = await counts()
    const again = await addMember(database, { commitment: commitment('juror-2').toString(), now: T0 })
    expect(again).toMatchObject({ added: false, leafIndex: 1, version: 3, size: 3 })
    expect(await counts()).toEqual(before)
  })

  it('refuses what is not a commitment, recording nothing', async () => {
    const before = await counts()
    for (const bad of [0n, -1n, SNARK_SCALAR_FIELD, '012', '1e5', 'abc', '']) {
      const err = await addMember(database, { commitment: bad, now: T0 }).catch((e: unknown) => e)
      expect(isCurationError(err, 'bad_commitment'), String(bad)).toBe(true)
    }
    expect(await counts()).toEqual(before)
  })

  it('exports any version: its commitments rebuild that version root', async () => {
    const v2 = await getGroupCommitments(database, { rootVersion: 2 })
    expect(v2.commitments).toEqual([commitment('juror-1'), commitment('juror-2')].map(String))
    expect(new Group(v2.commitments.map(BigInt)).root.toString()).toBe(v2.root)
    expect(await findRootVersion(database, v2.root!)).toMatchObject({ version: 2, size: 2 })
    const err = await getGroupCommitments(database, { rootVersion: 99 }).catch((e: unknown) => e)
    expect(isCurationError(err, 'bad_request')).toBe(true)
  })

  it('keeps two processes consistent: each syncs its cached tree from the table under the lock', async () => {
    // The other pool adds two (its cache loads 3 and extends), then this one adds (its cache extends from 3 to 5).
    await addMember(other, { commitment: commitment('juror-4'), now: T0 })
    await addMember(other, { commitment: commitment('juror-5'), now: T0 })
    const added = await addMember(database, { commitment: commitment('juror-6'), now: T0 })
    const all = ['juror-1', 'juror-2', 'juror-3', 'juror-4', 'juror-5', 'juror-6'].map(commitment)
    expect(added).toMatchObject({ leafIndex: 5, version: 6, root: new Group(all).root.toString() })
  })

  it('serialises concurrent additions: every root version is the tree of its first n leaves', async () => {
    const names = Array.from({ length: 16 }, (_, i) => `racer-${i}`)
    const results = await Promise.all(
      names.map((name, i) => addMember(i % 2 ? database : other, { commitment: commitment(name), now: T0 })),
    )
    expect(new Set(results.map((r) => r.leafIndex)).size).toBe(16)
    const { commitments } = await getGroupCommitments(database, { rootVersion: 22 })
    const roots = await database.sql<{ version: number; root: string }[]>`
      select version, root from jury_group_root order by version`
    expect(roots).toHaveLength(22)
    for (const { version, root } of roots) {
      expect(new Group(commitments.slice(0, version).map(BigInt)).root.toString()).toBe(root)
    }
  })
})
