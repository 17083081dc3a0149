import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { post, type Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { startNetwork, type DevAccount, type DevNetwork } from '@curia/devnet'
import { squarePng } from '@curia/devnet/png'
import { MICRO } from '../src/market/lmsr'
import { DEFAULT_MARKET_PARAMS } from '../src/market/params'
import {
  createNetworkAuthorLookup,
  createNetworkIdentity,
  resolveAccount,
  resolveAuthors,
  retryDelayMs,
  type AuthorLookup,
} from '../src/service/author-profiles'
import { setupLedger } from '../src/service/ledger'
import { expectRefusal } from './helpers'
import { openMarket } from '../src/service/market'

/**
 * Authors the stream never described (profiles made before Curia was listening), read from a real local network:
 * PLC for the DID document, the PDS for handle verification and the profile record.
 */
let net: DevNetwork
let database: Database
let alice: DevAccount
let bob: DevAccount
let lookup: AuthorLookup
/** A handle resolver that names someone else for every handle: every DID document's handle fails to verify. */
let liar: Server
const ghost = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'
const now = new Date()

type AuthorRow = {
  handle: string | null
  displayName: string | null
  avatarCid: string | null
  resolved: boolean
  failures: number
}

async function author(did: string): Promise<AuthorRow | undefined> {
  const [row] = await database.sql<AuthorRow[]>`
    select handle, display_name as "displayName", avatar_cid as "avatarCid",
           resolved_at is not null as resolved, resolve_failures as failures
    from author where did = ${did}`
  return row
}

async function postWithMarket(did: string, rkey: string): Promise<void> {
  const uri = `at://${did}/app.bsky.feed.post/${rkey}`
  await database.db.insert(post).values({
    uri,
    cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
    authorDid: did,
    text: rkey,
    createdAt: now,
  })
  await openMarket(database, { postUri: uri, now, params: DEFAULT_MARKET_PARAMS })
}

const run = (l: AuthorLookup = lookup, at = now, sinceMarketId = 0) =>
  resolveAuthors(database, l, { limit: 50, concurrency: 4, now: at, sinceMarketId })

beforeAll(async () => {
  net = await startNetwork()
  database = await createTestDatabase()
  await setupLedger(database, { treasuryFundingMicro: 1_000_000n * MICRO, now })
  alice = await net.createAccount('alice')
  bob = await net.createAccount('bob')
  // Alice's profile exists before Curia hears of her; Bob never made one.
  const avatar = await alice.agent.uploadBlob(squarePng(8, [200, 40, 40]), { encoding: 'image/png' })
  await alice.agent.upsertProfile(() => ({ displayName: 'Alice Liddell', avatar: avatar.data.blob }))
  lookup = createNetworkAuthorLookup({
    plcUrl: net.plcUrl,
    handleResolver: net.pdsUrl,
    recordSourceUrl: net.pdsUrl,
    allowHttp: true,
  })
  liar = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ did: 'did:plc:bbbbbbbbbbbbbbbbbbbbbbbb' }))
  })
  await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve))
}, 120_000)

afterAll(async () => {
  liar?.close()
  await database?.close()
  await net?.close()
})

describe('resolving authors of market posts', () => {
  it('reads the verified handle, display name and avatar of authors the stream never described', async () => {
    await postWithMarket(alice.did, 'a1')
    await postWithMarket(bob.did, 'b1')
    // An author with posts but no market is not looked up: nothing shows their posts.
    await database.db.insert(post).values({
      uri: `at://did:plc:cccccccccccccccccccccccc/app.bsky.feed.post/x`,
      cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
      authorDid: 'did:plc:cccccccccccccccccccccccc',
      text: 'no market',
      createdAt: now,
    })

    expect(await run()).toMatchObject({ resolved: 2, failed: 0, more: false })
    const a = await author(alice.did)
    expect(a).toMatchObject({
      handle: alice.handle,
      displayName: 'Alice Liddell',
      resolved: true,
      failures: 0,
    })
    expect(a?.avatarCid).toMatch(/^bafkrei/)
    // No profile record: nameless but resolved (not a failure to retry).
    expect(await author(bob.did)).toMatchObject({
      handle: bob.handle,
      displayName: null,
      resolved: true,
      failures: 0,
    })
    expect(await author('did:plc:cccccccccccccccccccccccc')).toBeUndefined()

    // Resolved authors are not read again: the stream keeps them current from here on.
    expect(await run()).toMatchObject({ resolved: 0, failed: 0, more: false })
  })

  it('retries an author it cannot resolve with a doubling backoff, and counts the failures', async () => {
    await postWithMarket(ghost, 'g1')
    expect(await run()).toMatchObject({ resolved: 0, failed: 1, more: false })
    expect(await author(ghost)).toMatchObject({ handle: null, displayName: null, failures: 1 })

    expect((await run()).failed).toBe(0) // within the backoff
    const later = new Date(Date.now() + retryDelayMs(1) + 1_000)
    expect((await run(lookup, later)).failed).toBe(1)
    expect((await author(ghost))?.failures).toBe(2)
    expect(retryDelayMs(2)).toBe(2 * retryDelayMs(1))
    expect(retryDelayMs(40)).toBe(24 * 3_600_000)
  })

  it('does not overwrite what the stream wrote while the lookup was in flight', async () => {
    const carol = await net.createAccount('carol')
    await carol.agent.upsertProfile(() => ({ displayName: 'Carol (old)' }))
    await postWithMarket(carol.did, 'c1')
    // The stream brings Carol's new name while her lookup is reading the network.
    const racing: AuthorLookup = {
      async lookup(did, signal) {
        const found = await lookup.lookup(did, signal)
        await database.sql`
          insert into author (did, display_name, updated_at) values (${did}, 'Carol (from the stream)', now())
          on conflict (did) do update set display_name = excluded.display_name, updated_at = now()`
        return found
      },
    }
    expect((await run(racing)).resolved).toBe(1)
    expect(await author(carol.did)).toMatchObject({
      displayName: 'Carol (from the stream)',
      resolved: true,
      failures: 0,
    })
  })

  it('keeps no handle that does not resolve back to the same DID', async () => {
    const dave = await net.createAccount('dave')
    await dave.agent.upsertProfile(() => ({ displayName: 'Dave' }))
    await postWithMarket(dave.did, 'd1')
    const lied = createNetworkAuthorLookup({
      plcUrl: net.plcUrl,
      handleResolver: `http://127.0.0.1:${(liar.address() as AddressInfo).port}`,
      recordSourceUrl: net.pdsUrl,
      allowHttp: true,
    })
    expect((await run(lied)).resolved).toBe(1)
    expect(await author(dave.did)).toMatchObject({ handle: null, displayName: 'Dave', resolved: true })
  })

  it('treats an unreachable record source as a failure, not as an author without a profile', async () => {
    const erin = await net.createAccount('erin')
    await erin.agent.upsertProfile(() => ({ displayName: 'Erin' }))
    await postWithMarket(erin.did, 'e1')
    const down = createNetworkAuthorLookup({
      plcUrl: net.plcUrl,
      handleResolver: net.pdsUrl,
      recordSourceUrl: 'http://127.0.0.1:9', // discard port: connection refused
      allowHttp: true,
    })
    expect(await run(down)).toMatchObject({ resolved: 0, failed: 1, more: false })
    expect(await author(erin.did)).toMatchObject({ displayName: null, resolved: true, failures: 1 })
    // After the backoff, with the source back, the name arrives and the failures reset.
    expect((await run(lookup, new Date(Date.now() + retryDelayMs(1) + 1_000))).resolved).toBe(1)
    expect(await author(erin.did)).toMatchObject({ displayName: 'Erin', failures: 0 })
  })

  it('scans only markets past the watermark for new authors, and finds due retries whatever the watermark', async () => {
    const frank = await net.createAccount('frank')
    await frank.agent.upsertProfile(() => ({ displayName: 'Frank' }))
    await postWithMarket(frank.did, 'f1')
    const [row] = await database.sql<{ newest: number }[]>`select max(id)::float8 as newest from market`
    const newest = row!.newest
    // Everything up to the newest market was scanned already: Frank's market is not looked at again...
    expect(await run(lookup, now, newest)).toMatchObject({ resolved: 0, failed: 0, newestMarketId: newest })
    expect((await author(frank.did))?.resolved).toBeFalsy()
    // ...but the ghost's retry is found (its backoff has passed by then), and a scan from below finds Frank.
    const later = new Date(Date.now() + retryDelayMs(2) + 1_000)
    expect(await run(lookup, later, newest)).toMatchObject({ resolved: 0, failed: 1 })
    expect((await author(ghost))?.failures).toBe(3)
    expect(await run(lookup, now, newest - 1)).toMatchObject({ resolved: 1, failed: 0 })
    expect(await author(frank.did)).toMatchObject({ displayName: 'Frank', resolved: true })
  })

  it('never lets a did:web author point a production lookup at a private address', async () => {
    // A "DID document host" on loopback, standing in for an internal service (a metadata endpoint, an admin port).
    let connections = 0
    const internal = createServer((_req, res) => res.end('{}'))
    internal.on('connection', () => connections++)
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve))
    const port = (internal.address() as AddressInfo).port
    try {
      // An IP-literal host is no valid did:web; a name is fetched only over https, never from a private address.
      const authors = [`did:web:127.0.0.1%3A${port}`, `did:web:localhost%3A${port}`]
      for (const did of authors) await postWithMarket(did, 'w1')
      const production = createNetworkAuthorLookup({ plcUrl: net.plcUrl, recordSourceUrl: net.pdsUrl })
      const signal = AbortSignal.timeout(10_000)
      for (const did of authors) expect(await production.lookup(did, signal)).toBeUndefined()
      expect(connections).toBe(0)
      // Through the service's own pass too: counted as failures to retry, nothing written but the backoff.
      expect(await run(production)).toMatchObject({ resolved: 0, failed: 2 })
      expect(connections).toBe(0)
      for (const did of authors) expect(await author(did)).toMatchObject({ handle: null, failures: 1 })
      // The local-network lookup does reach it: what the production fetch refuses is a real request.
      await lookup.lookup(`did:web:localhost%3A${port}`, signal)
      expect(connections).toBeGreaterThan(0)
    } finally {
      internal.close()
    }
  })

  it('keeps a stored verified handle when a lookup verifies none, but not a stored handle.invalid', async () => {
    const [hana, ivan] = [await net.createAccount('hana'), await net.createAccount('ivan')]
    // What an indexer from before handles were verified on Jetstream could have stored.
    await database.sql`
      insert into author (did, handle) values (${hana.did}, 'handle.invalid'), (${ivan.did}, ${ivan.handle})`
    await postWithMarket(hana.did, 'h1')
    await postWithMarket(ivan.did, 'i1')
    const lied = createNetworkAuthorLookup({
      plcUrl: net.plcUrl,
      handleResolver: `http://127.0.0.1:${(liar.address() as AddressInfo).port}`,
      recordSourceUrl: net.pdsUrl,
      allowHttp: true,
    })
    expect((await run(lied)).resolved).toBe(2)
    expect(await author(hana.did)).toMatchObject({ handle: null, resolved: true })
    expect(await author(ivan.did)).toMatchObject({ handle: ivan.handle, resolved: true })
  })
})

describe('resolving an account a person typed (the operator allowing someone by handle)', () => {
  it('a handle, any case, with or without @, becomes its DID once the DID document claims it back', async () => {
    const identity = createNetworkIdentity({
      plcUrl: net.plcUrl,
      handleResolver: net.pdsUrl,
      allowHttp: true,
    })
    for (const typed of [alice.handle, `@${alice.handle.toUpperCase()}`, `  ${alice.handle} `]) {
      expect(await resolveAccount(identity, typed)).toEqual({ did: alice.did, handle: alice.handle })
    }
    // A DID is taken as given, with no lookup.
    expect(await resolveAccount(identity, bob.did)).toEqual({ did: bob.did, handle: null })
  })

  it('refuses a handle nobody holds, or one a resolver maps to an account that does not claim it', async () => {
    const identity = createNetworkIdentity({
      plcUrl: net.plcUrl,
      handleResolver: net.pdsUrl,
      allowHttp: true,
    })
    await expectRefusal('unknown_account', () => resolveAccount(identity, 'nobody-holds-this.test'))
    await expectRefusal('bad_request', () => resolveAccount(identity, 'not a handle'))
    await expectRefusal('bad_request', () => resolveAccount(identity, ''))
    const lied = createNetworkIdentity({
      plcUrl: net.plcUrl,
      handleResolver: `http://127.0.0.1:${(liar.address() as AddressInfo).port}`,
      allowHttp: true,
    })
    await expectRefusal('unknown_account', () => resolveAccount(lied, alice.handle))
  })
})
