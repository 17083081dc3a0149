import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { parseCurationConfig } from '../src/config'
import { pruneAuthors, pruneIndex, startRetention } from '../src/service/retention'

/** Retention of the index on a real database: what goes, what stays, in batches, and the loop that runs it. */
const HOUR = 3_600_000
const DAY = 24 * HOUR
const RETENTION = 7 * DAY
const now = Date.UTC(2026, 0, 15, 12)
const ago = (ms: number) => new Date(now - ms).toISOString()
const uri = (key: string) => `at://did:plc:author/app.bsky.feed.post/${key}`
let database: Database

beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(async () => {
  await database.close()
})
beforeEach(async () => {
  const { sql } = database
  await sql`delete from engagement`
  await sql`delete from post`
  await sql`delete from market_post_copy`
  await sql`delete from market`
  await sql`delete from author`
  await sql`delete from account where kind = 'curator'`
})

/** A post as the indexer leaves it, with `likes` likes (rows and count); a tombstone has neither, as there. */
async function addPost(
  key: string,
  createdAgoMs: number,
  opts: { likes?: number; deletedAgoMs?: number; author?: string } = {},
) {
  const { sql } = database
  const likes = opts.likes ?? 0
  await sql`
    insert into post (uri, cid, author_did, text, created_at, like_count, deleted_at)
    values (${uri(key)}, 'bafy', ${opts.author ?? 'did:plc:author'}, ${opts.deletedAgoMs === undefined ? key : ''},
            ${ago(createdAgoMs)}::timestamptz, ${likes},
            ${opts.deletedAgoMs === undefined ? null : ago(opts.deletedAgoMs)}::timestamptz)`
  for (let i = 0; i < likes; i++) {
    await sql`
      insert into engagement (uri, kind, subject_uri, author_did, created_at)
      values (${`at://did:plc:fan${i}/app.bsky.feed.like/${key}`}, 'like', ${uri(key)}, ${`did:plc:fan${i}`},
              ${ago(createdAgoMs)}::timestamptz)`
  }
}

async function addMarket(key: string, status: 'open' | 'closed' | 'settled' | 'void') {
  await database.sql`
    insert into market (post_uri, liquidity_micro, subsidy_micro, status, resolved_outcome, opened_at, closes_at)
    values (${uri(key)}, 2000000000, 1386294362, ${status}, ${status === 'settled' ? 'yes' : null},
            ${ago(30 * DAY)}::timestamptz, ${ago(28 * DAY)}::timestamptz)`
}

async function remaining(): Promise<{ posts: string[]; engagement: number }> {
  const posts = await database.sql<{ uri: string }[]>`select uri from post order by uri`
  const [e] = await database.sql<{ n: number }[]>`select count(*)::int as n from engagement`
  return { posts: posts.map((p) => p.uri.split('/').at(-1)!), engagement: e!.n }
}

/** An author row as the indexer's profile, handle or account statement leaves it, last written `updatedAgoMs` ago. */
async function addAuthor(did: string, updatedAgoMs: number, opts: { status?: string } = {}) {
  await database.sql`
    insert into author (did, handle, display_name, status, status_changed_at, updated_at)
    values (${did}, ${`${did.slice(8)}.test`}, ${did}, ${opts.status ?? null},
            ${opts.status ? ago(updatedAgoMs) : null}::timestamptz, ${ago(updatedAgoMs)}::timestamptz)`
}

async function remainingAuthors(): Promise<string[]> {
  const rows = await database.sql<{ did: string }[]>`select did from author order by did`
  return rows.map((r) => r.did.slice('did:plc:'.length))
}

const pruneAuthorRows = (batch = 1_000, maxAuthors?: number) =>
  pruneAuthors(database, {
    nowMs: now,
    retentionMs: RETENTION,
    batch,
    ...(maxAuthors !== undefined ? { maxAuthors } : {}),
  })

const prune = (batch = 1_000, maxPosts?: number) =>
  pruneIndex(database, {
    nowMs: now,
    retentionMs: RETENTION,
    batch,
    ...(maxPosts !== undefined ? { maxPosts } : {}),
  })

describe('pruneIndex', () => {
  it('deletes old posts without a market and their engagement rows; keeps young ones and any with a market', async () => {
    await addPost('old', 8 * DAY, { likes: 3 })
    await addPost('old-quiet', 30 * DAY)
    await addPost('young', 2 * DAY, { likes: 2 })
    await addPost('edge', RETENTION - 1_000, { likes: 1 })
    for (const status of ['open', 'closed', 'settled', 'void'] as const) {
      await addPost(`market-${status}`, 400 * DAY, { likes: 2 })
      await addMarket(`market-${status}`, status)
    }

    expect(await prune()).toEqual({ posts: 2, tombstones: 0, engagement: 3, more: false })
    expect(await remaining()).toEqual({
      posts: ['edge', 'market-closed', 'market-open', 'market-settled', 'market-void', 'young'],
      engagement: 1 + 2 + 4 * 2,
    })
    // The kept posts' counts still agree with their rows.
    const disagree = await database.sql`
      select p.uri from post p
      where p.like_count <> (select count(*) from engagement e where e.subject_uri = p.uri and e.deleted_at is null)`
    expect(disagree).toHaveLength(0)
  })

  it('keeps a tombstone until it too is older than the retention (a replayed create must still meet it)', async () => {
    await addPost('tomb-old', 20 * DAY, { deletedAgoMs: 10 * DAY })
    await addPost('tomb-young', 20 * DAY, { deletedAgoMs: 2 * DAY })
    await addPost('tomb-fresh-post', 1 * DAY, { deletedAgoMs: 1 * HOUR })
    await addPost('tomb-market', 20 * DAY, { deletedAgoMs: 10 * DAY })
    await addMarket('tomb-market', 'void')

    expect(await prune()).toEqual({ posts: 1, tombstones: 1, engagement: 0, more: false })
    expect((await remaining()).posts).toEqual(['tomb-fresh-post', 'tomb-market', 'tomb-young'])

    // Once the young tombstone ages past the retention, it goes.
    const later = await pruneIndex(database, { nowMs: now + 6 * DAY, retentionMs: RETENTION, batch: 10 })
    expect(later).toMatchObject({ posts: 1, tombstones: 1 })
    expect((await remaining()).posts).toEqual(['tomb-fresh-post', 'tomb-market'])
  })

  it('a like arriving for a pruned post afterwards is not stored or counted', async () => {
    await addPost('gone', 9 * DAY, { likes: 1 })
    await prune()
    // The indexer's like statement (indexer/src/write.ts) inserts only rows whose subject is a live post row.
    const added = await database.sql`
      insert into engagement (uri, kind, subject_uri, author_did, created_at)
      select x.uri, x.kind, x.subject_uri, x.author_did, x.created_at
      from (values ('at://did:plc:late/app.bsky.feed.like/1', 'like', ${uri('gone')}, 'did:plc:late',
                    ${ago(0)}::timestamptz)) as x(uri, kind, subject_uri, author_did, created_at)
      join post p on p.uri = x.subject_uri and p.deleted_at is null
      on conflict (uri) do nothing
      returning 1`
    expect(added).toHaveLength(0)
    expect(await remaining()).toEqual({ posts: [], engagement: 0 })
  })

  it('a second run removes nothing more', async () => {
    await addPost('a', 8 * DAY, { likes: 2 })
    await addPost('b', 1 * DAY, { likes: 2 })
    await addPost('c', 9 * DAY)
    await addMarket('c', 'open')
    expect((await prune()).posts).toBe(1)
    const after = await remaining()
    expect(await prune()).toEqual({ posts: 0, tombstones: 0, engagement: 0, more: false })
    expect(await remaining()).toEqual(after)
  })

  it('walks everything due in one run with batches smaller than the backlog, stepping over kept posts', async () => {
    // 12 due posts between kept ones, and a tie group (one created_at) larger than a batch with a kept post in it.
    for (let i = 0; i < 12; i++)
      await addPost(`due-${String(i).padStart(2, '0')}`, 8 * DAY + i * HOUR, { likes: 1 })
    for (let i = 0; i < 4; i++) {
      await addPost(`kept-${i}`, 8 * DAY + i * 3 * HOUR + 1)
      await addMarket(`kept-${i}`, 'closed')
    }
    for (const key of ['tie-a', 'tie-b', 'tie-c', 'tie-d', 'tie-e']) await addPost(key, 10 * DAY)
    await addMarket('tie-c', 'open')
    for (let i = 0; i < 5; i++) await addPost(`tomb-${i}`, 20 * DAY, { deletedAgoMs: 9 * DAY })

    expect(await prune(3)).toEqual({ posts: 12 + 4 + 5, tombstones: 5, engagement: 12, more: false })
    expect((await remaining()).posts).toEqual(['kept-0', 'kept-1', 'kept-2', 'kept-3', 'tie-c'])
  })

  it('stops at the per-run cap and says so; the next run continues', async () => {
    for (let i = 0; i < 10; i++) await addPost(`p${i}`, 8 * DAY + i)
    const first = await prune(2, 4)
    expect(first).toMatchObject({ posts: 4, more: true })
    expect((await remaining()).posts).toHaveLength(6)
    expect(await prune(2, 100)).toMatchObject({ posts: 6, more: false })
  })
})

describe('pruneAuthors', () => {
  it('deletes old author rows with no post; keeps posters (live, tombstone, market), young, inactive and curators', async () => {
    await addAuthor('did:plc:gone', 8 * DAY)
    await addAuthor('did:plc:gone-long-ago', 400 * DAY)
    await addAuthor('did:plc:live', 30 * DAY)
    await addPost('live', 1 * DAY, { author: 'did:plc:live' })
    await addAuthor('did:plc:old-post', 30 * DAY)
    await addPost('old-post', 8 * DAY, { author: 'did:plc:old-post' }) // due, but not pruned yet: still a post
    await addAuthor('did:plc:tomb', 30 * DAY)
    await addPost('tomb', 3 * DAY, { author: 'did:plc:tomb', deletedAgoMs: 2 * DAY })
    await addAuthor('did:plc:market', 400 * DAY)
    await addPost('market', 400 * DAY, { author: 'did:plc:market' })
    await addMarket('market', 'settled')
    await addAuthor('did:plc:young', 2 * DAY)
    await addAuthor('did:plc:edge', RETENTION - 1_000)
    await addAuthor('did:plc:inactive', 30 * DAY, { status: 'takendown' })
    await addAuthor('did:plc:deleted', 400 * DAY, { status: 'deleted' })
    // A curator who never posted: the leaderboards and trade lists name them from this row when the handle they
    // signed in with is unknown (curatorHandles).
    await addAuthor('did:plc:curator', 30 * DAY)
    await database.sql`insert into account (kind, did) values ('curator', 'did:plc:curator')`

    expect(await pruneAuthorRows()).toEqual({ authors: 2, more: false })
    expect(await remainingAuthors()).toEqual([
      'curator',
      'deleted',
      'edge',
      'inactive',
      'live',
      'market',
      'old-post',
      'tomb',
      'young',
    ])
    // The old post's own prune leaves its author without a post: the next author run takes the row.
    expect(await prune()).toMatchObject({ posts: 1 })
    expect(await pruneAuthorRows()).toEqual({ authors: 1, more: false })
    expect(await remainingAuthors()).not.toContain('old-post')
  })

  it('deletes everything due in one run with batches smaller than the backlog; a second run removes nothing', async () => {
    for (let i = 0; i < 25; i++)
      await addAuthor(`did:plc:due-${String(i).padStart(2, '0')}`, 8 * DAY + i * HOUR)
    for (let i = 0; i < 5; i++) {
      await addAuthor(`did:plc:due-${String(i * 5).padStart(2, '0')}-kept`, 30 * DAY)
      await addPost(`kept-${i}`, 1 * DAY, { author: `did:plc:due-${String(i * 5).padStart(2, '0')}-kept` })
    }

    expect(await pruneAuthorRows(4)).toEqual({ authors: 25, more: false })
    const kept = ['due-00-kept', 'due-05-kept', 'due-10-kept', 'due-15-kept', 'due-20-kept']
    expect(await remainingAuthors()).toEqual(kept)
    expect(await pruneAuthorRows(4)).toEqual({ authors: 0, more: false })
    expect(await remainingAuthors()).toEqual(kept)
  })

  it('stops at the per-run cap and says so; the next run continues', async () => {
    for (let i = 0; i < 10; i++) await addAuthor(`did:plc:a${i}`, 8 * DAY)
    expect(await pruneAuthorRows(3, 4)).toEqual({ authors: 4, more: true })
    expect(await remainingAuthors()).toHaveLength(6)
    expect(await pruneAuthorRows(3, 100)).toEqual({ authors: 6, more: false })
  })

  // PGlite has one backend: a second transaction cannot hold a lock while the prune runs.
  it.skipIf(!process.env.DATABASE_URL)(
    'skips a row a writer holds locked instead of waiting for it; the next run takes it',
    async () => {
      await addAuthor('did:plc:locked', 8 * DAY)
      await addAuthor('did:plc:free', 8 * DAY)
      const writer = await database.sql.reserve()
      try {
        // The indexer's profile statement for one author, not yet committed. Waiting for it would hang this test.
        await writer`begin`
        await writer`update author set display_name = 'New', updated_at = now() where did = 'did:plc:locked'`
        expect(await pruneAuthorRows()).toEqual({ authors: 1, more: false })
        expect(await remainingAuthors()).toEqual(['locked'])
      } finally {
        await writer`rollback`
        writer.release()
      }
      // Rolled back, the row is as old as before: the next run deletes it.
      expect(await pruneAuthorRows()).toEqual({ authors: 1, more: false })
      expect(await remainingAuthors()).toEqual([])
    },
  )
})

describe('startRetention', () => {
  it('logs only when something was pruned, and stop waits for the running prune (after its current batch)', async () => {
    const lines: string[] = []
    const loop = startRetention({
      database,
      retentionMs: RETENTION,
      intervalMs: HOUR,
      firstDelayMs: HOUR, // never fires in this test: runs are started by hand
      batch: 1,
      log: (line) => lines.push(line),
      now: () => now,
    })
    await loop.runNow()
    expect(lines).toEqual([])

    await addPost('x', 8 * DAY, { likes: 2 })
    await addPost('y', 8 * DAY + 1, { likes: 1 })
    const vacuums = async () =>
      (
        await database.sql<{ n: number }[]>`
          select coalesce(sum(vacuum_count), 0)::int as n from pg_stat_user_tables
          where relname in ('post', 'engagement')`
      )[0]!.n
    const vacuumsBefore = await vacuums()
    expect(await loop.runNow()).toMatchObject({ posts: 2, engagement: 3 })
    expect(lines).toEqual(['retention: pruned 2 posts, 3 engagement rows older than 7 days'])
    // PGlite has no autovacuum: the run vacuumed both tables so their freed space is reused. Postgres's own
    // autovacuum does that there (its statistics also arrive late, so nothing is asserted on it).
    if (database.embedded) expect(await vacuums()).toBe(vacuumsBefore + 2)

    for (let i = 0; i < 3; i++) await addPost(`z${i}`, 8 * DAY + i)
    let settled = false
    const run = loop.runNow().then((r) => {
      settled = true
      return r
    })
    await loop.stop()
    expect(settled).toBe(true)
    // Stopped after its first batch of one post; the rest wait for the next start.
    expect(await run).toMatchObject({ posts: 1, more: true })
    expect((await remaining()).posts).toHaveLength(2)
  })

  it('prunes authors after the posts, in the first run, then hourly, and on the next tick while a backlog remains', async () => {
    const lines: string[] = []
    let clock = now
    const loop = startRetention({
      database,
      retentionMs: RETENTION,
      intervalMs: 10 * 60_000,
      firstDelayMs: HOUR, // never fires in this test: runs are started by hand
      batch: 2,
      maxAuthors: 3,
      log: (line) => lines.push(line),
      now: () => clock,
    })
    try {
      for (let i = 0; i < 4; i++) await addAuthor(`did:plc:idle-${i}`, 8 * DAY)
      // Its only post goes in the same run, before the authors' pass: so does its row.
      await addAuthor('did:plc:poster', 8 * DAY)
      await addPost('old', 8 * DAY, { author: 'did:plc:poster', likes: 1 })
      const vacuums = async () =>
        (
          await database.sql<{ n: number }[]>`
            select coalesce(sum(vacuum_count), 0)::int as n from pg_stat_user_tables where relname = 'author'`
        )[0]!.n
      const vacuumsBefore = await vacuums()

      expect(await loop.runNow()).toEqual({ posts: 1, tombstones: 0, engagement: 1, authors: 3, more: true })
      expect(lines).toEqual([
        'retention: pruned 1 posts, 1 engagement rows and 3 authors without posts older than 7 days; more next run',
      ])
      // PGlite: the author table is vacuumed too once rows were deleted from it.
      if (database.embedded) expect(await vacuums()).toBe(vacuumsBefore + 1)

      // Ten minutes later the backlog goes on; ten more, the authors wait for the hour; an hour on, they run again.
      clock += 10 * 60_000
      expect(await loop.runNow()).toMatchObject({ posts: 0, authors: 2, more: false })
      expect(lines.at(-1)).toBe('retention: pruned 2 authors without posts older than 7 days')
      expect(await remainingAuthors()).toEqual([])
      await addAuthor('did:plc:later', 8 * DAY)
      clock += 10 * 60_000
      expect(await loop.runNow()).toMatchObject({ authors: 0, more: false })
      expect(lines).toHaveLength(2)
      expect(await remainingAuthors()).toEqual(['later'])
      clock += HOUR
      expect(await loop.runNow()).toMatchObject({ authors: 1 })
      expect(await remainingAuthors()).toEqual([])
    } finally {
      await loop.stop()
    }
  })
})

describe('CURIA_POST_RETENTION_HOURS', () => {
  it('defaults to 7 days; off or 0 disables pruning; anything shorter than the ranking or market window is refused', () => {
    const retention = (env: Record<string, string>) => parseCurationConfig(env).retention.postRetentionMs
    expect(retention({})).toBe(168 * HOUR)
    expect(retention({ CURIA_POST_RETENTION_HOURS: '72' })).toBe(72 * HOUR)
    expect(retention({ CURIA_POST_RETENTION_HOURS: '48' })).toBe(48 * HOUR)
    expect(retention({ CURIA_POST_RETENTION_HOURS: 'off' })).toBeNull()
    expect(retention({ CURIA_POST_RETENTION_HOURS: '0' })).toBeNull()
    expect(() => retention({ CURIA_POST_RETENTION_HOURS: '47' })).toThrow(
      /shorter than the ranking and market/,
    )
    expect(() => retention({ CURIA_POST_RETENTION_HOURS: '100', CURIA_RANK_WINDOW_HOURS: '120' })).toThrow(
      /120 hours/,
    )
    expect(() => retention({ CURIA_POST_RETENTION_HOURS: '60', CURIA_MARKET_WINDOW_HOURS: '72' })).toThrow(
      /72 hours/,
    )
    expect(() => retention({ CURIA_POST_RETENTION_HOURS: 'forever' })).toThrow()
    expect(() => retention({ CURIA_POST_RETENTION_HOURS: '-5' })).toThrow()
  })
})
