import { z } from 'zod'
import { parseMarketParams, type LedgerParams, type MarketParams } from './market/params'
import type { MarketRankingParams } from './ranking/market-rank'

const HOUR = 3_600_000
const optionalBool = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v === 'true' || v === '1'))

/** Every variable the curation services read, with the defaults that make `npm start` work unconfigured. */
const env = z.object({
  CURIA_FEED_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  CURIA_FEED_HOSTNAME: z.string().min(1).optional(),
  CURIA_FEED_PUBLIC_URL: z.url().optional(),
  CURIA_FEED_SERVICE_DID: z.string().startsWith('did:').optional(),
  CURIA_FEED_PUBLISHER_DID: z.string().startsWith('did:').optional(),
  CURIA_FEED_RKEY: z
    .string()
    .regex(/^[a-zA-Z0-9._~-]{1,15}$/, 'a record key of at most 15 characters')
    .default('curia'),
  CURIA_FEED_DISPLAY_NAME: z.string().max(24).default('Curia'),
  CURIA_FEED_DESCRIPTION: z
    .string()
    .max(300)
    .default(
      'Posts ranked by what a jury of verified humans endorses, forecast by curators. Not by virality.',
    ),
  CURIA_PLC_URL: z.url().default('https://plc.directory'),
  CURIA_ALLOW_HTTP_IDENTITY: optionalBool,
  CURIA_RANK_INTERVAL_MS: z.coerce.number().int().min(100).default(15_000),
  // Half-life 8 h and prior 0.3: the capture simulation's recommendation (sim/report/REPORT.md), with b = 2,000 and
  // the jury's half-exposure 1,000.
  CURIA_RANK_HALF_LIFE_HOURS: z.coerce.number().positive().default(8),
  CURIA_RANK_WINDOW_HOURS: z.coerce.number().positive().default(48),
  CURIA_RANK_MIN_TRADERS: z.coerce.number().int().min(1).default(3),
  CURIA_RANK_PRIOR_PRICE: z.coerce.number().gt(0).lt(1).default(0.3),
  CURIA_RANK_EXPLORATION_SHARE: z.coerce.number().min(0).max(0.5).default(0.1),
  CURIA_RANK_EXPLORATION_MAX_TRADES: z.coerce.number().int().min(0).default(3),
  CURIA_RANK_EXPLORATION_ROTATE_MINUTES: z.coerce.number().positive().default(5),
  CURIA_MARKET_MIN_ENGAGEMENT: z.coerce.number().int().min(0).default(2),
  CURIA_MARKET_OPEN_PER_RUN: z.coerce.number().int().min(0).default(500),
  // Market-less posts older than this are pruned with their likes and reposts (service/retention.ts); at least the
  // ranking and market windows. 'off' (or 0) keeps everything: the index then grows without bound.
  CURIA_POST_RETENTION_HOURS: z
    .union([z.literal(['off', '0']).transform(() => null), z.coerce.number().positive()])
    .default(168),
  CURIA_RANK_DEPTH: z.coerce.number().int().min(1).max(200_000).default(1_000),
  CURIA_SNAPSHOT_RETENTION_MINUTES: z.coerce.number().positive().default(360),
  CURIA_SNAPSHOT_REFRESH_MS: z.coerce.number().int().min(0).default(5_000),
  // Reading the authors the stream has not described (service/author-profiles.ts); the same variables the web app
  // reads for fetching posts on demand and for resolving handles at sign-in. 0 turns the lookups off.
  CURIA_RECORD_SOURCE_URL: z.url({ protocol: /^https?$/ }).default('https://public.api.bsky.app'),
  CURIA_OAUTH_HANDLE_RESOLVER: z.url({ protocol: /^https?$/ }).optional(),
  CURIA_AUTHOR_LOOKUP_INTERVAL_MS: z.coerce.number().int().min(0).default(10_000),
})

export interface CurationConfig {
  feed: {
    port: number
    /** `did:web:<host>` unless overridden; the `aud` every service-auth JWT must carry. */
    serviceDid: string
    publicUrl: string
    /** The account whose repo holds the `app.bsky.feed.generator` record. */
    publisherDid: string
    rkey: string
    /** `at://<publisher>/app.bsky.feed.generator/<rkey>`: the feed's identity in Bluesky. */
    uri: string
    displayName: string
    description: string
    snapshotRefreshMs: number
  }
  identity: { plcUrl: string; allowHttp: boolean }
  /** Looking up authors the stream has not described; `intervalMs` 0: off. */
  authors: { recordSourceUrl: string; handleResolver: string | undefined; intervalMs: number }
  ranking: MarketRankingParams & {
    intervalMs: number
    depth: number
    retentionMs: number
    /** The exploration shuffle is reseeded this often. */
    explorationRotateMs: number
  }
  /** The candidate policy's engagement threshold: posts with at least this many likes + reposts get a market. */
  marketOpening: { minEngagement: number; perRun: number }
  /** Index retention: posts without a market are pruned once older than `postRetentionMs`; null: never. */
  retention: { postRetentionMs: number | null }
  market: MarketParams
  ledger: LedgerParams
}

export function parseCurationConfig(source: Record<string, string | undefined>): CurationConfig {
  const e = env.parse(source)
  const host = e.CURIA_FEED_HOSTNAME ?? `localhost:${e.CURIA_FEED_PORT}`
  const isLocal = /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(host)
  const serviceDid = e.CURIA_FEED_SERVICE_DID ?? `did:web:${encodeURIComponent(host)}`
  const publisherDid = e.CURIA_FEED_PUBLISHER_DID ?? serviceDid
  const { market, ledger } = parseMarketParams(source)
  return {
    feed: {
      port: e.CURIA_FEED_PORT,
      serviceDid,
      publicUrl: e.CURIA_FEED_PUBLIC_URL ?? `${isLocal ? 'http' : 'https'}://${host}`,
      publisherDid,
      rkey: e.CURIA_FEED_RKEY,
      uri: `at://${publisherDid}/app.bsky.feed.generator/${e.CURIA_FEED_RKEY}`,
      displayName: e.CURIA_FEED_DISPLAY_NAME,
      description: e.CURIA_FEED_DESCRIPTION,
      snapshotRefreshMs: e.CURIA_SNAPSHOT_REFRESH_MS,
    },
    // Same rule as the indexer: a plain-http PLC only exists on a local network, so allow http there by default.
    identity: {
      plcUrl: e.CURIA_PLC_URL,
      allowHttp: e.CURIA_ALLOW_HTTP_IDENTITY ?? e.CURIA_PLC_URL.startsWith('http://'),
    },
    authors: {
      recordSourceUrl: e.CURIA_RECORD_SOURCE_URL.replace(/\/+$/, ''),
      handleResolver: e.CURIA_OAUTH_HANDLE_RESOLVER,
      intervalMs: e.CURIA_AUTHOR_LOOKUP_INTERVAL_MS,
    },
    ranking: {
      intervalMs: e.CURIA_RANK_INTERVAL_MS,
      halfLifeMs: e.CURIA_RANK_HALF_LIFE_HOURS * HOUR,
      windowMs: e.CURIA_RANK_WINDOW_HOURS * HOUR,
      minTraders: e.CURIA_RANK_MIN_TRADERS,
      priorPrice: e.CURIA_RANK_PRIOR_PRICE,
      explorationShare: e.CURIA_RANK_EXPLORATION_SHARE,
      explorationMaxTrades: e.CURIA_RANK_EXPLORATION_MAX_TRADES,
      explorationRotateMs: e.CURIA_RANK_EXPLORATION_ROTATE_MINUTES * 60_000,
      depth: e.CURIA_RANK_DEPTH,
      retentionMs: e.CURIA_SNAPSHOT_RETENTION_MINUTES * 60_000,
    },
    marketOpening: { minEngagement: e.CURIA_MARKET_MIN_ENGAGEMENT, perRun: e.CURIA_MARKET_OPEN_PER_RUN },
    retention: {
      postRetentionMs: postRetentionMs(e.CURIA_POST_RETENTION_HOURS, e.CURIA_RANK_WINDOW_HOURS, market),
    },
    market,
    ledger,
  }
}

/**
 * The retention must cover the windows: openCandidateMarkets and the ranking read posts up to the ranking window
 * old, and a curator may open a market on a post up to the market window old.
 */
function postRetentionMs(hours: number | null, rankWindowHours: number, market: MarketParams): number | null {
  if (hours === null) return null
  const windowMs = Math.max(rankWindowHours * HOUR, market.windowMs)
  if (hours * HOUR < windowMs) {
    throw new Error(
      `CURIA_POST_RETENTION_HOURS=${hours} is shorter than the ranking and market windows (${windowMs / HOUR} hours, ` +
        `CURIA_RANK_WINDOW_HOURS and CURIA_MARKET_WINDOW_HOURS): posts inside them must stay. Use at least ` +
        `${windowMs / HOUR}, or 'off' to keep every post.`,
    )
  }
  return hours * HOUR
}

export function readCurationConfig(): CurationConfig {
  return parseCurationConfig(process.env)
}
