import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq, inArray, post, type Database } from '@curia/db'
import { createTestDatabase, waitFor } from '@curia/db/testing'
import { createSnapshotStore } from '../src/feed/snapshot-store'
import { openCandidateMarkets, pruneSnapshots, rankFeed as rankSnapshot } from '../src/service/rank-feed'
import { DEFAULT_MARKET_PARAMS } from '../src/market/params'
import { isCurationError } from '../src/errors'
import { fundLedger, RANKING_PARAMS } from './helpers'

const HOUR = 3_600_000
const params = RANKING_PARAMS

/** Opens markets for every new post (the candidate policy's job in production), then ranks. */
async function rankFeed(
  database: Database,
  opts: { feed: string; nowMs: number; params: typeof params; depth: number },
) {
  await openCandidateMarkets(database, {
    nowMs: opts.nowMs,
    windowMs: opts.params.windowMs,
    minEngagement: 0,
    limit: 10_000,
    params: DEFAULT_MARKET_PARAMS,
  })
  return rankSnapshot(database, { ...opts, seed: 1 })
}
const feed = 'curia'
let database: Database
let clock = Date.now()
let n = 0

async function addPosts(count: number, likes = 0): Promise<string[]> {
  const rows = Array.from({ length: count }, () => {
    n += 1
    return {
      uri: `at://did:plc:author${n % 7}/app.bsky.feed.post/${n}`,
      cid: `bafy${n}`,
      authorDid: `did:plc:author${n % 7}`,
      text: `post ${n}`,
      createdAt: new Date(clock - 3_600_000 + n * 1000),
      likeCount: likes,
    }
  })
  await database.db.insert(post).values(rows)
  return rows.map((r) => r.uri)
}

async function readAll(
  store: ReturnType<typeof createSnapshotStore>,
  limit: number,
  between?: () => Promise<void>,
) {
  const seen: string[] = []
  let cursor: string | undefined
  do {
    const page = await store.getPage({ cursor, limit })
    seen.push(...page.items.map((i) => i.uri))
    cursor = page.cursor
    await between?.()
  } while (cursor)
  return seen
}

beforeAll(async () => {
  database = await createTestDatabase()
  await fundLedger(database, { now: new Date() })
})
afterAll(async () => {
  await database.close()
})

describe('ranked snapshots', () => {
  it('serves an empty feed before anything is ranked', async () => {
    const store = createSnapshotStore(database, { feed })
    expect(await store.getPage({ limit: 10 })).toEqual({ items: [] })
  })

  it('pages through a snapshot with no duplicates and no gaps while new posts keep arriving', async () => {
    await addPosts(95)
    await rankFeed(database, { feed, nowMs: clock, params, depth: 1000 })
    const store = createSnapshotStore(database, { feed, refreshMs: 0, now: () => clock })
    const first = await store.getPage({ limit: 10 })
    const expected = (await database.sql<{ uri: string }[]>`select uri from post where deleted_at is null`)
      .length

    const seen = [...first.items.map((i) => i.uri)]
    let cursor = first.cursor
    while (cursor) {
      // Between every page: new, more engaging posts arrive and a new snapshot is published.
      await addPosts(3, 50)
      clock += 1000
      await rankFeed(database, { feed, nowMs: clock, params, depth: 1000 })
      await store.refresh()
      const page = await store.getPage({ cursor, limit: 10 })
      seen.push(...page.items.map((i) => i.uri))
      cursor = page.cursor
    }
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.length).toBe(expected)
    // A reader starting again from the top sees the newer posts first (untraded markets rank at the prior).
    const top = await store.getPage({ limit: 5 })
    const [topRow] = await database.db.select().from(post).where(eq(post.uri, top.items[0]!.uri))
    expect(topRow?.likeCount).toBe(50)
    expect(top.items[0]!.postId).toBe(Math.max(...top.items.map((i) => i.postId)))
  })

  it('drops a deleted post from pages of a snapshot already being read, without shifting offsets', async () => {
    const store = createSnapshotStore(database, { feed, refreshMs: 0, now: () => clock })
    const first = await store.getPage({ limit: 5 })
    const full = await readAll(store, 100)
    const victim = full[7]!
    await database.db.update(post).set({ deletedAt: new Date(), text: '' }).where(eq(post.uri, victim))
    clock += 2000
    await store.refresh()
    const rest: string[] = []
    let cursor = first.cursor
    while (cursor) {
      const page = await store.getPage({ cursor, limit: 5 })
      rest.push(...page.items.map((i) => i.uri))
      cursor = page.cursor
    }
    expect(rest).not.toContain(victim)
    expect(rest).toEqual(full.slice(5).filter((u) => u !== victim))
  })

  it.skipIf(!process.env.DATABASE_URL)(
    'refresh() sees a write made while an earlier refresh was under way (PostgreSQL: a lock holds that one mid-pass)',
    async () => {
      const store = createSnapshotStore(database, { feed, refreshMs: 60_000, now: () => clock })
      const full = await readAll(store, 100)
      const victim = full[3]!
      // The next pass reads the deletions (none yet), then waits on the author table.
      const holder = await database.sql.reserve()
      await holder`begin`
      await holder`lock table author in access exclusive mode`
      const earlier = store.refresh()
      await waitFor('the earlier refresh to wait on the author table', async () => {
        const [row] = await database.sql<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like '%from author%'`
        return row!.n > 0
      })
      await database.db.update(post).set({ deletedAt: new Date(), text: '' }).where(eq(post.uri, victim))
      // The caller's own write: this refresh must start after it, not join the pass that already read deletions.
      const later = store.refresh()
      await holder`commit`
      holder.release()
      await Promise.all([earlier, later])
      expect(await readAll(store, 100)).toEqual(full.filter((u) => u !== victim))
    },
  )

  it('drops the posts of an account taken down from a snapshot being read, and leaves them out of the next ranking', async () => {
    const store = createSnapshotStore(database, { feed, refreshMs: 0, now: () => clock })
    await rankFeed(database, { feed, nowMs: clock, params, depth: 1000 })
    await store.refresh()
    const first = await store.getPage({ limit: 5 })
    const full = await readAll(store, 100)
    const victim = full[6]!
    const victimDid = victim.split('/')[2]!
    const theirs = full.filter((u) => u.split('/')[2] === victimDid)
    expect(theirs.length).toBeGreaterThan(1)
    // As the indexer writes an inactive account event (indexer/src/write.ts).
    await database.sql`
      insert into author (did, status, status_changed_at, updated_at) values (${victimDid}, 'takendown', now(), now())
      on conflict (did) do update set status = 'takendown', status_changed_at = now()`
    clock += 2000
    await store.refresh()
    const rest: string[] = []
    let cursor = first.cursor
    while (cursor) {
      const page = await store.getPage({ cursor, limit: 5 })
      rest.push(...page.items.map((i) => i.uri))
      cursor = page.cursor
    }
    expect(rest).toEqual(full.slice(5).filter((u) => !theirs.includes(u)))

    await rankFeed(database, { feed, nowMs: clock, params, depth: 1000 })
    await store.refresh()
    const reranked = await readAll(store, 100)
    expect(reranked.filter((u) => theirs.includes(u))).toEqual([])
    expect(reranked.length).toBe(full.length - theirs.length)

    // Reactivated: the posts come back with the next ranking.
    await database.sql`update author set status = null, status_changed_at = now() where did = ${victimDid}`
    await rankFeed(database, { feed, nowMs: clock + 1000, params, depth: 1000 })
    await store.refresh()
    expect((await readAll(store, 100)).filter((u) => theirs.includes(u)).sort()).toEqual([...theirs].sort())
  })

  it('does not publish a new snapshot when the order is unchanged', async () => {
    const a = await rankFeed(database, { feed, nowMs: clock, params, depth: 1000 })
    const b = await rankFeed(database, { feed, nowMs: clock + 1, params, depth: 1000 })
    expect(b.published).toBe(false)
    expect(b.snapshotId).toBe(a.snapshotId)
  })

  it('refuses crafted and expired cursors with bad_cursor', async () => {
    const store = createSnapshotStore(database, { feed, refreshMs: 0, now: () => clock })
    for (const cursor of ['garbage', '999999:0', `${store.latestSnapshotId() ?? 1}:9999999`]) {
      await store.refresh()
      const err = await store.getPage({ cursor, limit: 10 }).catch((e: unknown) => e)
      expect(isCurationError(err, 'bad_cursor')).toBe(true)
    }
  })

  it('prunes old snapshots but always keeps the latest', async () => {
    const pruned = await pruneSnapshots(database, { feed, nowMs: Date.now() + 10 * HOUR, retentionMs: HOUR })
    expect(pruned).toBeGreaterThan(0)
    const left = await database.sql`select id from feed_snapshot where feed = ${feed}`
    expect(left.length).toBe(1)
    // and ranking restricts itself to the window
    const old = await database.db
      .select({ id: post.id })
      .from(post)
      .where(inArray(post.uri, await addPosts(1)))
    await database.db
      .update(post)
      .set({ createdAt: new Date(clock - 72 * HOUR) })
      .where(eq(post.id, old[0]!.id))
    await rankFeed(database, { feed, nowMs: clock + 5000, params, depth: 1000 })
    const store = createSnapshotStore(database, { feed })
    expect((await readAll(store, 100)).length).toBeGreaterThan(0)
    expect(await readAll(store, 100)).not.toContain(`at://did:plc:author${n % 7}/app.bsky.feed.post/${n}`)
  })

  it('asks the database about a missing or a future snapshot at most once, however often cursors name it', async () => {
    let queries = 0
    const sql = new Proxy(database.sql, {
      apply(target, self, args) {
        queries += 1
        return Reflect.apply(target, self, args) as unknown
      },
    })
    const store = createSnapshotStore({ ...database, sql }, { feed, refreshMs: 60_000, now: () => clock })
    await store.refresh()
    const latest = store.latestSnapshotId()!
    const pruned = latest - 1 // the test above pruned every snapshot but the latest
    const before = queries
    for (let i = 0; i < 5; i++) {
      for (const cursor of [`${pruned}:0`, `${latest + 1000}:0`]) {
        const err = await store.getPage({ cursor, limit: 10 }).catch((e: unknown) => e)
        expect(isCurationError(err, 'bad_cursor')).toBe(true)
      }
    }
    expect(queries - before).toBe(1) // the first lookup of the pruned one
    // The latest is still served from memory, and a real cursor into it still works.
    const page = await store.getPage({ limit: 1 })
    expect(page.cursor).toBeDefined()
    expect((await store.getPage({ cursor: page.cursor!, limit: 1 })).items).toHaveLength(1)
  })
})
