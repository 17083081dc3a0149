import type { Database } from '@curia/db'
import type { CurationConfig } from '../config'
import { createServiceAuthVerifier, createViewerIdResolver } from '../feed/auth'
import { createExposureRecorder, type ExposureRecorder } from '../feed/exposure'
import { startFeedServer, type FeedServer } from '../feed/server'
import { createSnapshotStore, type SnapshotStore } from '../feed/snapshot-store'
import { createNetworkAuthorLookup, startAuthorResolver } from './author-profiles'
import { setupLedger } from './ledger'
import { closeDueMarkets } from './market'
import { openCandidateMarkets, pruneSnapshots, rankFeed } from './rank-feed'
import { startRetention } from './retention'

/** How often an empty treasury is said again in the log while it stays empty. */
const TREASURY_WARNING_MS = 10 * 60_000

export interface CurationService {
  feedServer: FeedServer
  store: SnapshotStore
  /** Counts the feed's impressions; `flush()` writes what it holds now (it also does every few seconds). */
  exposure: Pick<ExposureRecorder, 'flush'>
  /** Runs one ranking round now (the loop also does this every `ranking.intervalMs`). */
  rankNow(): Promise<void>
  stop(): Promise<void>
}

/**
 * The curation side of a running Curia: a loop that opens markets for candidate posts, closes due ones and
 * publishes ranked snapshots, and the feed generator serving them. A failed round (say, the database restarting)
 * is logged and retried on the next tick; the feed keeps serving the last snapshot it holds.
 */
export async function startCurationService(opts: {
  database: Database
  config: CurationConfig
  log?: (line: string) => void
  host?: string
}): Promise<CurationService> {
  const { database, config } = opts
  const log = opts.log ?? ((line: string) => console.log(line))
  await setupLedger(database, { treasuryFundingMicro: config.ledger.treasuryFundingMicro, now: new Date() })
  const exposure = createExposureRecorder(database, { log })
  const store = createSnapshotStore(database, {
    feed: config.feed.rkey,
    refreshMs: config.feed.snapshotRefreshMs,
    onServe: exposure.record,
  })
  const verifier = createServiceAuthVerifier({
    serviceDid: config.feed.serviceDid,
    idResolver: createViewerIdResolver(config.identity),
    log,
  })

  let round: Promise<void> | undefined
  let treasuryWarnedAtMs = -Infinity
  const rankNow = () =>
    (round ??= (async () => {
      const nowMs = Date.now()
      const { opened, treasuryEmpty } = await openCandidateMarkets(database, {
        nowMs,
        windowMs: config.ranking.windowMs,
        minEngagement: config.marketOpening.minEngagement,
        limit: config.marketOpening.perRun,
        params: config.market,
      })
      if (treasuryEmpty && treasuryWarnedAtMs < nowMs - TREASURY_WARNING_MS) {
        treasuryWarnedAtMs = nowMs
        log(
          'ranker: the treasury cannot fund another market subsidy, so candidate posts wait for markets; ' +
            'ranking goes on, and subsidies return to the treasury as rounds settle',
        )
      }
      const closed = await closeDueMarkets(database, { now: new Date(nowMs) })
      const result = await rankFeed(database, {
        feed: config.feed.rkey,
        nowMs,
        params: config.ranking,
        depth: config.ranking.depth,
        seed: Math.floor(nowMs / config.ranking.explorationRotateMs),
      })
      await pruneSnapshots(database, {
        feed: config.feed.rkey,
        nowMs,
        retentionMs: config.ranking.retentionMs,
      })
      if (opened > 0 || closed.length > 0 || result.published) {
        log(
          `ranker: ${opened} markets opened, ${closed.length} closed; ` +
            (result.published
              ? `published snapshot ${result.snapshotId} with ${result.ranked} posts`
              : 'order unchanged'),
        )
      }
      await store.refresh()
    })().finally(() => {
      round = undefined
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
    rankNow().catch((err: unknown) =>
      log(`ranker: round failed, retrying next tick: ${(err as Error).message}`),
    )
  await tick()
  const timer = setInterval(() => void tick(), config.ranking.intervalMs)
  // Pruning old market-less posts runs on its own slower cadence, never inside a ranking round.
  const retention =
    config.retention.postRetentionMs === null
      ? undefined
      : startRetention({
          database,
          retentionMs: config.retention.postRetentionMs,
          intervalMs: 10 * 60_000,
          firstDelayMs: 60_000,
          batch: 1_000,
          log,
        })
  const authors =
    config.authors.intervalMs > 0
      ? startAuthorResolver({
          database,
          lookup: createNetworkAuthorLookup({
            plcUrl: config.identity.plcUrl,
            allowHttp: config.identity.allowHttp,
            ...config.authors,
          }),
          intervalMs: config.authors.intervalMs,
          log,
        })
      : undefined

  return {
    feedServer,
    store,
    exposure,
    rankNow,
    async stop() {
      clearInterval(timer)
      await retention?.stop()
      await authors?.stop()
      await round?.catch(() => {})
      await feedServer.close()
      await exposure.stop()
    },
  }
}
