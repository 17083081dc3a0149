import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AtpAgent } from '@atproto/api'
import { post, type Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { startNetwork, type DevAccount, type DevNetwork } from '@curia/devnet'
import { parseCurationConfig, type CurationConfig } from '../src/config'
import { AUTH_FAILURE_MESSAGES, GET_FEED_SKELETON } from '../src/feed/auth'
import { publishFeed } from '../src/feed/publish'
import { startCurationService, type CurationService } from '../src/service/curation-service'

/**
 * The feed generator against a real local network: PLC + PDS, and (when PostgreSQL is available) the AppView,
 * which is what every Bluesky client asks for a custom feed. Posts are written to the PDS for real; the test puts
 * their rows in Curia's index directly (the indexer's own tests cover PDS -> index).
 */
const pgUrl = process.env.DB_POSTGRES_URL ?? process.env.DATABASE_URL
const withAppView = Boolean(pgUrl)

let net: DevNetwork
let database: Database
let service: CurationService
let config: CurationConfig
let alice: DevAccount
let publisher: DevAccount
const made: { uri: string; cid: string; text: string }[] = []
const lines: string[] = []
/** The feed generator asks for DID documents through this proxy to the local PLC, which counts them per DID. */
let plcProxy: Server
const plcLookups = new Map<string, number>()

async function skeleton(params: Record<string, string>, headers: Record<string, string> = {}) {
  const url = new URL(`${service.feedServer.url}/xrpc/app.bsky.feed.getFeedSkeleton`)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  const res = await fetch(url, { headers })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function serviceJwt(account: DevAccount, aud: string, lxm = GET_FEED_SKELETON): Promise<string> {
  const res = await account.agent.com.atproto.server.getServiceAuth({ aud, lxm })
  return res.data.token
}

beforeAll(async () => {
  net = await startNetwork({ appView: withAppView })
  database = await createTestDatabase()
  alice = await net.createAccount('alice')
  publisher = await net.createAccount('curia-operator')
  for (const text of ['first curated post', 'second curated post', 'third, with more likes']) {
    const res = await alice.agent.post({ text, createdAt: new Date().toISOString() })
    made.push({ uri: res.uri, cid: res.cid, text })
  }
  await database.db.insert(post).values(
    made.map((m, i) => ({
      uri: m.uri,
      cid: m.cid,
      authorDid: alice.did,
      text: m.text,
      createdAt: new Date(Date.now() - (3 - i) * 60_000),
      likeCount: i * 5,
    })),
  )

  // Bind port 0 first to learn a free port, then configure the did:web around it.
  const probe = await import('node:net').then(
    (net) =>
      new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const port = (s.address() as { port: number }).port
          s.close(() => resolve(port))
        })
      }),
  )
  plcProxy = createServer((req, res) => {
    const did = decodeURIComponent((req.url ?? '/').split('?')[0]!.slice(1))
    plcLookups.set(did, (plcLookups.get(did) ?? 0) + 1)
    fetch(new URL(req.url ?? '/', net.plcUrl), { headers: { accept: req.headers.accept ?? '*/*' } }).then(
      async (upstream) => {
        const body = Buffer.from(await upstream.arrayBuffer())
        res.writeHead(upstream.status, {
          'content-type': upstream.headers.get('content-type') ?? 'text/plain',
        })
        res.end(body)
      },
      () => res.writeHead(502).end(),
    )
  })
  await new Promise<void>((resolve) => plcProxy.listen(0, '127.0.0.1', resolve))
  const env = {
    CURIA_FEED_PORT: String(probe),
    CURIA_FEED_PUBLISHER_DID: publisher.did,
    CURIA_PLC_URL: `http://127.0.0.1:${(plcProxy.address() as { port: number }).port}`,
    CURIA_ALLOW_HTTP_IDENTITY: 'true',
    CURIA_MARKET_MIN_ENGAGEMENT: '0',
    CURIA_RANK_INTERVAL_MS: '600000',
  }
  config = parseCurationConfig(env)
  service = await startCurationService({ database, config, log: (l) => lines.push(l), host: '127.0.0.1' })
  await publishFeed({
    service: net.pdsUrl,
    identifier: publisher.handle,
    password: publisher.password,
    rkey: config.feed.rkey,
    serviceDid: config.feed.serviceDid,
    displayName: config.feed.displayName,
    description: config.feed.description,
  })
  await net.settle()
}, 180_000)

afterAll(async () => {
  await service?.stop()
  await new Promise((resolve) => plcProxy?.close(resolve))
  await database?.close()
  await net?.close()
})

describe('feed generator', () => {
  it('serves its did:web document and describes its feed', async () => {
    const doc = (await (await fetch(`${service.feedServer.url}/.well-known/did.json`)).json()) as {
      id: string
      service: { id: string; serviceEndpoint: string }[]
    }
    expect(doc.id).toBe(config.feed.serviceDid)
    expect(doc.service[0]).toMatchObject({ id: '#bsky_fg', serviceEndpoint: config.feed.publicUrl })
    const described = (await (
      await fetch(`${service.feedServer.url}/xrpc/app.bsky.feed.describeFeedGenerator`)
    ).json()) as { did: string; feeds: { uri: string }[] }
    expect(described).toEqual({ did: config.feed.serviceDid, feeds: [{ uri: config.feed.uri }] })
  })

  it('ranks the posts made on the PDS into the skeleton (untraded: newest first), with feedContext', async () => {
    const { status, body } = await skeleton({ feed: config.feed.uri, limit: '2' })
    expect(status).toBe(200)
    const feed = body.feed as { post: string; feedContext: string }[]
    expect(feed.map((f) => f.post)).toEqual([made[2]!.uri, made[1]!.uri])
    expect(feed[0]!.feedContext).toMatch(/^s\d+r0$/)
    const next = await skeleton({ feed: config.feed.uri, limit: '2', cursor: body.cursor as string })
    expect((next.body.feed as { post: string }[]).map((f) => f.post)).toEqual([made[0]!.uri])
    expect(next.body.cursor).toBeUndefined()
  })

  it('accepts a service-auth JWT from the viewer for this feed generator', async () => {
    const jwt = await serviceJwt(alice, config.feed.serviceDid)
    const { status } = await skeleton({ feed: config.feed.uri }, { authorization: `Bearer ${jwt}` })
    expect(status).toBe(200)
  })

  it('refuses a JWT for another audience, another method, a bad signature, or no Bearer scheme with 401', async () => {
    const other = await serviceJwt(alice, 'did:web:elsewhere.example')
    const wrongMethod = await serviceJwt(alice, config.feed.serviceDid, 'app.bsky.feed.getTimeline')
    const good = await serviceJwt(alice, config.feed.serviceDid)
    const [h, p, sig] = good.split('.')
    const forged = `${h}.${p}.${sig!.slice(0, -4)}${sig!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`
    for (const auth of [
      `Bearer ${other}`,
      `Bearer ${wrongMethod}`,
      `Bearer ${forged}`,
      `Basic ${good}`,
      'Bearer',
    ]) {
      const { status, body } = await skeleton({ feed: config.feed.uri }, { authorization: auth })
      expect(status, auth.slice(0, 20)).toBe(401)
      expect(body.error).toBe('AuthenticationRequired')
      expect(body.message).toBeTypeOf('string')
    }
    const audience = await skeleton({ feed: config.feed.uri }, { authorization: `Bearer ${other}` })
    expect(String(audience.body.message)).toMatch(/aud/i)
  })

  it('resolves a signed-in viewer once, however many requests (each with a new JWT) they make', async () => {
    const dave = await net.createAccount('dave')
    for (let i = 0; i < 4; i++) {
      const jwt = await serviceJwt(dave, config.feed.serviceDid)
      const { status } = await skeleton({ feed: config.feed.uri }, { authorization: `Bearer ${jwt}` })
      expect(status).toBe(200)
    }
    expect(plcLookups.get(dave.did)).toBe(1)

    // Forged tokens naming dave: refused; his document is fetched again once (his key may have been rotated).
    const [h, p] = (await serviceJwt(dave, config.feed.serviceDid)).split('.')
    for (let i = 0; i < 3; i++) {
      const forged = `${h}.${p}.${randomBytes(64).toString('base64url')}`
      const { status, body } = await skeleton(
        { feed: config.feed.uri },
        { authorization: `Bearer ${forged}` },
      )
      expect(status).toBe(401)
      expect(body.message).toBe(AUTH_FAILURE_MESSAGES.bad_signature)
    }
    expect(plcLookups.get(dave.did)).toBe(2)
  })

  it('refuses a token whose issuer does not resolve with a fixed message, and does not ask PLC again for it', async () => {
    // Unsigned, but with everything checked before the signature right: the public aud, the lxm, a future exp.
    const iss = `did:plc:${'abcdefghijklmnopqrstuvwx'
      .split('')
      .sort(() => Math.random() - 0.5)
      .join('')}`
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
    for (let i = 0; i < 3; i++) {
      const payload = {
        iss,
        aud: config.feed.serviceDid,
        lxm: GET_FEED_SKELETON,
        exp: Math.floor(Date.now() / 1000) + 60,
        jti: randomBytes(8).toString('hex'),
      }
      const token = `${b64({ typ: 'JWT', alg: 'ES256K' })}.${b64(payload)}.${randomBytes(64).toString('base64url')}`
      const { status, body } = await skeleton({ feed: config.feed.uri }, { authorization: `Bearer ${token}` })
      expect(status).toBe(401)
      expect(body).toEqual({
        error: 'AuthenticationRequired',
        message: AUTH_FAILURE_MESSAGES.unresolved_issuer,
      })
    }
    expect(plcLookups.get(iss)).toBe(1)
    expect(lines.join('\n')).toContain(
      `refused a service-auth JWT (unresolved_issuer): IssuerUnresolvedError: looking up ${iss} failed`,
    )
  })

  it('answers bad parameters with clear 400s and keeps serving', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'InvalidRequest'],
      [{ feed: 'at://did:plc:nobody/app.bsky.feed.generator/x' }, 'UnknownFeed'],
      [{ feed: config.feed.uri, limit: '0' }, 'InvalidRequest'],
      [{ feed: config.feed.uri, limit: '101' }, 'InvalidRequest'],
      [{ feed: config.feed.uri, limit: '2.5' }, 'InvalidRequest'],
      [{ feed: config.feed.uri, cursor: "1' or '1'='1" }, 'InvalidRequest'],
      [{ feed: config.feed.uri, cursor: '99999999:0' }, 'InvalidRequest'],
      [{ feed: config.feed.uri, cursor: 'x'.repeat(5000) }, 'InvalidRequest'],
    ]
    for (const [params, error] of cases) {
      const { status, body } = await skeleton(params)
      expect(status, JSON.stringify(params).slice(0, 80)).toBe(400)
      expect(body.error).toBe(error)
    }
    expect((await skeleton({ feed: config.feed.uri })).status).toBe(200)
  })

  it('counts an impression once per viewer and post, however often the viewer asks for it', async () => {
    const [bob, carol] = [await net.createAccount('bob'), await net.createAccount('carol')]
    /** Impressions of made[] (oldest first) so far. */
    const impressions = async () => {
      await service.exposure.flush()
      const rows = await database.sql<{ uri: string; n: number }[]>`
        select p.uri, e.impressions::int as n from feed_exposure e join post p on p.id = e.post_id`
      const byUri = new Map(rows.map((r) => [r.uri, r.n]))
      return made.map((m) => byUri.get(m.uri) ?? 0)
    }
    const read = async (limit: string, account?: DevAccount) => {
      const headers = account
        ? { authorization: `Bearer ${await serviceJwt(account, config.feed.serviceDid)}` }
        : undefined
      expect((await skeleton({ feed: config.feed.uri, limit }, headers)).status).toBe(200)
    }
    const before = await impressions()

    // Bob asks for the top post ten times (a fresh JWT each time), then for all three; Carol once.
    for (let i = 0; i < 10; i++) await read('1', bob)
    await read('3', bob)
    await read('3', carol)
    expect((await impressions()).map((n, i) => n - before[i]!)).toEqual([2, 2, 2])

    // Unauthenticated callers are told apart by address only: this one, asking again and again, is one viewer.
    await read('3')
    const once = await impressions()
    for (let i = 0; i < 5; i++) await read('3')
    expect(await impressions()).toEqual(once)
  })

  it.skipIf(!withAppView)(
    'is served hydrated through the local AppView with the viewer verified; anonymous works too',
    async () => {
      const res = await alice.agent.app.bsky.feed.getFeed(
        { feed: config.feed.uri, limit: 10 },
        { headers: { 'atproto-proxy': `${net.appViewDid}#bsky_appview` } },
      )
      expect(res.data.feed.map((f) => f.post.uri)).toEqual([made[2]!.uri, made[1]!.uri, made[0]!.uri])
      expect((res.data.feed[0]!.post.record as { text: string }).text).toBe(made[2]!.text)
      expect(res.data.feed[0]!.post.author.handle).toBe(alice.handle)
      const anonymous = new AtpAgent({ service: net.appViewUrl! })
      const anon = await anonymous.app.bsky.feed.getFeed({ feed: config.feed.uri, limit: 1 })
      expect(anon.data.feed).toHaveLength(1)
      expect(lines.join('\n')).not.toMatch(/internal error/)
    },
  )
})
