import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
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
    })
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
