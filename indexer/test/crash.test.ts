import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { livePosts, postCounts, waitFor } from './helpers'
import { startIndexerProcess, startTestNetwork, type RelayedTestNetwork } from './network'

let network: RelayedTestNetwork<'alice' | 'bob'>

beforeAll(async () => {
  network = await startTestNetwork({ relay: true, accounts: ['alice', 'bob'] })
})

afterAll(() => network?.close())

describe('crash safety', () => {
  it('an indexer SIGKILLed mid-stream and restarted ends with exactly the live posts and counts that were made', async () => {
    const { net, database } = network
    const { alice, bob } = network.accounts
    const indexer = startIndexerProcess(network, {
      CURIA_INDEXER_SOURCE: 'jetstream',
      CURIA_PLC_URL: net.plcUrl,
      // Small, frequent batches: many commits, so the kills land between and during them.
      CURIA_INDEXER_BATCH_SIZE: '4',
      CURIA_INDEXER_FLUSH_MS: '5',
    })
    // A first start reads from the live tail: wait until it listens before anything happens.
    await indexer.waitForLine('connected to')

    const live = new Map<string, { uri: string; cid: string }>()
    const likes = new Map<string, { likeUri: string; subject: string }>() // by liker+subject
    const deleted = new Set<string>()
    let kills = 0

    for (let i = 0; i < 120; i++) {
      const post = await alice.agent.post({ text: `post ${i}`, langs: ['en'] })
      live.set(post.uri, post)
      if (i % 3 === 1) {
        const target = [...live.values()][Math.floor(live.size / 2)]!
        const key = `bob ${target.uri}`
        if (!likes.has(key))
          likes.set(key, { likeUri: (await bob.agent.like(target.uri, target.cid)).uri, subject: target.uri })
      }
      if (i % 7 === 3) {
        const key = [...likes.keys()][0]
        if (key) {
          await bob.agent.deleteLike(likes.get(key)!.likeUri)
          likes.delete(key)
        }
      }
      if (i % 5 === 4) {
        const victim = [...live.values()][0]!
        await alice.agent.deletePost(victim.uri)
        live.delete(victim.uri)
        deleted.add(victim.uri)
        for (const [key, like] of likes) if (like.subject === victim.uri) likes.delete(key)
      }
      if (i === 30 || i === 65 || i === 95) {
        // Killed while the stream is flowing (the writes above are still arriving).
        await indexer.killAfterCommit(database.sql)
        kills++
      }
      if (i === 40 || i === 75 || i === 105) await indexer.restart()
    }
    expect(kills).toBe(3)

    const expectedLikes = new Map<string, number>()
    for (const like of likes.values())
      expectedLikes.set(like.subject, (expectedLikes.get(like.subject) ?? 0) + 1)
    const expectedLive = [...live.keys()].sort()

    await waitFor(
      'the database to hold exactly the live posts and like counts',
      async () => {
        const counts = await postCounts(database.sql)
        const liveNow = await livePosts(database.sql)
        if (JSON.stringify(liveNow) !== JSON.stringify(expectedLive)) return false
        return expectedLive.every((uri) => (counts[uri]?.likes ?? -1) === (expectedLikes.get(uri) ?? 0))
      },
      {
        timeoutMs: 60_000,
        explain: async () => {
          const liveNow = await livePosts(database.sql)
          return {
            missing: expectedLive.filter((u) => !liveNow.includes(u)),
            extra: liveNow.filter((u) => !expectedLive.includes(u)),
            output: indexer.output.slice(-15),
          }
        },
      },
    )

    const counts = await postCounts(database.sql)
    for (const uri of deleted) expect(counts[uri] === undefined || counts[uri].deleted).toBe(true)
    const [engagement] = await database.sql<
      { rows: number }[]
    >`select count(*)::int as rows from engagement where deleted_at is null`
    expect(engagement?.rows).toBe(likes.size)

    // And a clean stop still works after all that.
    expect(await indexer.kill('SIGTERM')).toBe(0)
    expect(indexer.output.some((l) => l.includes('stopped at cursor'))).toBe(true)
  })
})
