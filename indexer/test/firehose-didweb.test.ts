import { createServer, type Server, type Socket } from 'node:net'
import { IdResolver } from '@atproto/identity'
import { Frame, MessageFrame } from '@atproto/xrpc-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { startIndexer } from '../src/indexer'
import { LruDidCache } from '@curia/curation/did-cache'
import { livePosts, memoryLogger, testConfig, waitFor } from './helpers'
import { startTestNetwork, type TestNetwork } from './network'

// A did:web's document lives on the account's own host. A host that accepts connections and never answers must not
// hold the whole stream the way a PLC outage rightly does: after a bounded wait its event is skipped as unverified
// and the events behind it go on. The PDS is real; between it and the indexer a relay re-sends its firehose with
// one commit's repo renamed to a did:web on such a host.

let network: TestNetwork<'alice'>
let hangingHost: Server
let relay: WebSocketServer
const held = new Set<Socket>()
/** The rkey of the post whose commit the relay attributes to the hanging did:web. */
let renameRkey = ''
let hangingDid = ''

beforeAll(async () => {
  network = await startTestNetwork({ accounts: ['alice'] })
  hangingHost = createServer((socket) => void held.add(socket))
  await new Promise<void>((resolve) => hangingHost.listen(0, '127.0.0.1', resolve))
  hangingDid = `did:web:localhost%3A${(hangingHost.address() as { port: number }).port}`

  const pds = network.net.pdsUrl.replace(/^http/, 'ws')
  relay = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  relay.on('connection', (client, req) => {
    const upstream = new WebSocket(`${pds}${req.url ?? ''}`)
    upstream.on('message', (data: Buffer) => {
      const frame = Frame.fromBytes(new Uint8Array(data))
      const body = frame.body as { repo?: string; ops?: { path: string }[] }
      if (
        frame instanceof MessageFrame &&
        frame.type === '#commit' &&
        body.ops?.some((op) => op.path === `app.bsky.feed.post/${renameRkey}`)
      ) {
        const renamed = new MessageFrame({ ...(frame.body as object), repo: hangingDid }, { type: '#commit' })
        return client.send(renamed.toBytes())
      }
      client.send(data)
    })
    upstream.on('close', () => client.close())
    upstream.on('error', () => client.close())
    client.on('close', () => upstream.close())
  })
  await new Promise<void>((resolve) => relay.once('listening', resolve))
})

afterAll(async () => {
  for (const socket of held) socket.destroy()
  await new Promise((resolve) => hangingHost?.close(resolve))
  await new Promise((resolve) => relay?.close(resolve))
  await network?.close()
})

describe('firehose source and a did:web host that never answers', () => {
  it('waits a bounded time, skips that one event as unverified, and indexes the events behind it', async () => {
    const { net, database, accounts } = network
    const hung = await accounts.alice.agent.post({ text: 'attributed to a host that hangs', langs: ['en'] })
    renameRkey = hung.uri.split('/').pop()!
    const after = await accounts.alice.agent.post({ text: 'made after it', langs: ['en'] })
    const url = `ws://127.0.0.1:${(relay.address() as { port: number }).port}`
    await database.sql`insert into indexer_cursor (source, cursor) values (${`firehose ${url}`}, 0)`
    const log = memoryLogger()
    const indexer = await startIndexer({
      database,
      config: testConfig({
        CURIA_INDEXER_SOURCE: 'firehose',
        CURIA_FIREHOSE_URL: url,
        CURIA_DIDWEB_WAIT_MS: '1500',
      }),
      log,
      idResolver: new IdResolver({
        plcUrl: net.plcUrl,
        timeout: 200,
        fetch: globalThis.fetch,
        didCache: new LruDidCache(),
      }),
      sourceReconnect: { initialMs: 50, maxMs: 200 },
    })
    try {
      // While the host hangs, the stream waits at its event, as for any lookup that gets no answer.
      await waitFor('the source to wait on the did:web host', () =>
        indexer.status().source.stalled?.includes(hangingDid),
      )
      expect(await livePosts(database.sql)).toEqual([])

      await waitFor('the post behind it', async () => (await livePosts(database.sql)).includes(after.uri), {
        explain: () => ({ status: indexer.status(), log: log.lines.slice(-5) }),
      })
      expect(await livePosts(database.sql)).toEqual([after.uri])
      expect(indexer.status().totals.skipped).toMatchObject({ unverified_commit: 1 })
      expect(indexer.status().source.stalled).toBeUndefined()
      expect(log.lines).toContainEqual(
        expect.stringMatching(/cannot verify seq \d+: .*did:web:localhost.*skipped/),
      )
    } finally {
      await indexer.stop()
    }
  })
})
