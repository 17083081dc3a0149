import { createConnection, createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DevAccount } from '@curia/devnet'
import { startIndexer, type Indexer } from '../src/indexer'
import { PushSource, freePort, livePosts, memoryLogger, testConfig, waitFor } from './helpers'
import { createRecord, deleteRecord, startTestNetwork, type TestNetwork } from './network'

// alice owns the lists; bob is added to the candidate list while the indexer runs, then removed; carol is on no
// candidate list (only on another of alice's lists); dave is on the candidate list before the indexer starts, found
// by the backfill.
let network: TestNetwork<'alice' | 'bob' | 'carol' | 'dave'>
let indexer: Indexer
let list: string
/** A second candidate list, longer than one listRecords page. */
let bigList: string
const BIG = 130
const log = memoryLogger()

const createList = async (name: string) =>
  (
    await createRecord(network.accounts.alice, 'app.bsky.graph.list', {
      name,
      purpose: 'app.bsky.graph.defs#curatelist',
    })
  ).uri
const addToList = async (listUri: string, subject: string) =>
  (await createRecord(network.accounts.alice, 'app.bsky.graph.listitem', { list: listUri, subject })).uri
// Posts in English; the feed is for Japanese, so only a list member's posts are candidates.
const post = async (who: DevAccount, text: string) => (await who.agent.post({ text, langs: ['en'] })).uri

beforeAll(async () => {
  network = await startTestNetwork({ accounts: ['alice', 'bob', 'carol', 'dave'] })
})

afterAll(async () => {
  await indexer?.stop()
  await network?.close()
})

describe('a candidate list on the local network', () => {
  it('backfills the items made before the indexer started, and drops stored items the list no longer has', async () => {
    const { net, database } = network
    const { alice, carol, dave } = network.accounts
    list = await createList('Curia picks')
    const otherList = await createList('Not for the feed')
    const daveItem = await addToList(list, dave.did)
    await addToList(otherList, carol.did)
    bigList = await createList('Long')
    await alice.agent.com.atproto.repo.applyWrites({
      repo: alice.did,
      writes: Array.from({ length: BIG }, (_, i) => ({
        $type: 'com.atproto.repo.applyWrites#create' as const,
        collection: 'app.bsky.graph.listitem',
        value: {
          $type: 'app.bsky.graph.listitem',
          list: bigList,
          subject: `did:plc:member${String(i).padStart(4, '0')}`,
          createdAt: new Date().toISOString(),
        },
      })),
    })
    // An item of the list from an earlier run, deleted while the indexer was away (and the stream cannot replay).
    const gone = `at://${alice.did}/app.bsky.graph.listitem/3kgoneitem22`
    await database.sql`
      insert into candidate_list_item (uri, list_uri, subject_did) values (${gone}, ${list}, ${carol.did})`

    indexer = await startIndexer({
      database,
      config: testConfig({
        CURIA_INDEXER_SOURCE: 'firehose',
        CURIA_FIREHOSE_URL: net.pdsUrl.replace(/^http/, 'ws'),
        CURIA_PLC_URL: net.plcUrl,
        CURIA_CANDIDATE_LISTS: `${list},${bigList}`,
        CURIA_CANDIDATE_LANGS: 'ja',
      }),
      log,
      idResolver: net.idResolver,
    })
    // Every page of the long list was read.
    expect(indexer.status().candidateLists).toEqual({ lists: 2, members: 1 + BIG, unloaded: [] })
    const rows = await database.sql<{ uri: string; subject_did: string }[]>`
      select uri, subject_did from candidate_list_item where list_uri = ${list} order by uri`
    expect(rows.map((r) => [r.uri, r.subject_did])).toEqual([[daveItem, dave.did]])
    const [big] = await database.sql<{ n: number }[]>`
      select count(distinct subject_did)::int as n from candidate_list_item where list_uri = ${bigList}`
    expect(big?.n).toBe(BIG)
    expect(log.lines.find((l) => l.includes(`candidate list ${list}: 1 member (1 item)`))).toContain(
      'removed 1 stored item no longer on it',
    )

    const davePost = await post(dave, 'on the list before the indexer started')
    await waitFor(
      'the backfilled member post',
      async () => (await livePosts(database.sql)).includes(davePost),
      {
        explain: () => ({ status: indexer.status(), log: log.lines.slice(-10) }),
      },
    )
  })

  it("follows the list live: a member's posts are candidates, a non-member's are not, and leaving stops new ones", async () => {
    const { database } = network
    const { alice, bob, carol, dave } = network.accounts
    const bobItem = await addToList(list, bob.did)
    const bobPost = await post(bob, 'added to the list')
    const carolPost = await post(carol, 'on another list only')
    await waitFor('the new member post', async () => (await livePosts(database.sql)).includes(bobPost), {
      explain: () => ({ status: indexer.status(), log: log.lines.slice(-10) }),
    })
    expect(indexer.status().candidateLists.members).toBe(2 + BIG)

    await deleteRecord(alice, bobItem)
    const bobLater = await post(bob, 'removed from the list')
    const marker = await post(dave, 'marker')
    await waitFor('the marker post', async () => (await livePosts(database.sql)).includes(marker))
    const live = await livePosts(database.sql)
    expect(live).toContain(bobPost) // indexed while bob was a member: it stays
    expect(live).not.toContain(bobLater)
    expect(live).not.toContain(carolPost)
    const bobItems = await database.sql`select 1 from candidate_list_item where subject_did = ${bob.did}`
    expect(bobItems.length).toBe(0)
    expect(indexer.status().candidateLists.members).toBe(1 + BIG)
    expect(Object.values(indexer.status().totals.skipped).every((count) => count === 0)).toBe(true)
  })

  it('keeps retrying a list it cannot read, and loads it once the network answers', async () => {
    const { net, database } = network
    const { carol } = network.accounts
    await indexer.stop()
    const laterList = await createList('Made while the indexer was away')
    const item = await addToList(laterList, carol.did)
    // The indexer's PLC is reached through a proxy that is down at first, as when the machine is offline.
    const port = await freePort()
    const plc = new URL(net.plcUrl)
    const retryLog = memoryLogger()
    const source = new PushSource() // no stream: only the backfill can find the item
    const offline = await startIndexer({
      database,
      config: testConfig({
        CURIA_PLC_URL: `http://127.0.0.1:${port}`,
        CURIA_CANDIDATE_LISTS: laterList,
        CURIA_CANDIDATE_LANGS: 'ja',
      }),
      log: retryLog,
      source,
      listRetry: { initialMs: 100, maxMs: 500 },
    })
    let proxy: Server | undefined
    try {
      expect(offline.status().candidateLists).toEqual({ lists: 1, members: 0, unloaded: [laterList] })
      expect(
        retryLog.lines.find((l) => l.includes(`candidate list ${laterList}: cannot load its members`)),
      ).toMatch(/ECONNREFUSED|fetch failed/)
      proxy = await new Promise<Server>((resolve) => {
        const server = createServer((socket) => {
          const upstream = createConnection(Number(plc.port), plc.hostname)
          socket.pipe(upstream).pipe(socket)
          socket.on('error', () => upstream.destroy())
          upstream.on('error', () => socket.destroy())
        }).listen(port, '127.0.0.1', () => resolve(server))
      })
      await waitFor('the list to load', () => offline.status().candidateLists.unloaded.length === 0, {
        explain: () => retryLog.lines.slice(-5),
      })
      expect(offline.status().candidateLists.members).toBe(1)
      const rows = await database.sql<{ uri: string }[]>`
        select uri from candidate_list_item where list_uri = ${laterList}`
      expect(rows.map((r) => r.uri)).toEqual([item])
    } finally {
      await offline.stop()
      await new Promise((resolve) => proxy?.close(resolve) ?? resolve(undefined))
    }
  })
})
