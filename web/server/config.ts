import { existsSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { z } from 'zod'
import { parseCurationConfig } from '@curia/curation/config'
import { parseMarketParams, type LedgerParams, type MarketParams } from '@curia/curation/market/params'
import type { MarketRankingParams } from '@curia/curation/ranking/market-rank'
import type { TokenKeySource } from './auth/token-box'

/**
 * The web app's one environment reader. Everything else takes a `WebConfig` (or a value derived from it), so
 * tests and scripts can build one without touching `process.env`.
 */
export interface WebConfig {
  /** postgres:// URL; when absent the app uses (or starts) embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined
  /** Folder holding embedded PGlite (`<dataDir>/pglite`) and its socket file. */
  dataDir: string
  /** Record key of the feed whose snapshots this app shows. */
  feedRkey: string
  /** How often to look for a newer ranked snapshot and for deletions. */
  snapshotRefreshMs: number
  /** Where an image blob is fetched from; `{did}` and `{cid}` are substituted (URL-encoded). */
  blobUrlTemplate: string
  /** Where an avatar blob is fetched from; same placeholders. */
  avatarUrlTemplate: string
  /**
   * The origin browsers reach this app at (no trailing slash). OAuth's redirect URI and, in production, the client
   * id are built from it; sign-in starts on this origin so the cookies it sets come back to the callback.
   */
  publicUrl: string
  oauth: OAuthConfig
  /** Where the key that seals OAuth tokens at rest comes from. */
  tokenKey: TokenKeySource
  /** Resolving DIDs and handles: the PLC directory, and whether plain-http PLC and did:web are allowed. */
  identity: { plcUrl: string; allowHttp: boolean }
  /**
   * Where a post Curia has not indexed is fetched from when a curator opens a market on it
   * (`com.atproto.repo.getRecord`): the public AppView in production, the local PDS on a local network.
   */
  recordSourceUrl: string
  /** The market layer's parameters (shared with the curation services' reader, `parseMarketParams`). */
  market: MarketParams
  ledger: LedgerParams
  /** What the ranker (another process, same environment) ranks by: for pages that explain the feed. */
  ranking: Pick<MarketRankingParams, 'halfLifeMs' | 'minTraders' | 'explorationShare' | 'priorPrice'>
  /**
   * Worker threads that verify ballot and grant proofs (server/jury/verifier.ts), started on the first proof; 0
   * verifies on the request's own thread.
   */
  verifierThreads: number
  /**
   * Reverse proxies in front of the web app that append the address they saw to X-Forwarded-For; 0: none, and the
   * header (which a client then writes itself) is not read: signed-out readers count as one viewer.
   */
  trustedProxyHops: number
  /** Running under `next dev` (NODE_ENV=development): the page policy allows what React's debugging needs. */
  devServer: boolean
}

export type OAuthConfig =
  | {
      /**
       * Development: an atproto loopback client (client_id `http://localhost?redirect_uri=...&scope=...`), no
       * key, no published metadata. Only for http://127.0.0.1 origins.
       */
      kind: 'loopback'
      scope: string
      redirectUri: string
      /** XRPC service resolving handles (`com.atproto.identity.resolveHandle`); undefined: DNS and well-known. */
      handleResolver: string | undefined
    }
  | {
      /**
       * Production: a confidential web client whose metadata is published at `<publicUrl>/oauth/client-metadata.json`
       * and which authenticates to the token endpoint with `privateKey` (its public half at /oauth/jwks.json).
       */
      kind: 'confidential'
      scope: string
      redirectUri: string
      clientId: string
      jwksUri: string
      /** An ES256 private key: a JWK (JSON) or PKCS#8 PEM. */
      privateKey: string
      handleResolver: string | undefined
    }

/** Curia only needs to know who signed in: no repo writes, no AppView calls on the user's behalf. */
const OAUTH_SCOPE = 'atproto'

const BSKY_CDN_FULLSIZE = 'https://cdn.bsky.app/img/feed_fullsize/plain/{did}/{cid}@jpeg'
const BSKY_CDN_AVATAR = 'https://cdn.bsky.app/img/avatar_thumbnail/plain/{did}/{cid}@jpeg'

// An empty variable means "not set": `.env` files and CI matrices often export `FOO=`.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional())

const blobTemplate = z
  .string()
  .refine((t) => t.includes('{cid}'), 'must contain {cid}')
  .refine((t) => /^https?:\/\//.test(t), 'must be an http(s) URL')

const envSchema = z.object({
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')),
  CURIA_DATA_DIR: optional(z.string()),
  CURIA_FEED_RKEY: optional(z.string().regex(/^[A-Za-z0-9._:~-]{1,512}$/, 'must be a valid record key')),
  CURIA_SNAPSHOT_REFRESH_MS: optional(z.coerce.number().int().min(100).max(3_600_000)),
  CURIA_BLOB_URL_TEMPLATE: optional(blobTemplate),
  CURIA_AVATAR_URL_TEMPLATE: optional(blobTemplate),
  CURIA_WEB_PORT: optional(z.coerce.number().int().min(1).max(65535)),
  CURIA_PUBLIC_URL: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
  CURIA_OAUTH_PRIVATE_KEY: optional(z.string().min(1)),
  CURIA_TOKEN_KEY: optional(z.string().min(32, 'must be at least 32 characters of secret')),
  CURIA_OAUTH_HANDLE_RESOLVER: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
  CURIA_PLC_URL: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
  CURIA_ALLOW_HTTP_IDENTITY: optional(z.enum(['true', 'false', '1', '0'])),
  CURIA_RECORD_SOURCE_URL: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
  CURIA_VERIFIER_THREADS: optional(z.coerce.number().int().min(0).max(64)),
  CURIA_TRUSTED_PROXY_HOPS: optional(z.coerce.number().int().min(0).max(10)),
  NODE_ENV: optional(z.string()),
})

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost'])

export function readWebConfig(env: Record<string, string | undefined>, cwd = process.cwd()): WebConfig {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    throw new Error(`Invalid web configuration:\n${z.prettifyError(parsed.error)}`)
  }
  const e = parsed.data
  const blobUrlTemplate = e.CURIA_BLOB_URL_TEMPLATE ?? BSKY_CDN_FULLSIZE
  const root = findRepoRoot(cwd)
  const publicUrl = readPublicUrl(e.CURIA_PUBLIC_URL, e.CURIA_WEB_PORT ?? 3000)
  const plcUrl = (e.CURIA_PLC_URL ?? 'https://plc.directory').replace(/\/+$/, '')
  let params: ReturnType<typeof parseMarketParams>
  let ranking: WebConfig['ranking']
  try {
    params = parseMarketParams(env)
    // The ranker's own reader, given only its variables: the feed's settings are not this process's to judge.
    const rankVars = Object.entries(env).filter(([k, v]) => k.startsWith('CURIA_RANK_') && v !== '')
    ranking = parseCurationConfig(Object.fromEntries(rankVars)).ranking
  } catch (err) {
    const detail = err instanceof z.ZodError ? z.prettifyError(err) : String(err)
    throw new Error(`Invalid web configuration:\n${detail}`)
  }
  return {
    databaseUrl: e.DATABASE_URL,
    // Relative to the repository root, like the launcher's: `CURIA_DATA_DIR=data` names the same folder whether
    // read here (cwd web/) or by the launcher (cwd the root).
    dataDir: resolve(root, e.CURIA_DATA_DIR ?? 'data'),
    feedRkey: e.CURIA_FEED_RKEY ?? 'curia',
    snapshotRefreshMs: e.CURIA_SNAPSHOT_REFRESH_MS ?? 5_000,
    blobUrlTemplate,
    // The CDN has a small avatar rendition; a custom blob server (the demo's PDS) has only the original.
    avatarUrlTemplate:
      e.CURIA_AVATAR_URL_TEMPLATE ??
      (e.CURIA_BLOB_URL_TEMPLATE === undefined ? BSKY_CDN_AVATAR : blobUrlTemplate),
    publicUrl,
    oauth: readOAuthConfig(publicUrl, e.CURIA_OAUTH_PRIVATE_KEY, e.CURIA_OAUTH_HANDLE_RESOLVER),
    // What seals OAuth tokens at rest (server/auth/token-box.ts): an explicit secret, else the production signing
    // key, else a key file beside the embedded database.
    tokenKey: e.CURIA_TOKEN_KEY
      ? { kind: 'secret', secret: e.CURIA_TOKEN_KEY }
      : publicUrl.startsWith('https://') && e.CURIA_OAUTH_PRIVATE_KEY
        ? { kind: 'secret', secret: e.CURIA_OAUTH_PRIVATE_KEY }
        : { kind: 'file', path: join(resolve(root, e.CURIA_DATA_DIR ?? 'data'), 'oauth-token.key') },
    identity: {
      plcUrl,
      // Same rule as the indexer and the feed generator: a plain-http PLC only exists on a local network.
      allowHttp: e.CURIA_ALLOW_HTTP_IDENTITY
        ? e.CURIA_ALLOW_HTTP_IDENTITY === 'true' || e.CURIA_ALLOW_HTTP_IDENTITY === '1'
        : plcUrl.startsWith('http://'),
    },
    recordSourceUrl: (e.CURIA_RECORD_SOURCE_URL ?? 'https://public.api.bsky.app').replace(/\/+$/, ''),
    market: params.market,
    ledger: params.ledger,
    ranking,
    // One per core, at most two: a round's ballots arrive in bursts, and the rest of the app needs a core too.
    verifierThreads: e.CURIA_VERIFIER_THREADS ?? Math.min(2, availableParallelism()),
    trustedProxyHops: e.CURIA_TRUSTED_PROXY_HOPS ?? 0,
    devServer: e.NODE_ENV === 'development',
  }
}

function invalid(message: string): Error {
  return new Error(`Invalid web configuration:\n✖ ${message}`)
}

/**
 * http only on a loopback host (a development machine), https otherwise. `localhost` becomes 127.0.0.1: atproto
 * loopback clients must redirect to the IP literal (RFC 8252 §7.3), and the cookies set before the redirect must
 * belong to the origin the callback lands on.
 */
function readPublicUrl(raw: string | undefined, port: number): string {
  const url = new URL(raw ?? `http://127.0.0.1:${port}`)
  if (url.pathname !== '/' || url.search || url.hash) {
    throw invalid('CURIA_PUBLIC_URL must be an origin (scheme, host and port), without a path')
  }
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(url.hostname)) {
      throw invalid('CURIA_PUBLIC_URL must be https unless it is a loopback address (http://127.0.0.1:PORT)')
    }
    if (url.hostname === 'localhost') url.hostname = '127.0.0.1'
  }
  return url.origin
}

function readOAuthConfig(
  publicUrl: string,
  privateKey: string | undefined,
  handleResolver: string | undefined,
): OAuthConfig {
  const redirectUri = `${publicUrl}/oauth/callback`
  if (publicUrl.startsWith('http://')) {
    return { kind: 'loopback', scope: OAUTH_SCOPE, redirectUri, handleResolver }
  }
  if (!privateKey) {
    throw invalid(
      'CURIA_OAUTH_PRIVATE_KEY is required when CURIA_PUBLIC_URL is https: the ES256 key (JWK or PKCS#8 PEM) ' +
        'the OAuth client signs its token requests with. `npx tsx web/scripts/oauth-key.ts` makes one.',
    )
  }
  return {
    kind: 'confidential',
    scope: OAUTH_SCOPE,
    redirectUri,
    clientId: `${publicUrl}/oauth/client-metadata.json`,
    jwksUri: `${publicUrl}/oauth/jwks.json`,
    privateKey,
    handleResolver,
  }
}

/**
 * `next start` runs with the web workspace as its working directory while the launcher and the indexer run from
 * the repository root; both must agree on where `data/` is, so it is anchored at the root (the nearest folder
 * whose package.json declares workspaces), not at the working directory.
 */
function findRepoRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      try {
        if ('workspaces' in (JSON.parse(readFileSync(manifest, 'utf8')) as object)) return dir
      } catch {
        // An unreadable manifest is not the root; keep walking up.
      }
    }
    if (dirname(dir) === dir) return resolve(from)
  }
}

let cached: WebConfig | undefined

/** The process's configuration, read from the environment once. */
export function getWebConfig(): WebConfig {
  cached ??= readWebConfig(process.env)
  return cached
}
