import type { Database } from '@curia/db'
import { CurationError } from '../errors'
import { decodeCursor, encodeCursor, encodeFeedContext } from './cursor'

export interface SkeletonItem {
  postId: number
  uri: string
  feedContext: string
}

export interface SkeletonPage {
  items: SkeletonItem[]
  cursor?: string
}

interface LoadedSnapshot {
  id: number
  postIds: number[]
  exploration: Set<number>
  /** Parallel to postIds; `undefined` where the post was deleted (or is gone) since the snapshot was taken. */
  uris: (string | undefined)[]
}

export interface SnapshotStoreOptions {
  feed: string
  /** How often to look for a newer snapshot and for deletions (default 5 s). */
  refreshMs?: number
  /** How many snapshots to keep in memory for readers still paging through them (default 32). */
  cacheSize?: number
  now?: () => number
  /** Told which posts each page served, and to whom: impressions, which drive the jury's sampling. */
  onServe?: (postIds: number[], viewer: string | undefined) => void
}

export interface PageRequest {
  cursor?: string | undefined
  limit: number
  /** Who is reading, for counting impressions (`onServe`); undefined for someone the caller cannot tell apart. */
  viewer?: string | undefined
}

export interface SnapshotStore {
  getPage(req: PageRequest): Promise<SkeletonPage>
  /**
   * Loads the newest snapshot and recent deletions, in a pass that starts after this call, so it sees what the
   * caller wrote before (the store also refreshes on its own, lazily).
   */
  refresh(): Promise<void>
  latestSnapshotId(): number | undefined
}

/**
 * The read side of the ranked feed, held in memory: a page is a slice of a cached array, so serving needs no
 * database round trip. It polls for the newest snapshot (stale-while-revalidate: a request never waits for it once
 * one is loaded) and for deletions, which it blanks out of every cached snapshot so a deleted post disappears from
 * pages already being scrolled without shifting anyone's offsets.
 */
export function createSnapshotStore(database: Database, opts: SnapshotStoreOptions): SnapshotStore {
  const { sql } = database
  const refreshMs = opts.refreshMs ?? 5_000
  const cacheSize = opts.cacheSize ?? 32
  const now = opts.now ?? Date.now
  const cache = new Map<number, LoadedSnapshot>()
  const loading = new Map<number, Promise<LoadedSnapshot | undefined>>()
  // Snapshot ids looked up and not found (pruned, or never published): a cursor naming one is refused without
  // another query, so crafted cursors cannot make every request cost the database a lookup. Ids are never reused.
  const missing = new Set<number>()
  const MAX_MISSING = 10_000
  let latest: LoadedSnapshot | undefined
  let lastRefreshMs = -Infinity
  let deletionsSeenSince: string | undefined
  let refreshing: Promise<void> | undefined
  let followUp: Promise<void> | undefined

  function remember(snapshot: LoadedSnapshot): void {
    cache.delete(snapshot.id)
    cache.set(snapshot.id, snapshot)
    // Evict the least recently used, never the latest.
    for (const key of cache.keys()) {
      if (cache.size <= cacheSize) break
      if (key !== latest?.id) cache.delete(key)
    }
  }

  async function load(id: number): Promise<LoadedSnapshot | undefined> {
    const [row] = await sql<{ id: number; postIds: number[]; explorationRanks: number[] }[]>`
      select id::float8 as id, post_ids::float8[] as "postIds", exploration_ranks as "explorationRanks"
      from feed_snapshot where id = ${id} and feed = ${opts.feed}`
    if (!row) return undefined
    const live = await sql<{ id: number; uri: string }[]>`
      select p.id::float8 as id, p.uri from post p
      where p.id = any(${sql.array(row.postIds)}::bigint[]) and p.deleted_at is null
        and not exists (select 1 from author a where a.did = p.author_did and a.status is not null)`
    const uriById = new Map(live.map((p) => [p.id, p.uri]))
    return {
      id: row.id,
      postIds: row.postIds,
      exploration: new Set(row.explorationRanks),
      uris: row.postIds.map((postId) => uriById.get(postId)),
    }
  }

  function loadOnce(id: number): Promise<LoadedSnapshot | undefined> {
    let pending = loading.get(id)
    if (!pending) {
      pending = load(id)
        .then((snapshot) => {
          if (snapshot === undefined && latest !== undefined && id < latest.id) {
            if (missing.size >= MAX_MISSING) missing.delete(missing.values().next().value as number)
            missing.add(id)
          }
          return snapshot
        })
        .finally(() => loading.delete(id))
      loading.set(id, pending)
    }
    return pending
  }

  /** A cursor's snapshot: cached, or loaded unless it is known not to exist (newer than the latest, or missing). */
  async function cursorSnapshot(id: number): Promise<LoadedSnapshot | undefined> {
    const cached = cache.get(id)
    if (cached) return cached
    if (missing.has(id)) return undefined
    // Newer than the latest this store has seen: a snapshot published since (by another process, just now) is
    // possible, so the store refreshes, at most once a second for such cursors, and looks only if it got that far.
    if (latest !== undefined && id > latest.id) {
      if (now() - lastRefreshMs >= 1_000) await refreshSoon()
      if (latest === undefined || id > latest.id) return undefined
    }
    return loadOnce(id)
  }

  async function doRefresh(): Promise<void> {
    // The deletion watermark is the database's clock, not ours, minus an overlap: a batch that stamped its
    // deleted_at at transaction start may commit after a later one, and re-blanking an id is harmless.
    const [head] = await sql<{ id: number | null; since: string }[]>`
      select (select id::float8 from feed_snapshot where feed = ${opts.feed} order by id desc limit 1) as id,
             (now() - interval '60 seconds')::text as since`
    if (head?.id != null && head.id !== latest?.id) {
      const snapshot = cache.get(head.id) ?? (await loadOnce(head.id))
      if (snapshot) {
        latest = snapshot
        remember(snapshot)
      }
    }
    if (deletionsSeenSince !== undefined && cache.size > 0) {
      const deleted = await sql<{ id: number }[]>`
        select id::float8 as id from post where deleted_at >= ${deletionsSeenSince}::timestamptz`
      // Posts of accounts that went inactive (taken down, suspended, deleted...). post.author_did has no index
      // (it would slow ingest), so the lookup runs over the cached posts only, and only when some account changed.
      const [changed] = await sql<{ any: boolean }[]>`
        select exists (select 1 from author
          where status is not null and status_changed_at >= ${deletionsSeenSince}::timestamptz) as any`
      if (changed?.any) {
        const cachedIds = [...new Set([...cache.values()].flatMap((snapshot) => snapshot.postIds))]
        deleted.push(
          ...(await sql<{ id: number }[]>`
            select p.id::float8 as id from post p join author a on a.did = p.author_did
            where p.id = any(${sql.array(cachedIds)}::bigint[]) and a.status is not null
              and a.status_changed_at >= ${deletionsSeenSince}::timestamptz`),
        )
      }
      if (deleted.length > 0) {
        const gone = new Set(deleted.map((d) => d.id))
        for (const snapshot of cache.values()) {
          snapshot.postIds.forEach((postId, i) => {
            if (gone.has(postId)) snapshot.uris[i] = undefined
          })
        }
      }
    }
    deletionsSeenSince = head?.since
    lastRefreshMs = now()
  }

  /** The refresh in flight, or a new one: for a reader that only wants the cache reasonably fresh. */
  function refreshSoon(): Promise<void> {
    refreshing ??= doRefresh().finally(() => {
      refreshing = undefined
    })
    return refreshing
  }

  /**
   * A refresh that starts after this call, for a caller whose own writes (a snapshot it published, a post it
   * deleted) must be seen: one already in flight may have read before them, so it runs once more after that one
   * ends (one follow-up shared by everyone who asks meanwhile).
   */
  function refresh(): Promise<void> {
    if (!refreshing) return refreshSoon()
    followUp ??= refreshing
      .catch(() => {})
      .then(() => {
        followUp = undefined
        return refreshSoon()
      })
    return followUp
  }

  async function getPage(req: PageRequest): Promise<SkeletonPage> {
    if (latest === undefined) await refreshSoon()
    else if (now() - lastRefreshMs >= refreshMs) void refreshSoon().catch(() => {}) // served stale meanwhile; next call retries

    let snapshot: LoadedSnapshot | undefined
    let offset = 0
    if (req.cursor) {
      const cursor = decodeCursor(req.cursor)
      snapshot = await cursorSnapshot(cursor.snapshotId)
      if (!snapshot)
        throw new CurationError('bad_cursor', 'This cursor has expired; start again from the top.')
      remember(snapshot)
      if (cursor.offset > snapshot.postIds.length) {
        throw new CurationError('bad_cursor', 'Cursor offset is beyond the end of its snapshot.')
      }
      offset = cursor.offset
    } else {
      snapshot = latest
    }
    if (!snapshot) return { items: [] }

    const items: SkeletonItem[] = []
    let i = offset
    for (; i < snapshot.postIds.length && items.length < req.limit; i++) {
      const uri = snapshot.uris[i]
      if (uri) {
        const feedContext = encodeFeedContext(snapshot.id, i, snapshot.exploration.has(i))
        items.push({ postId: snapshot.postIds[i]!, uri, feedContext })
      }
    }
    if (items.length > 0)
      opts.onServe?.(
        items.map((item) => item.postId),
        req.viewer,
      )
    const page: SkeletonPage = { items }
    if (i < snapshot.postIds.length) page.cursor = encodeCursor({ snapshotId: snapshot.id, offset: i })
    return page
  }

  return { getPage, refresh, latestSnapshotId: () => latest?.id }
}
