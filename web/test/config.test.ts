import { join, resolve } from 'node:path'
import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { DEFAULT_LEDGER_PARAMS, DEFAULT_MARKET_PARAMS } from '@curia/curation/market/params'
import { parseCurationConfig } from '@curia/curation/config'
import { readWebConfig } from '../server/config'
import { securityHeaders, templateOrigin } from '../server/security-headers'
import { parseFeedQuery } from '../server/feed-request'

const repoRoot = resolve(import.meta.dirname, '../..')

describe('readWebConfig', () => {
  it('works with no configuration: embedded database under the repo root, Bluesky CDN', () => {
    const config = readWebConfig({}, join(repoRoot, 'web'))
    expect(config).toEqual({
      databaseUrl: undefined,
      dataDir: join(repoRoot, 'data'),
      feedRkey: 'curia',
      snapshotRefreshMs: 5000,
      blobUrlTemplate: 'https://cdn.bsky.app/img/feed_fullsize/plain/{did}/{cid}@jpeg',
      avatarUrlTemplate: 'https://cdn.bsky.app/img/avatar_thumbnail/plain/{did}/{cid}@jpeg',
      publicUrl: 'http://127.0.0.1:3000',
      oauth: {
        kind: 'loopback',
        scope: 'atproto',
        redirectUri: 'http://127.0.0.1:3000/oauth/callback',
        handleResolver: undefined,
      },
      identity: { plcUrl: 'https://plc.directory', allowHttp: false },
      recordSourceUrl: 'https://public.api.bsky.app',
      tokenKey: { kind: 'file', path: join(repoRoot, 'data', 'oauth-token.key') },
      market: DEFAULT_MARKET_PARAMS,
      ledger: DEFAULT_LEDGER_PARAMS,
      ranking: parseCurationConfig({}).ranking,
      verifierThreads: Math.min(2, availableParallelism()),
      trustedProxyHops: 0,
      devServer: false,
    })
  })

  it('reads the ranking the ranker uses from the same variables, and refuses what the ranker would', () => {
    expect(readWebConfig({}, repoRoot).ranking).toMatchObject({
      halfLifeMs: 8 * 3_600_000,
      minTraders: 3,
      priorPrice: 0.3,
      explorationShare: 0.1,
    })
    const config = readWebConfig({ CURIA_RANK_MIN_TRADERS: '5', CURIA_RANK_HALF_LIFE_HOURS: '' }, repoRoot)
    expect(config.ranking).toMatchObject({ minTraders: 5, halfLifeMs: 8 * 3_600_000 })
    expect(() => readWebConfig({ CURIA_RANK_EXPLORATION_SHARE: '0.9' }, repoRoot)).toThrow(
      /Invalid web configuration[\s\S]*CURIA_RANK_EXPLORATION_SHARE/,
    )
  })

  it('verifies proofs on as many threads as asked, none meaning the request thread, and refuses nonsense', () => {
    expect(readWebConfig({ CURIA_VERIFIER_THREADS: '0' }, repoRoot).verifierThreads).toBe(0)
    expect(readWebConfig({ CURIA_VERIFIER_THREADS: '4' }, repoRoot).verifierThreads).toBe(4)
    for (const bad of ['-1', '1.5', 'many', '65'])
      expect(() => readWebConfig({ CURIA_VERIFIER_THREADS: bad }, repoRoot)).toThrow(/CURIA_VERIFIER_THREADS/)
  })

  it('uses a custom blob server for avatars too, and treats empty variables as unset', () => {
    const pds = 'http://localhost:2583/xrpc/com.atproto.sync.getBlob?did={did}&cid={cid}'
    const config = readWebConfig(
      { CURIA_BLOB_URL_TEMPLATE: pds, DATABASE_URL: '', CURIA_FEED_RKEY: 'demo' },
      repoRoot,
    )
    expect(config).toMatchObject({
      blobUrlTemplate: pds,
      avatarUrlTemplate: pds,
      databaseUrl: undefined,
      feedRkey: 'demo',
    })
  })

  it('resolves a relative data folder against the repository root, wherever the process runs', () => {
    expect(readWebConfig({ CURIA_DATA_DIR: 'data' }, join(repoRoot, 'web')).dataDir).toBe(
      join(repoRoot, 'data'),
    )
    expect(readWebConfig({ CURIA_DATA_DIR: '/tmp/x' }, join(repoRoot, 'web')).dataDir).toBe('/tmp/x')
  })

  it('refuses a misconfiguration with a message naming the variable', () => {
    expect(() => readWebConfig({ CURIA_BLOB_URL_TEMPLATE: 'https://cdn.example/{did}' })).toThrow(
      /CURIA_BLOB_URL_TEMPLATE/,
    )
    expect(() => readWebConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/)
  })
})

describe('readWebConfig: sign-in and markets', () => {
  it('builds a loopback OAuth client for a local network: 127.0.0.1 (not localhost), local PLC and resolver', () => {
    const config = readWebConfig({
      CURIA_PUBLIC_URL: 'http://localhost:4123/',
      CURIA_PLC_URL: 'http://localhost:2582',
      CURIA_OAUTH_HANDLE_RESOLVER: 'http://localhost:2583',
      CURIA_RECORD_SOURCE_URL: 'http://localhost:2583/',
    })
    expect(config.publicUrl).toBe('http://127.0.0.1:4123')
    expect(config.oauth).toEqual({
      kind: 'loopback',
      scope: 'atproto',
      redirectUri: 'http://127.0.0.1:4123/oauth/callback',
      handleResolver: 'http://localhost:2583',
    })
    expect(config.identity).toEqual({ plcUrl: 'http://localhost:2582', allowHttp: true })
    expect(config.recordSourceUrl).toBe('http://localhost:2583')
  })

  it('defaults the public URL to the web port the launcher was given', () => {
    expect(readWebConfig({ CURIA_WEB_PORT: '3999' }).publicUrl).toBe('http://127.0.0.1:3999')
  })

  it('publishes a confidential client on https, and refuses https without a signing key', () => {
    const config = readWebConfig({
      CURIA_PUBLIC_URL: 'https://curia.example',
      CURIA_OAUTH_PRIVATE_KEY: '{"kty":"EC"}',
    })
    expect(config.oauth).toMatchObject({
      kind: 'confidential',
      clientId: 'https://curia.example/oauth/client-metadata.json',
      jwksUri: 'https://curia.example/oauth/jwks.json',
      redirectUri: 'https://curia.example/oauth/callback',
    })
    // Tokens at rest are sealed with a key derived from the signing key, unless one is given.
    expect(config.tokenKey).toEqual({ kind: 'secret', secret: '{"kty":"EC"}' })
    const explicit = 'x'.repeat(32)
    expect(
      readWebConfig({
        CURIA_PUBLIC_URL: 'https://curia.example',
        CURIA_OAUTH_PRIVATE_KEY: '{"kty":"EC"}',
        CURIA_TOKEN_KEY: explicit,
      }).tokenKey,
    ).toEqual({ kind: 'secret', secret: explicit })
    expect(() => readWebConfig({ CURIA_TOKEN_KEY: 'short' })).toThrow(/CURIA_TOKEN_KEY/)
    expect(() => readWebConfig({ CURIA_PUBLIC_URL: 'https://curia.example' })).toThrow(
      /CURIA_OAUTH_PRIVATE_KEY/,
    )
  })

  it('refuses plain http on a public host, a path in the public URL, and a bad market setting', () => {
    expect(() => readWebConfig({ CURIA_PUBLIC_URL: 'http://curia.example' })).toThrow(/CURIA_PUBLIC_URL/)
    expect(() =>
      readWebConfig({ CURIA_PUBLIC_URL: 'https://curia.example/app', CURIA_OAUTH_PRIVATE_KEY: 'k' }),
    ).toThrow(/CURIA_PUBLIC_URL/)
    expect(() => readWebConfig({ CURIA_MARKET_OPEN_FEE_CREDITS: '-1' })).toThrow(
      /CURIA_MARKET_OPEN_FEE_CREDITS/,
    )
  })

  it('reads the market parameters the curation services read', () => {
    const config = readWebConfig({ CURIA_MARKET_OPEN_FEE_CREDITS: '2.5', CURIA_TRADE_MAX_CREDITS: '50' })
    expect(config.market.openFeeMicro).toBe(2_500_000n)
    expect(config.market.maxAmountMicro).toBe(50_000_000n)
  })
})

describe('securityHeaders', () => {
  it('has no unsafe-eval in production and allows the blob server as an image source', () => {
    const origin = templateOrigin('http://localhost:2583/xrpc/com.atproto.sync.getBlob?did={did}&cid={cid}')
    expect(origin).toBe('http://localhost:2583')
    const headers = Object.fromEntries(
      securityHeaders({ dev: false, imageOrigins: [origin!] }).map((h) => [h.key, h.value]),
    )
    const csp = headers['Content-Security-Policy']!
    expect(csp).not.toContain('unsafe-eval')
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toMatch(/img-src [^;]*http:\/\/localhost:2583/)
    // The demo's PDS port is picked at start, after the build fixed these headers: loopback ports are allowed.
    expect(csp).toMatch(/img-src [^;]*http:\/\/127\.0\.0\.1:\*/)
    expect(headers['X-Content-Type-Options']).toBe('nosniff')
    expect(headers['Referrer-Policy']).toBe('strict-origin-when-cross-origin')
    expect(securityHeaders({ dev: true, imageOrigins: [] })[0]!.value).toContain("'unsafe-eval'")
  })
})

describe('parseFeedQuery', () => {
  it('defaults the page size and bounds it', () => {
    expect(parseFeedQuery(new URLSearchParams(''))).toEqual({ ok: true, query: { limit: 20 } })
    expect(parseFeedQuery(new URLSearchParams('cursor=3:20&limit=5'))).toEqual({
      ok: true,
      query: { cursor: '3:20', limit: 5 },
    })
    for (const bad of ['limit=0', 'limit=51', 'limit=abc', 'limit=2.5', `cursor=${'x'.repeat(65)}`]) {
      expect(parseFeedQuery(new URLSearchParams(bad)).ok).toBe(false)
    }
  })
})
