import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { startIndexer, type Indexer } from '../src/indexer'
import { startStatusServer } from '../src/status-server'
import { readCursor } from '../src/write'
import { freePort, livePosts, memoryLogger, postCounts, testConfig, waitFor } from './helpers'
import { startTestNetwork, type RelayedTestNetwork } from './network'

let network: RelayedTestNetwork<'alice' | 'bob'>

beforeAll(async () => {
  network = await startTestNetwork({ relay: true, accounts: ['alice', 'bob'] })
})

afterAll(() => network?.close())

const fastReconnect = { initialMs: 50, maxMs: 400 }

describe('Jetstream source against the devnet relay', () => {
  let indexer: Indexer
  const log = memoryLogger()

  it('indexes posts, engagement, deletes, profiles and handles, and serves its status', async () => {
    const { relay, database } = network
    const { alice, bob } = network.accounts
    indexer = await startIndexer({
      database,
      config: testConfig({ CURIA_JETSTREAM_URL: relay.url }),
      log,
      // Resolves the local PLC, and `.test` handles against the PDS, to verify identity events' handles.
      idResolver: network.net.idResolver,
      sourceReconnect: fastReconnect,
    })
    const server = await startStatusServer({ status: () => indexer.status(), port: 0 })
    try {
      const quoted = await bob.agent.post({ text: 'quote me', langs: ['en'] })
      const post = await alice.agent.post({
        text: 'hello jetstream',
        langs: ['en-US'],
        embed: { $type: 'app.bsky.embed.record', record: { uri: quoted.uri, cid: quoted.cid } },
      })
      const reply = await bob.agent.post({
        text: 'a reply',
        langs: ['en'],
        reply: { root: { uri: post.uri, cid: post.cid }, parent: { uri: post.uri, cid: post.cid } },
      })
      const doomed = await alice.agent.post({ text: 'delete me', langs: ['en'] })
      await bob.agent.like(post.uri, post.cid)
      await bob.agent.repost(post.uri, post.cid)
      await bob.agent.like(doomed.uri, doomed.cid)
      await alice.agent.deletePost(doomed.uri)
      await bob.agent.upsertProfile((p) => ({ ...p, displayName: 'Bob B.' }))
      await alice.agent.com.atproto.identity.updateHandle({ handle: 'alice2.test' })
      const marker = await alice.agent.post({ text: 'marker', langs: ['en'] })

      await waitFor('the marker post', async () => (await livePosts(database.sql)).includes(marker.uri), {
        explain: () => ({ status: indexer.status(), log: log.lines.slice(-10) }),
      })
      expect(await livePosts(database.sql)).toEqual([quoted.uri, post.uri, marker.uri].sort())
      const counts = await postCounts(database.sql)
      expect(counts[post.uri]).toEqual({ likes: 1, reposts: 1, deleted: false })
      // A tombstone, or no row at all when its create and delete landed in the same batch.
      expect(counts[doomed.uri] ?? { likes: 0, reposts: 0, deleted: true }).toEqual({
        likes: 0,
        reposts: 0,
        deleted: true,
      })
      expect(counts[reply.uri]).toBeUndefined() // replies are not candidates by default

      const [row] = await database.sql<{ quote_uri: string; embed: unknown; langs: string[] }[]>`
        select quote_uri, embed, langs from post where uri = ${post.uri}`
      expect(row).toEqual({
        quote_uri: quoted.uri,
        embed: { kind: 'record', uri: quoted.uri },
        langs: ['en-US'],
      })

      await waitFor('the handle change', async () => {
        const rows = await database.sql<
          { handle: string | null }[]
        >`select handle from author where did = ${alice.did}`
        return rows[0]?.handle === 'alice2.test'
      })
      const [bobRow] = await database.sql<
        { display_name: string }[]
      >`select display_name from author where did = ${bob.did}`
      expect(bobRow?.display_name).toBe('Bob B.')

      const response = await fetch(server.url)
      expect(response.status).toBe(200)
      const body = (await response.json()) as ReturnType<Indexer['status']>
      expect(body.source).toMatchObject({ kind: 'jetstream', connected: true })
      expect(body.totals.received).toBeGreaterThan(0)
      // The like of the deleted post is counted then removed, or never written when both share a batch.
      expect(body.totals.engagementAdded).toBeGreaterThanOrEqual(2)
      expect(typeof body.lagMs).toBe('number')
      expect((await fetch(server.url.replace('/status', '/nope'))).status).toBe(404)
    } finally {
      await server.close()
    }
  })

  it('reconnects after the relay drops it, resuming from its cursor with nothing lost', async () => {
    const { relay, database } = network
    const { alice } = network.accounts
    const before = indexer.status().source.reconnects
    relay.pause() // drops every client and refuses new ones until resumed
    const during = [
      await alice.agent.post({ text: 'while the relay is down 1', langs: ['en'] }),
      await alice.agent.post({ text: 'while the relay is down 2', langs: ['en'] }),
    ]
    await waitFor('a failed reconnect', () => indexer.status().source.reconnects >= before + 2)
    expect(indexer.status().source.connected).toBe(false)
    relay.resume()
    const after = await alice.agent.post({ text: 'after the relay came back', langs: ['en'] })
    await waitFor('every post made during the outage', async () => {
      const live = await livePosts(database.sql)
      return [...during, after].every((p) => live.includes(p.uri))
    })
    expect(indexer.status().source.connected).toBe(true)
    expect(log.lines.some((l) => l.includes('Jetstream connection lost'))).toBe(true)
  })

  it('stops cleanly with the cursor committed, and a restart resumes from it without double counting', async () => {
    const { relay, database } = network
    const { alice, bob } = network.accounts
    const post = await alice.agent.post({ text: 'before restart', langs: ['en'] })
    await bob.agent.like(post.uri, post.cid)
    await waitFor('the like', async () => (await postCounts(database.sql))[post.uri]?.likes === 1)
    await indexer.stop()
    const saved = await readCursor(database.sql, 'jetstream')
    expect(saved).toBe(indexer.status().cursor.committed)

    const whileStopped = await alice.agent.post({ text: 'while stopped', langs: ['en'] })
    await bob.agent.like(whileStopped.uri, whileStopped.cid)
    indexer = await startIndexer({
      database,
      config: testConfig({ CURIA_JETSTREAM_URL: relay.url }),
      log,
      idResolver: network.net.idResolver,
      sourceReconnect: fastReconnect,
    })
    await waitFor(
      'the like made while stopped',
      async () => (await postCounts(database.sql))[whileStopped.uri]?.likes === 1,
    )
    expect((await postCounts(database.sql))[post.uri]?.likes).toBe(1)
    await indexer.stop()
  })
})

describe("Jetstream identity events' handles", () => {
  // Jetstream passes a PDS's handle claim through unverified, or `handle.invalid` when the relay could not verify
  // it. A local server playing Jetstream sends identity events with such claims; the PLC and PDS are real.
  it('stores a handle only when the DID document names it and it resolves back to the DID', async () => {
    const { net, database } = network
    const { bob } = network.accounts
    const carol = await net.createAccount('carol')
    const randomDid = () =>
      `did:plc:${Array.from(randomBytes(24), (b) => 'abcdefghijklmnopqrstuvwxyz234567'[b % 32]).join('')}`
    const stranger = randomDid() // not in PLC, with a handle stored already
    const impostor = randomDid() // not in PLC
    await database.sql`insert into author (did, handle) values (${stranger}, 'kept.test')`
    const t0 = Date.now() * 1000
    const identity = (i: number, did: string, handle: string) =>
      JSON.stringify({
        did,
        time_us: t0 + i,
        kind: 'identity',
        identity: { did, handle, seq: i, time: new Date().toISOString() },
      })
    const frames = [
      identity(1, carol.did, 'carol.test'), // true: stored
      identity(2, bob.did, 'carol.test'), // someone else's handle: bob's own, verified, is stored instead
      identity(3, stranger, 'handle.invalid'), // the stored handle stays
      identity(4, impostor, 'carol.test'), // a DID that does not resolve: nothing stored
      identity(5, carol.did, 'handle.invalid'), // carol's handle still verifies: it stays
    ]
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
    await once(wss, 'listening')
    wss.on('connection', (ws) => {
      for (const frame of frames) ws.send(frame)
    })
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/subscribe`
    const log = memoryLogger()
    // The indexer's own resolver, as `npm start` and the demo configure it: the local PLC, and `.test` handles
    // (in no DNS) resolved back through the PDS, the service the curation service and sign-in use too.
    const indexer = await startIndexer({
      database,
      config: testConfig({
        CURIA_JETSTREAM_URL: url,
        CURIA_PLC_URL: net.plcUrl,
        CURIA_OAUTH_HANDLE_RESOLVER: net.pdsUrl,
      }),
      log,
      sourceReconnect: fastReconnect,
    })
    try {
      await waitFor('the last identity event', () => (indexer.status().cursor.committed ?? 0) >= t0 + 5, {
        explain: () => ({ status: indexer.status(), log: log.lines.slice(-5) }),
      })
      const dids = [carol.did, bob.did, stranger, impostor]
      const rows = await database.sql<{ did: string; handle: string | null }[]>`
        select did, handle from author where did = any(${database.sql.array(dids)}::text[])`
      expect(Object.fromEntries(rows.map((r) => [r.did, r.handle]))).toEqual({
        [carol.did]: 'carol.test',
        [bob.did]: 'bob.test',
        [stranger]: 'kept.test',
      })
    } finally {
      await indexer.stop()
      for (const client of wss.clients) client.terminate()
      await new Promise((resolve) => wss.close(resolve))
    }
  })
})

describe('Jetstream source with no Jetstream to reach', () => {
  it('says plainly that it cannot reach the endpoint, keeps retrying, and stops cleanly', async () => {
    const { database } = network
    const port = await freePort() // nothing listens there
    const url = `ws://127.0.0.1:${port}/subscribe`
    const log = memoryLogger()
    const indexer = await startIndexer({
      database,
      config: testConfig({ CURIA_JETSTREAM_URL: url }),
      log,
      sourceReconnect: fastReconnect,
    })
    await waitFor(
      'two refused attempts',
      () => log.lines.filter((l) => l.includes(`cannot reach Jetstream at ${url} (offline?)`)).length >= 2,
    )
    expect(log.lines.find((l) => l.includes('cannot reach'))).toMatch(
      /retrying in \d+s; the feed keeps serving what is already indexed$/,
    )
    expect(indexer.status().source.connected).toBe(false)
    await indexer.stop()
    expect(indexer.status().state).toBe('stopped')
  })
})
