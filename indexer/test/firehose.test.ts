import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mockResolvers } from '@atproto/dev-env'
import { IdResolver } from '@atproto/identity'
import { squarePng } from '@curia/devnet/png'
import { startIndexer, type Indexer } from '../src/indexer'
import { LruDidCache } from '@curia/curation/did-cache'
import { readCursor } from '../src/write'
import { freePort, livePosts, memoryLogger, postCounts, testConfig, waitFor } from './helpers'
import { startTestNetwork, type TestNetwork } from './network'

let network: TestNetwork<'alice' | 'bob'>
let indexer: Indexer
const log = memoryLogger()

beforeAll(async () => {
  network = await startTestNetwork({ accounts: ['alice', 'bob'] })
  const { net, database } = network
  const config = testConfig({
    CURIA_INDEXER_SOURCE: 'firehose',
    CURIA_FIREHOSE_URL: net.pdsUrl.replace(/^http/, 'ws'),
    CURIA_PLC_URL: net.plcUrl,
  })
  // As in production, DID documents are cached (commit verification reads them), and `.test` handles resolve
  // against the PDS.
  const idResolver = new IdResolver({
    plcUrl: net.plcUrl,
    fetch: globalThis.fetch,
    didCache: new LruDidCache(),
  })
  mockResolvers(idResolver, net.network.pds)
  indexer = await startIndexer({ database, config, log, idResolver })
})

afterAll(async () => {
  await indexer?.stop()
  await network?.close()
})

describe('firehose source against a local PDS', () => {
  it('indexes verified posts, likes, reposts, deletes and profiles made on the PDS', async () => {
    const { database } = network
    const { alice, bob } = network.accounts
    const image = await alice.agent.uploadBlob(squarePng(16, [200, 40, 40]), { encoding: 'image/png' })
    const first = await alice.agent.post({
      text: 'first #curia https://example.com',
      langs: ['en'],
      embed: {
        $type: 'app.bsky.embed.images',
        images: [{ image: image.data.blob, alt: 'a red square', aspectRatio: { width: 16, height: 16 } }],
      },
      facets: [
        {
          index: { byteStart: 6, byteEnd: 12 },
          features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'curia' }],
        },
      ],
    })
    const second = await alice.agent.post({ text: 'second', langs: ['en'] })
    const german = await alice.agent.post({ text: 'zweiter', langs: ['de'] })
    const doomed = await alice.agent.post({ text: 'doomed', langs: ['en'] })
    await bob.agent.like(first.uri, first.cid)
    const unliked = await bob.agent.like(second.uri, second.cid)
    await bob.agent.repost(first.uri, first.cid)
    await alice.agent.like(first.uri, first.cid)
    await bob.agent.deleteLike(unliked.uri)
    await alice.agent.deletePost(doomed.uri)
    await alice.agent.upsertProfile((p) => ({ ...p, displayName: 'Alice A.' }))
    const marker = await bob.agent.post({ text: 'marker', langs: ['en'] })

    await waitFor('the marker post', async () => (await livePosts(database.sql)).includes(marker.uri), {
      explain: () => ({ status: indexer.status(), log: log.lines.slice(-10) }),
    })
    expect(await livePosts(database.sql)).toEqual([first.uri, second.uri, marker.uri].sort())
    const counts = await postCounts(database.sql)
    expect(counts[first.uri]).toEqual({ likes: 2, reposts: 1, deleted: false })
    expect(counts[second.uri]).toEqual({ likes: 0, reposts: 0, deleted: false })
    expect(counts[german.uri]).toBeUndefined() // not a candidate
    // Deleted: a tombstone, or no row at all when its create and delete landed in the same batch.
    expect(counts[doomed.uri]?.deleted ?? true).toBe(true)

    const [row] = await database.sql<
      { embed: unknown; facets: unknown; text: string }[]
    >`select embed, facets, text from post where uri = ${first.uri}`
    expect(row?.embed).toEqual({
      kind: 'images',
      images: [
        { cid: image.data.blob.ref.toString(), alt: 'a red square', aspectRatio: { width: 16, height: 16 } },
      ],
    })
    expect(row?.facets).toEqual([{ kind: 'tag', byteStart: 6, byteEnd: 12, tag: 'curia' }])

    const [author] = await database.sql<
      { display_name: string | null }[]
    >`select display_name from author where did = ${alice.did}`
    expect(author?.display_name).toBe('Alice A.')

    const status = indexer.status()
    expect(status.source).toMatchObject({ kind: 'firehose', connected: true })
    expect(Object.values(status.totals.skipped).every((n) => n === 0)).toBe(true)
    expect(status.totals.filtered).toBe(1)
    await waitFor(
      'the cursor to be committed',
      async () => (await readCursor(database.sql, status.cursor.key)) === status.cursor.committed,
    )
    expect(status.cursor.committed).toBeGreaterThan(0)
  })

  it('stores a handle change, verified against the DID document read afresh rather than the cached one', async () => {
    const { database } = network
    const { alice } = network.accounts
    const handle = async () =>
      (await database.sql<{ handle: string | null }[]>`select handle from author where did = ${alice.did}`)[0]
        ?.handle
    // Her document is cached with the old handle (her commits were verified against it moments ago).
    await alice.agent.com.atproto.identity.updateHandle({ handle: 'alice-renamed.test' })
    await waitFor('the new handle', async () => (await handle()) === 'alice-renamed.test', {
      timeoutMs: 15_000,
      explain: () => ({ status: indexer.status(), log: log.lines.slice(-10) }),
    })
  })

  it('records an account that deactivates as inactive, and clears it when it comes back', async () => {
    const { database } = network
    const { bob } = network.accounts
    const bobStatus = async () =>
      (await database.sql<{ status: string | null }[]>`select status from author where did = ${bob.did}`)[0]
        ?.status
    await bob.agent.com.atproto.server.deactivateAccount({})
    await waitFor('the deactivation', async () => (await bobStatus()) === 'deactivated', {
      explain: () => ({ status: indexer.status(), log: log.lines.slice(-10) }),
    })
    await bob.agent.com.atproto.server.activateAccount()
    await waitFor('the reactivation', async () => (await bobStatus()) === null)
  })
})

describe('firehose source with no relay to reach', () => {
  it('says plainly that it cannot reach the endpoint, keeps retrying, and stops cleanly', async () => {
    const { net, database } = network
    const port = await freePort() // nothing listens there
    const url = `ws://127.0.0.1:${port}`
    const offlineLog = memoryLogger()
    const offline = await startIndexer({
      database,
      config: testConfig({
        CURIA_INDEXER_SOURCE: 'firehose',
        CURIA_FIREHOSE_URL: url,
        CURIA_PLC_URL: net.plcUrl,
      }),
      log: offlineLog,
      idResolver: net.idResolver,
    })
    const line = await waitFor('a refused attempt', () =>
      offlineLog.lines.find((l) => l.includes(`cannot reach the firehose at ${url} (offline?)`)),
    )
    expect(line).toMatch(/retrying in \d+s; the feed keeps serving what is already indexed$/)
    expect(offline.status().source).toMatchObject({ kind: 'firehose', connected: false })
    await offline.stop()
    expect(offline.status().state).toBe('stopped')
  })
})
