/**
 * The curation service's ranker loop (service/curation-service.ts) when the database connections die under it: a
 * round killed while it opens a market fails and is logged, the loop keeps ticking, and once the connections come
 * back the next rounds open a market for every candidate post exactly once (each subsidised once from the treasury)
 * and publish them to the feed the service serves, with no restart and nobody calling rankNow by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { startCurationService, type CurationService } from '../src/service/curation-service'
import { createWarmDatabase, expectLedgerSound, serviceTestConfig } from './helpers'
import { expectEveryConnectionWorks, openKiller, waitFor, type Killer, onPostgres } from './outage'

const POOL = 4
const config = serviceTestConfig()

let database: Database
let killer: Killer
let service: CurationService | undefined
const lines: string[] = []
let postSeq = 0

beforeAll(async () => {
  if (!onPostgres) return
  database = await createWarmDatabase(POOL)
  killer = await openKiller(database)
})
afterAll(async () => {
  await service?.stop()
  await killer?.close()
  await database?.close()
})

/** Candidate posts made a minute ago, written over the killer's connection (the pool under test may be down). */
async function newPosts(n: number): Promise<string[]> {
  const uris = Array.from({ length: n }, () => `at://did:plc:outage-author/app.bsky.feed.post/r${++postSeq}`)
  await killer.database.sql`
    insert into post (uri, cid, author_did, text, created_at)
    select uri, 'bafyoutage', 'did:plc:outage-author', 'a candidate', now() - interval '1 minute'
    from unnest(${killer.database.sql.array(uris)}::text[]) as uri`
  return uris
}

/** The posts the service's feed serves now, by URI. */
async function served(): Promise<string[]> {
  const url = new URL(`${service!.feedServer.url}/xrpc/app.bsky.feed.getFeedSkeleton`)
  url.searchParams.set('feed', config.feed.uri)
  url.searchParams.set('limit', '100')
  const response = await fetch(url)
  const body = (await response.json()) as { feed?: { post: string }[] }
  return (body.feed ?? []).map((f) => f.post)
}

const servesAll = (uris: readonly string[]) => async () => {
  const now = await served()
  return uris.every((u) => now.includes(u)) ? now : undefined
}

/**
 * After the outage: every pool connection works, each of `uris` has exactly one market (one subsidy each, none
 * else), and the ledger is sound.
 */
async function expectWholeAfterwards(uris: readonly string[]) {
  await expectEveryConnectionWorks(database, POOL)
  const markets = await database.sql<{ uri: string; n: number }[]>`
    select post_uri as uri, count(*)::int as n from market group by post_uri order by post_uri`
  expect(markets.map((m) => m.uri)).toEqual([...uris].sort())
  expect(markets.filter((m) => m.n !== 1)).toEqual([])
  const [subsidies] = await database.sql<{ n: number }[]>`
    select count(*)::int as n from ledger_entry where reason = 'market_subsidy'`
  expect(subsidies!.n).toBe(uris.length)
  await expectLedgerSound(database)
}

describe.skipIf(!onPostgres)('the ranker loop when its connections are killed mid-round (PostgreSQL)', () => {
  it('logs the failed round, keeps ticking, and opens and publishes every candidate once the database is back', async () => {
    service = await startCurationService({
      database,
      config,
      log: (line) => lines.push(line),
      host: '127.0.0.1',
    })
    const explain = () => ({ log: lines.slice(-5) })
    const before = await newPosts(3)
    await waitFor('the first posts in the feed', servesAll(before), { explain })

    // The next round's market openings wait on the treasury, which every opening locks; kill everything there.
    const release = await killer.hold(`select 1 from account where kind = 'treasury' for update`)
    const during = await newPosts(3)
    await killer.waitForLockWaiter('for no key update')
    expect(await killer.terminate()).toBeGreaterThan(0)
    await waitFor('the loop to log the failed round', () =>
      lines.some((l) => l.startsWith('ranker: round failed, retrying next tick')) ? true : undefined,
    )
    // Nothing of the killed round's openings is left half-done.
    await expectLedgerSound(killer.database)
    await release()

    const after = await newPosts(3)
    const all = [...before, ...during, ...after]
    await waitFor('every post in the feed', servesAll(all), { explain })
    await expectWholeAfterwards(all)
  })

  it('comes through two seconds of kills every 50 ms while posts arrive: every post gets one market and is served', async () => {
    const explain = () => ({ log: lines.slice(-5) })
    const before = (await database.sql<{ uri: string }[]>`select post_uri as uri from market`).map(
      (m) => m.uri,
    )
    const storm = killer.storm(50)
    const during: string[] = []
    for (let i = 0; i < 10; i++) {
      during.push(...(await newPosts(2)))
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(await storm.stop()).toBeGreaterThan(0)

    const all = [...before, ...during]
    await waitFor('every post in the feed after the storm', servesAll(all), { explain })
    await expectWholeAfterwards(all)
  })
})
