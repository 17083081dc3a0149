import type { Database } from '@curia/db'
import type { CurationConfig } from '../config'
import { createIdResolver, createServiceAuthVerifier } from '../feed/auth'
import { startFeedServer, type FeedServer } from '../feed/server'
import { createSnapshotStore, type SnapshotStore } from '../feed/snapshot-store'
import { pruneSnapshots, rankFeed } from './rank-feed'

export interface CurationService {
  feedServer: FeedServer
  store: SnapshotStore
  /** Ranks now (the loop also does this every `ranking.intervalMs`). */
  rankNow(): Promise<void>
  stop(): Promise<void>
}

/**
 * The curation side of a running Curia: a ranking loop that publishes snapshots, and the feed generator serving
 * them. Ranking failures (say, the database restarting) are logged and retried on the next tick; the feed keeps
 * serving the last snapshot it holds.
 */
export async function startCurationService(opts: {
  database: Database
  config: CurationConfig
  log?: (line: string) => void
  host?: string
}): Promise<CurationService> {
  const { database, config } = opts
  const log = opts.log ?? ((line: string) => console.log(line))
  const store = createSnapshotStore(database, {
    feed: config.feed.rkey,
    refreshMs: config.feed.snapshotRefreshMs,
  })
  const verifier = createServiceAuthVerifier({
    serviceDid: config.feed.serviceDid,
    idResolver: createIdResolver(config.identity),
  })

  let ranking: Promise<void> | undefined
  const rankNow = () =>
    (ranking ??= (async () => {
      const nowMs = Date.now()
      const result = await rankFeed(database, {
        feed: config.feed.rkey,
        nowMs,
        params: config.ranking,
        depth: config.ranking.depth,
      })
      await pruneSnapshots(database, {
        feed: config.feed.rkey,
        nowMs,
        retentionMs: config.ranking.retentionMs,
      })
      if (result.published) log(`ranker: published snapshot ${result.snapshotId} with ${result.ranked} posts`)
      await store.refresh()
    })().finally(() => {
      ranking = undefined
    }))

  const feedServer = await startFeedServer({
    store,
    verifier,
    serviceDid: config.feed.serviceDid,
    publicUrl: config.feed.publicUrl,
    feedUris: [config.feed.uri],
    port: config.feed.port,
    ...(opts.host ? { host: opts.host } : {}),
    log,
  })
  const tick = () =>
    rankNow().catch((err: unknown) => log(`ranker: failed, retrying next tick: ${(err as Error).message}`))
  await tick()
  const timer = setInterval(() => void tick(), config.ranking.intervalMs)

  return {
    feedServer,
    store,
    rankNow,
    async stop() {
      clearInterval(timer)
      await ranking?.catch(() => {})
      await feedServer.close()
    },
  }
}
