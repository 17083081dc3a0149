import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import { base58btc } from 'multiformats/bases/base58'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LruDidCache } from '../src/did-cache'
import {
  AUTH_FAILURE_MESSAGES,
  GET_FEED_SKELETON,
  createViewerIdResolver,
  createServiceAuthVerifier,
  type ServiceAuthVerifierOptions,
} from '../src/feed/auth'

// The service-auth verifier against an in-memory PLC directory (a fetch that counts what it is asked), with viewers'
// keys made here (P-256, signed with node:crypto): how many directory lookups a stream of feed requests costs.

const SERVICE_DID = 'did:web:feed.curia.test'
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

interface Viewer {
  did: string
  key: KeyObject
  /** The public key as its DID document lists it. */
  multikey: string
}

function makeViewer(): Viewer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = publicKey.export({ format: 'jwk' })
  const x = Buffer.from(jwk.x!, 'base64url')
  const y = Buffer.from(jwk.y!, 'base64url')
  // Multikey: the p256-pub multicodec (0x1200, varint 0x80 0x24), then the compressed point.
  const multikey = base58btc.encode(Buffer.concat([Buffer.from([0x80, 0x24, 2 + (y[31]! & 1)]), x]))
  return { did: randomDid(), key: privateKey, multikey }
}

function randomDid(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
  return `did:plc:${Array.from(randomBytes(24), (b) => alphabet[b % 32]).join('')}`
}

function jwt(
  iss: string,
  key: KeyObject | undefined,
  claims: { aud?: string; lxm?: string; exp?: number } = {},
): string {
  const header = b64url({ typ: 'JWT', alg: 'ES256' })
  const payload = b64url({
    iat: Math.floor(Date.now() / 1000),
    iss,
    aud: claims.aud ?? SERVICE_DID,
    exp: claims.exp ?? Math.floor(Date.now() / 1000) + 60,
    lxm: claims.lxm ?? GET_FEED_SKELETON,
    jti: randomBytes(16).toString('hex'),
  })
  const signature = key
    ? sign('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' })
    : randomBytes(64)
  return `${header}.${payload}.${signature.toString('base64url')}`
}

/** A PLC directory in memory: `state` 'down' fails every request, 'hang' holds them until `release()`. */
function directory() {
  const docs = new Map<string, unknown>()
  const asked = new Map<string, number>()
  let state: 'up' | 'down' | 'hang' = 'up'
  let gate: { promise: Promise<void>; open: () => void } | undefined
  const fetch = async (input: string | URL | Request): Promise<Response> => {
    const did = decodeURIComponent(new URL(input instanceof Request ? input.url : input).pathname.slice(1))
    asked.set(did, (asked.get(did) ?? 0) + 1)
    if (state === 'hang') await gate?.promise
    if (state === 'down') throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') })
    const doc = docs.get(did)
    return doc
      ? new Response(JSON.stringify(doc), { headers: { 'content-type': 'application/json' } })
      : new Response('DID not registered: a detail the caller must not read', { status: 404 })
  }
  return {
    fetch,
    asked: (did: string) => asked.get(did) ?? 0,
    total: () => [...asked.values()].reduce((a, b) => a + b, 0),
    add(v: Viewer) {
      docs.set(v.did, {
        '@context': ['https://www.w3.org/ns/did/v1'],
        id: v.did,
        alsoKnownAs: ['at://viewer.test'],
        verificationMethod: [
          { id: `${v.did}#atproto`, type: 'Multikey', controller: v.did, publicKeyMultibase: v.multikey },
        ],
        service: [],
      })
    },
    set(next: 'up' | 'down' | 'hang') {
      state = next
      if (next === 'hang') {
        let open!: () => void
        gate = { promise: new Promise<void>((resolve) => (open = resolve)), open }
      }
    },
    release() {
      state = 'up'
      gate?.open()
    },
  }
}

afterEach(() => {
  vi.unstubAllGlobals()
})

/** A verifier as the curation service builds it, its directory `plc`; `clocked`: its DID cache reads `clock`. */
function setUp(extra: Partial<ServiceAuthVerifierOptions> = {}, opts: { clocked?: boolean } = {}) {
  const clock = { ms: Date.now() }
  const now = () => clock.ms
  const plc = directory()
  const lines: string[] = []
  // createViewerIdResolver hands a local network's resolver the global fetch.
  vi.stubGlobal('fetch', plc.fetch)
  const idResolver = createViewerIdResolver({
    plcUrl: 'http://plc.curia.test',
    allowHttp: true,
    ...(opts.clocked ? { didCache: new LruDidCache(1_000, 60 * 60_000, 24 * 60 * 60_000, now) } : {}),
  })
  const verifier = createServiceAuthVerifier({
    serviceDid: SERVICE_DID,
    idResolver,
    now,
    log: (line) => lines.push(line),
    ...extra,
  })
  const verify = (token: string) => verifier.verify(`Bearer ${token}`)
  return { clock, plc, lines, verify }
}

describe('service-auth verifier', () => {
  it('looks a viewer up once for many requests, each with a new JWT', async () => {
    const { plc, verify } = setUp()
    const viewer = makeViewer()
    plc.add(viewer)
    for (let i = 0; i < 5; i++) expect(await verify(jwt(viewer.did, viewer.key))).toEqual({ did: viewer.did })
    expect(plc.asked(viewer.did)).toBe(1)
  })

  it('refuses an issuer that does not resolve with a fixed message, and does not look it up again for a while', async () => {
    const { plc, clock, lines, verify } = setUp()
    const did = randomDid()
    for (let i = 0; i < 3; i++) {
      const refusal = await verify(jwt(did, undefined)).catch((err: unknown) => err as Error)
      expect(refusal).toMatchObject({ code: 'bad_auth', message: AUTH_FAILURE_MESSAGES.unresolved_issuer })
    }
    expect(plc.asked(did)).toBe(1)
    // The detail is logged, once for the three.
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(did)
    expect(lines[0]).toContain('unresolved_issuer')

    clock.ms += 31_000
    await expect(verify(jwt(did, undefined))).rejects.toThrow(AUTH_FAILURE_MESSAGES.unresolved_issuer)
    expect(plc.asked(did)).toBe(2)
  })

  it('bounds the lookups a flood of random issuers causes, and shares one issuer’s lookup', async () => {
    const { plc, verify } = setUp({ maxLookups: 2, maxQueuedLookups: 3 })
    plc.set('hang')
    const flood = Array.from({ length: 10 }, () => verify(jwt(randomDid(), undefined)).catch((e: Error) => e))
    const same = randomDid()
    const twins = Array.from({ length: 3 }, () => verify(jwt(same, undefined)).catch((e: Error) => e))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(plc.total()).toBe(2) // two in flight; three wait; the rest were refused without a lookup
    plc.release()
    const settled = await Promise.all([...flood, ...twins])
    for (const refusal of settled)
      expect(refusal).toMatchObject({ message: AUTH_FAILURE_MESSAGES.unresolved_issuer })
    expect(plc.total()).toBeLessThanOrEqual(6)
    expect(plc.asked(same)).toBeLessThanOrEqual(1)
  })

  it('fetches a viewer’s document again for a bad signature at most once per interval', async () => {
    const { plc, clock, verify } = setUp()
    const viewer = makeViewer()
    plc.add(viewer)
    await verify(jwt(viewer.did, viewer.key))
    const forger = makeViewer()
    for (let i = 0; i < 3; i++) {
      await expect(verify(jwt(viewer.did, forger.key))).rejects.toThrow(AUTH_FAILURE_MESSAGES.bad_signature)
    }
    expect(plc.asked(viewer.did)).toBe(2) // the first lookup, and one refresh in case the key was rotated
    clock.ms += 61_000
    await expect(verify(jwt(viewer.did, forger.key))).rejects.toThrow(AUTH_FAILURE_MESSAGES.bad_signature)
    expect(plc.asked(viewer.did)).toBe(3)
    // The viewer's own tokens still verify throughout.
    expect(await verify(jwt(viewer.did, viewer.key))).toEqual({ did: viewer.did })
  })

  it('keeps verifying a known viewer while the directory is down, until the document expires', async () => {
    const { plc, clock, verify } = setUp({}, { clocked: true })
    const viewer = makeViewer()
    plc.add(viewer)
    await verify(jwt(viewer.did, viewer.key))
    plc.set('down')
    clock.ms += 2 * 60 * 60_000 // stale: the refresh fails, the document held is used
    expect(await verify(jwt(viewer.did, viewer.key))).toEqual({ did: viewer.did })
    clock.ms += 24 * 60 * 60_000 // expired
    await expect(verify(jwt(viewer.did, viewer.key))).rejects.toThrow(AUTH_FAILURE_MESSAGES.unresolved_issuer)
  })

  it('tells each refusal by its own fixed message, without a lookup', async () => {
    const { plc, verify } = setUp()
    const viewer = makeViewer()
    const past = Math.floor(Date.now() / 1000) - 10
    const cases: [string, string][] = [
      [jwt(viewer.did, viewer.key, { exp: past }), AUTH_FAILURE_MESSAGES.expired],
      [jwt(viewer.did, viewer.key, { aud: 'did:web:elsewhere.test' }), AUTH_FAILURE_MESSAGES.wrong_audience],
      [jwt(viewer.did, viewer.key, { lxm: 'app.bsky.feed.getTimeline' }), AUTH_FAILURE_MESSAGES.wrong_method],
      [jwt('not-a-did', viewer.key), AUTH_FAILURE_MESSAGES.bad_issuer],
      ['abc.def.ghi', AUTH_FAILURE_MESSAGES.malformed],
      [jwt(`${viewer.did}#atproto_labeler`, viewer.key), AUTH_FAILURE_MESSAGES.unresolved_issuer],
    ]
    for (const [token, message] of cases) {
      const refusal = await verify(token).catch((err: unknown) => err as Error)
      expect(refusal, message).toMatchObject({ code: 'bad_auth', message })
    }
    expect(AUTH_FAILURE_MESSAGES.wrong_audience).toMatch(/aud/)
    expect(plc.total()).toBe(0)
  })
})

describe('LruDidCache', () => {
  const doc = (did: string, pad = 0) => ({ id: did, alsoKnownAs: ['at://x.test'.padEnd(pad, 'x')] })

  it('keeps at most maxEntries documents, dropping the least recently used, and none too big', async () => {
    const cache = new LruDidCache(2, 1_000, 2_000, Date.now, 1_000)
    await cache.cacheDid('did:plc:a', doc('did:plc:a'))
    await cache.cacheDid('did:plc:b', doc('did:plc:b'))
    await cache.checkCache('did:plc:a')
    await cache.cacheDid('did:plc:c', doc('did:plc:c'))
    expect(cache.size).toBe(2)
    expect(await cache.checkCache('did:plc:b')).toBeNull()
    expect(await cache.checkCache('did:plc:a')).not.toBeNull()
    await cache.cacheDid('did:plc:a', doc('did:plc:a', 2_000))
    expect(await cache.checkCache('did:plc:a')).toBeNull()
  })
})
