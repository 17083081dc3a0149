import { connect, createServer, type Server, type Socket } from 'node:net'
import { DidNotFoundError, IdResolver, PoorlyFormattedDidDocumentError } from '@atproto/identity'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startIndexer } from '../src/indexer'
import { LruDidCache } from '@curia/curation/did-cache'
import { isLookupUnavailable } from '../src/source/firehose'
import { readCursor } from '../src/write'
import { livePosts, memoryLogger, testConfig, waitFor } from './helpers'
import { startTestNetwork, type TestNetwork } from './network'

// Verifying a firehose commit needs its repo's signing key from the identity directory (PLC here). When the
// directory cannot be reached, nothing is known about the commit: it must not be skipped (its seq would be committed
// past and the commit lost for good), only waited for. The PLC is real; the outage is a TCP proxy in front of it
// that drops every connection until it is switched back on.

let network: TestNetwork<'alice'>
let proxy: Server
let plcUp = false
const sockets = new Set<Socket>()

beforeAll(async () => {
  network = await startTestNetwork({ accounts: ['alice'] })
  const plc = new URL(network.net.plcUrl)
  proxy = createServer((client) => {
    sockets.add(client)
    if (!plcUp) return client.destroy()
    const upstream = connect(Number(plc.port), plc.hostname)
    sockets.add(upstream)
    client.pipe(upstream).pipe(client)
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
})

afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await new Promise((resolve) => proxy?.close(resolve))
  await network?.close()
})

describe('firehose source while the identity directory cannot be reached', () => {
  it('waits at the first frame it cannot verify, skips nothing, and goes on when the directory is back', async () => {
    const { net, database, accounts } = network
    const post = await accounts.alice.agent.post({ text: 'made while PLC was away', langs: ['en'] })
    const url = net.pdsUrl.replace(/^http/, 'ws')
    // Read the PDS's whole sequence (alice's account, then her post), not just the live tail.
    await database.sql`insert into indexer_cursor (source, cursor) values (${`firehose ${url}`}, 0)`
    const log = memoryLogger()
    const indexer = await startIndexer({
      database,
      config: testConfig({ CURIA_INDEXER_SOURCE: 'firehose', CURIA_FIREHOSE_URL: url }),
      log,
      idResolver: new IdResolver({
        plcUrl: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
        fetch: globalThis.fetch,
        didCache: new LruDidCache(),
      }),
      sourceReconnect: { initialMs: 50, maxMs: 200 },
    })
    const skipped = () => Object.values(indexer.status().totals.skipped).reduce((a, b) => a + b, 0)
    try {
      const line = await waitFor(
        'the source to stall, or to skip',
        () =>
          log.lines.find((l) => l.includes('cannot verify seq')) ?? (skipped() > 0 ? 'skipped' : undefined),
        { explain: () => ({ status: indexer.status(), log: log.lines }) },
      )
      expect(skipped()).toBe(0)
      const stalledSeq = Number(/cannot verify seq (\d+)/.exec(line)?.[1])
      expect(indexer.status().source.stalled).toContain(
        `seq ${stalledSeq}: the identity directory did not answer for ${accounts.alice.did}`,
      )
      expect((await readCursor(database.sql, indexer.status().cursor.key)) ?? 0).toBeLessThan(stalledSeq)
      expect(await livePosts(database.sql)).toEqual([])

      plcUp = true
      await waitFor('the post', async () => (await livePosts(database.sql)).includes(post.uri), {
        explain: () => ({ status: indexer.status(), log: log.lines.slice(-5) }),
      })
      expect(skipped()).toBe(0)
      expect(indexer.status().source.stalled).toBeUndefined()
      expect(log.lines).toContainEqual(expect.stringContaining('identity lookups answer again'))
    } finally {
      await indexer.stop()
    }
  })
})

describe('isLookupUnavailable', () => {
  const plc = 'did:plc:alice'
  const web = 'did:web:alice.example'
  const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause })
  const coded = (code: string) => Object.assign(new Error(`connect ${code}`), { code })

  it('takes no answer from the directory for an outage', () => {
    expect(isLookupUnavailable(fetchFailed(coded('ECONNREFUSED')), plc)).toBe(true)
    expect(isLookupUnavailable(fetchFailed(coded('UND_ERR_SOCKET')), web)).toBe(true)
    expect(
      isLookupUnavailable(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), plc),
    ).toBe(true)
    expect(isLookupUnavailable(Object.assign(new Error('Service Unavailable'), { status: 503 }), plc)).toBe(
      true,
    )
    expect(isLookupUnavailable(Object.assign(new Error('Too Many Requests'), { status: 429 }), plc)).toBe(
      true,
    )
    // PLC's name not resolving is an outage on our side; a did:web host's is a DID that does not exist.
    expect(isLookupUnavailable(fetchFailed(coded('ENOTFOUND')), plc)).toBe(true)
    expect(isLookupUnavailable(fetchFailed(coded('ENOTFOUND')), web)).toBe(false)
  })

  it('takes an answer, or a frame that does not verify, for a verdict', () => {
    expect(isLookupUnavailable(new DidNotFoundError(plc), plc)).toBe(false)
    expect(isLookupUnavailable(new PoorlyFormattedDidDocumentError(plc, {}), plc)).toBe(false)
    expect(isLookupUnavailable(Object.assign(new Error('Gone'), { status: 410 }), plc)).toBe(false)
    expect(isLookupUnavailable(new Error('Invalid signature on commit: bafy'), plc)).toBe(false)
    // The safe fetch's refusal (an SSRF block) carries a made-up 502 but no response: not an outage.
    expect(
      isLookupUnavailable(Object.assign(new Error('blocked'), { statusCode: 502, request: {} }), web),
    ).toBe(false)
    // Message text is never read: it can carry a DID the sender chose.
    expect(
      isLookupUnavailable(new Error('Invalid repo did: did:web:etimedout.fetch-failed.example'), web),
    ).toBe(false)
  })
})
