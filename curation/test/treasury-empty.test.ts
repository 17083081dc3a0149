/**
 * The ranker's round when the treasury cannot fund every candidate's market: opening stops at the first subsidy it
 * cannot pay, and the round goes on to close and rank, so the feed keeps being published (subsidies are locked in
 * markets until their round settles, two days or more: a round that failed on them would freeze the feed as long).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase, waitFor } from '@curia/db/testing'
import { maxLossMicro, MICRO } from '../src/market/lmsr'
import { startCurationService, type CurationService } from '../src/service/curation-service'
import { expectLedgerSound, serviceTestConfig } from './helpers'

let database: Database
let service: CurationService | undefined
const lines: string[] = []

beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(async () => {
  await service?.stop()
  await database.close()
})

describe('a treasury that can fund two markets of four', () => {
  it('opens two, says so, and still publishes the feed with them', async () => {
    const base = serviceTestConfig()
    const subsidy = maxLossMicro(base.market.liquidityMicro)
    const funding = (2n * subsidy + subsidy / 2n + MICRO - 1n) / MICRO // two and a half subsidies, in credits
    const config = serviceTestConfig({ CURIA_TREASURY_FUNDING_CREDITS: String(funding) })
    const uris = [1, 2, 3, 4].map((n) => `at://did:plc:treasury-author/app.bsky.feed.post/p${n}`)
    await database.sql`
      insert into post (uri, cid, author_did, text, created_at)
      select uri, 'bafytreasury', 'did:plc:treasury-author', 'a candidate', now() - interval '1 minute'
      from unnest(${database.sql.array(uris)}::text[]) as uri`

    service = await startCurationService({ database, config, log: (line) => lines.push(line) })
    const url = new URL(`${service.feedServer.url}/xrpc/app.bsky.feed.getFeedSkeleton`)
    url.searchParams.set('feed', config.feed.uri)
    const served = await waitFor(
      'the feed to serve the markets the treasury could fund',
      async () => {
        const body = (await (await fetch(url)).json()) as { feed?: { post: string }[] }
        return body.feed && body.feed.length > 0 ? body.feed.map((f) => f.post) : undefined
      },
      { explain: () => lines.slice(-5) },
    )
    const markets = await database.sql<
      { uri: string }[]
    >`select post_uri as uri from market order by post_uri`
    expect(markets).toHaveLength(2)
    expect([...served].sort()).toEqual(markets.map((m) => m.uri))
    expect(lines.filter((l) => l.includes('the treasury cannot fund another market subsidy'))).toHaveLength(1)
    expect(lines.filter((l) => l.includes('round failed'))).toEqual([])
    await expectLedgerSound(database)
  })
})
