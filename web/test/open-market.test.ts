import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NodeOAuthClient } from '@atproto/oauth-client-node'
import type { Database } from '@curia/db'
import { createAccount, makePost, type DevAccount, type DevNetwork } from '@curia/devnet'
import { MICRO } from '@curia/curation/market/lmsr'
import { DEFAULT_MARKET_PARAMS } from '@curia/curation/market/params'
import {
  checkLedgerInvariant,
  getBalance,
  grantStartingCredits,
  setupLedger,
} from '@curia/curation/service/ledger'
import { getMarket } from '@curia/curation/service/market'
import { openCandidateMarkets } from '@curia/curation/service/rank-feed'
import { submitOpenMarket, type OpenMarketDeps } from '../server/open-market-form'
import { createRateLimiter } from '../server/rate-limit'
import { startOAuthNetwork, type OAuthNetwork } from './oauth-network'

/**
 * "Open a market" against a real local network (PLC + PDS) and a real database: handles resolve through the same
 * identity resolver sign-in uses, posts Curia never indexed are fetched from the PDS with getRecord.
 */

const params = { ...DEFAULT_MARKET_PARAMS, openFeeMicro: 5n * MICRO }
let bed: OAuthNetwork
let net: DevNetwork
let database: Database
let oauth: NodeOAuthClient
let author: DevAccount
const curator = { did: 'did:plc:curatoraaaaaaaaaaaaaaaaa' }
const poor = { did: 'did:plc:pooraaaaaaaaaaaaaaaaaaaa' }

beforeAll(async () => {
  bed = await startOAuthNetwork('http://127.0.0.1:3999')
  ;({ net, database, oauth } = bed)
  author = await createAccount(net.pdsUrl, `openmkt${Date.now().toString(36)}`)
  await setupLedger(database, { treasuryFundingMicro: 100_000n * MICRO, now: new Date() })
  await grantStartingCredits(database, { did: curator.did, amountMicro: 100n * MICRO, now: new Date() })
  await grantStartingCredits(database, { did: poor.did, amountMicro: 1n * MICRO, now: new Date() })
}, 60_000)
afterAll(async () => {
  await bed?.close()
})

function deps(): OpenMarketDeps {
  return {
    database,
    identity: oauth.identityResolver,
    recordSourceUrl: net.pdsUrl,
    params,
    ledgerReady: Promise.resolve(),
    now: new Date(),
    log: () => {},
  }
}

const rkeyOf = (uri: string) => uri.split('/').pop()!

async function expectLedgerSound() {
  const report = await checkLedgerInvariant(database)
  expect(report.sumMicro).toBe(0n)
  expect(report.negativeAccounts).toEqual([])
  expect(report.marketAnomalies).toEqual([])
}

describe('submitOpenMarket', () => {
  it('fetches a post Curia never indexed, stores it with its author, and opens a market for the fee', async () => {
    const { uri } = await makePost(author, { text: 'Tide tables are a public good' })
    const link = `https://bsky.app/profile/${author.handle}/post/${rkeyOf(uri)}`
    const before = await getBalance(database, curator.did)

    const result = await submitOpenMarket(deps(), curator, link)
    expect(result).toEqual({
      ok: true,
      postUri: uri,
      path: `/post/${author.did}/${rkeyOf(uri)}`,
      opened: true,
    })

    const [row] = await database.sql<{ text: string; authorDid: string }[]>`
      select text, author_did as "authorDid" from post where uri = ${uri}`
    expect(row).toEqual({ text: 'Tide tables are a public good', authorDid: author.did })
    // Read in full here (handle and profile), so the curation service's author lookups will not read it again.
    const [who] = await database.sql<{ handle: string; resolved: boolean }[]>`
      select handle, resolved_at is not null and resolve_failures = 0 as resolved from author where did = ${author.did}`
    expect(who).toEqual({ handle: author.handle, resolved: true })
    const market = await getMarket(database, { postUri: uri })
    expect(market).toMatchObject({ status: 'open', createdBy: curator.did, feeMicro: 5n * MICRO })
    expect(await getBalance(database, curator.did)).toBe(before - 5n * MICRO)
    await expectLedgerSound()
  })

  it('returns the existing market for a post that has one, by any spelling of its link, without charging', async () => {
    const { uri } = await makePost(author, { text: 'Open me twice' })
    expect(await submitOpenMarket(deps(), curator, uri.replace(author.did, author.handle))).toMatchObject({
      ok: true,
      opened: true,
    })
    const before = await getBalance(database, curator.did)
    expect(await submitOpenMarket(deps(), curator, uri)).toMatchObject({
      ok: true,
      opened: false,
      postUri: uri,
    })
    expect(await getBalance(database, curator.did)).toBe(before)
  })

  it('refuses a post that does not exist, an unknown handle, and a deleted post, charging nothing', async () => {
    const before = await getBalance(database, curator.did)
    expect(
      await submitOpenMarket(deps(), curator, `https://bsky.app/profile/${author.handle}/post/3zzzzzzzzzzzz`),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: 'That post does not exist (or was deleted).' },
    })
    expect(
      await submitOpenMarket(deps(), curator, 'https://bsky.app/profile/nobody-here.test/post/3kq'),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'not_found',
        message: expect.stringMatching(/No Bluesky account answers to @nobody-here\.test/) as unknown,
      },
    })
    const { uri } = await makePost(author, { text: 'soon gone' })
    await database.sql`
      insert into post (uri, cid, author_did, text, created_at, deleted_at)
      values (${uri}, 'bafyreigone', ${author.did}, '', now(), now())`
    expect(await submitOpenMarket(deps(), curator, uri)).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: 'This post was deleted.' },
    })
    expect(await getMarket(database, { postUri: uri })).toBeUndefined()
    expect(await getBalance(database, curator.did)).toBe(before)
  })

  it('refuses a curator who cannot pay the fee, and stores nothing the curation loop would open for free', async () => {
    const { uri } = await makePost(author, { text: 'Too dear' })
    expect(await submitOpenMarket(deps(), poor, uri)).toMatchObject({
      ok: false,
      error: { code: 'insufficient_balance', message: 'Opening a market costs 5 credits; you have 1.' },
    })
    expect(await getMarket(database, { postUri: uri })).toBeUndefined()
    // The fetched post is stored only with its market: left behind, the candidate policy would open it feeless.
    expect(await database.sql`select 1 from post where uri = ${uri}`).toHaveLength(0)
    expect(await getBalance(database, poor.did)).toBe(1n * MICRO)
    await expectLedgerSound()
  })

  it('gives the candidate policy no moment to open a fetched post for free before the curator pays', async () => {
    const { uri } = await makePost(author, { text: 'Opened by the curator who found it' })
    const before = await getBalance(database, curator.did)
    // Hold the opening between the fetch and the market (where it waits for the ledger) and run the curation
    // loop's market opening there, as its timer could.
    let release!: () => void
    let reached!: () => void
    const atGap = new Promise<void>((resolve) => (reached = resolve))
    // A thenable: `await deps.ledgerReady` calls its `then`, which is the moment the opening reaches the gap.
    const ledgerReady = {
      then(resolve: () => void) {
        release = resolve
        reached()
      },
    } as unknown as Promise<void>
    const pending = submitOpenMarket({ ...deps(), ledgerReady }, curator, uri)
    await atGap
    await openCandidateMarkets(database, {
      nowMs: Date.now(),
      windowMs: 86_400_000,
      minEngagement: 0,
      limit: 1_000,
      params,
    })
    release()
    expect(await pending).toMatchObject({ ok: true, opened: true })
    expect((await getMarket(database, { postUri: uri }))?.createdBy).toBe(curator.did)
    expect(await getBalance(database, curator.did)).toBe(before - 5n * MICRO)
    await expectLedgerSound()
  })

  it('limits how often one account opens markets, before any lookup, charging nothing when refused', async () => {
    const limiter = createRateLimiter({ burst: 2, everyMs: 60_000 })
    const limited = (at: number): OpenMarketDeps => ({ ...deps(), limiter, now: new Date(at) })
    const t0 = Date.now()
    const [a, b, c] = await Promise.all([1, 2, 3].map((n) => makePost(author, { text: `Limited ${n}` })))
    expect(await submitOpenMarket(limited(t0), curator, a!.uri)).toMatchObject({ ok: true, opened: true })
    expect(await submitOpenMarket(limited(t0), curator, b!.uri)).toMatchObject({ ok: true, opened: true })
    const before = await getBalance(database, curator.did)
    expect(await submitOpenMarket(limited(t0 + 1_000), curator, c!.uri)).toMatchObject({
      ok: false,
      error: {
        code: 'rate_limited',
        message: 'You have opened many markets in a short time. Try again in 59 seconds.',
      },
    })
    expect(await getMarket(database, { postUri: c!.uri })).toBeUndefined()
    expect(await getBalance(database, curator.did)).toBe(before)
    // Another account has its own allowance; this one gets another attempt once an interval has passed.
    expect(await submitOpenMarket(limited(t0 + 1_000), poor, c!.uri)).toMatchObject({
      error: { code: 'insufficient_balance' },
    })
    expect(await submitOpenMarket(limited(t0 + 60_000), curator, c!.uri)).toMatchObject({ ok: true })
    await expectLedgerSound()
  })

  it('refuses without a session, and a link that is not a post', async () => {
    expect(await submitOpenMarket(deps(), null, 'at://alice.test/app.bsky.feed.post/3kq')).toMatchObject({
      ok: false,
      error: { code: 'auth_required' },
    })
    expect(await submitOpenMarket(deps(), curator, 'https://example.com/')).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: 'Only bsky.app post links (or at:// URIs) can be opened.' },
    })
  })
})
