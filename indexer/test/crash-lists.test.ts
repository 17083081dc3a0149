import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DevAccount } from '@curia/devnet'
import { livePosts, waitFor } from './helpers'
import {
  createRecord,
  deleteRecord,
  startIndexerProcess,
  startTestNetwork,
  type RelayedTestNetwork,
} from './network'

// alice owns the list; bob joins, posts, leaves, posts again; carol is never on the list; dave is on the list from
// before the first start.
let network: RelayedTestNetwork<'alice' | 'bob' | 'carol' | 'dave'>

beforeAll(async () => {
  network = await startTestNetwork({ relay: true, accounts: ['alice', 'bob', 'carol', 'dave'] })
})

afterAll(() => network?.close())

const create = async (collection: string, record: Record<string, unknown>) =>
  (await createRecord(network.accounts.alice, collection, record)).uri
const removeItem = (uri: string) => deleteRecord(network.accounts.alice, uri)
// English posts; the feed is for Japanese, so only a list member's posts are kept.
const post = async (who: DevAccount, text: string) => (await who.agent.post({ text, langs: ['en'] })).uri

describe('crash safety of candidate list membership', () => {
  it('an indexer SIGKILLed while members come and go ends with exactly the items and member posts that were made', async () => {
    const { net, database } = network
    const { bob, carol, dave } = network.accounts
    const list = await create('app.bsky.graph.list', {
      name: 'Curia picks',
      purpose: 'app.bsky.graph.defs#curatelist',
    })
    const items = new Map<string, string>() // item URI -> subject
    const addItem = async (subject: string) =>
      items.set(await create('app.bsky.graph.listitem', { list, subject }), subject)
    await addItem(dave.did)

    const indexer = startIndexerProcess(network, {
      CURIA_INDEXER_SOURCE: 'jetstream',
      CURIA_PLC_URL: net.plcUrl,
      CURIA_CANDIDATE_LISTS: list,
      CURIA_CANDIDATE_LANGS: 'ja',
      CURIA_INDEXER_BATCH_SIZE: '4',
      CURIA_INDEXER_FLUSH_MS: '5',
    })
    await indexer.waitForLine('connected to')
    expect(indexer.output.some((l) => l.includes(`candidate list ${list}: 1 member (1 item)`))).toBe(true)

    const expectedPosts = new Set<string>()
    let bobItem: string | undefined
    let kills = 0
    for (let i = 0; i < 80; i++) {
      // Members who never post: their items come and go.
      await addItem(`did:plc:member${String(i).padStart(4, '0')}`)
      if (i % 3 === 2) {
        const [uri] = [...items].find(([, subject]) => subject.startsWith('did:plc:member')) ?? []
        if (uri) {
          await removeItem(uri)
          items.delete(uri)
        }
      }
      if (i === 10) {
        bobItem = await create('app.bsky.graph.listitem', { list, subject: bob.did })
        items.set(bobItem, bob.did)
      }
      if (i === 50 && bobItem) {
        await removeItem(bobItem)
        items.delete(bobItem)
      }
      if (i > 10 && i % 2 === 0) {
        const uri = await post(bob, `bob ${i}`)
        if (i < 50) expectedPosts.add(uri) // bob leaves at the start of iteration 50
      }
      if (i % 5 === 0) await post(carol, `carol ${i}`)
      if (i % 6 === 0) expectedPosts.add(await post(dave, `dave ${i}`))
      if (i === 20 || i === 45 || i === 65) {
        await indexer.killAfterCommit(database.sql)
        kills++
      }
      if (i === 25 || i === 55 || i === 70) await indexer.restart()
    }
    expect(kills).toBe(3)

    const expectedItems = [...items].map(([uri, subject]) => `${uri} ${subject}`).sort()
    const storedItems = async () =>
      (
        await database.sql<{ uri: string; subject_did: string; list_uri: string }[]>`
          select uri, subject_did, list_uri from candidate_list_item order by uri`
      ).map((r) => `${r.uri} ${r.subject_did}`)
    const expectedLive = [...expectedPosts].sort()
    await waitFor(
      'the database to hold exactly the list items and member posts made',
      async () =>
        JSON.stringify(await storedItems()) === JSON.stringify(expectedItems) &&
        JSON.stringify(await livePosts(database.sql)) === JSON.stringify(expectedLive),
      {
        timeoutMs: 60_000,
        explain: async () => {
          const stored = await storedItems()
          const live = await livePosts(database.sql)
          return {
            missingItems: expectedItems.filter((x) => !stored.includes(x)),
            extraItems: stored.filter((x) => !expectedItems.includes(x)),
            missingPosts: expectedLive.filter((u) => !live.includes(u)),
            extraPosts: live.filter((u) => !expectedLive.includes(u)),
            output: indexer.output.slice(-15),
          }
        },
      },
    )
    expect(await indexer.kill('SIGTERM')).toBe(0)
  })
})
