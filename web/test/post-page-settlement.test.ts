import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { MICRO } from '@curia/curation/market/lmsr'
import { DEFAULT_MARKET_PARAMS } from '@curia/curation/market/params'
import { grantStartingCredits, setupLedger } from '@curia/curation/service/ledger'
import { closeDueMarkets, openMarket } from '@curia/curation/service/market'
import { settleMarkets, type Verdict } from '@curia/curation/service/settlement'
import { placeTrade } from '@curia/curation/service/trade'
import { buyAtAnyPrice } from '@curia/curation/service/testing'
import { loadPostPage, type MarketQueryDeps } from '../server/queries/market'

/**
 * The post page's account of a settled market, against a real database with markets traded and settled through
 * curation's own services: the resolution and its cause, and what settlement moved to the signed-in curator. The
 * expected amounts come from the trade receipts (shares bought, credits spent and received), not from the ledger the
 * query reads.
 */

const T0 = new Date('2026-03-01T12:00:00Z')
const AFTER = new Date(T0.getTime() + 49 * 3_600_000)
const rules = { positionCapMicro: 10_000n * MICRO, maxAmountMicro: 1_000_000n * MICRO }
const params = { ...DEFAULT_MARKET_PARAMS, liquidityMicro: 100n * MICRO, openFeeMicro: 0n }
const alice = 'did:plc:settlealice0000000000000'
const bob = 'did:plc:settlebob00000000000000000'
const eve = 'did:plc:settleeve00000000000000000'
const uri = (name: string) => `at://did:plc:settleauthor/app.bsky.feed.post/${name}`

let database: Database
let deps: MarketQueryDeps
/** What alice should have been moved by settlement on each market, from her trade receipts. */
const expected = { endorsed: 0n, unsampled: 0n, profitTaken: 0n }

beforeAll(async () => {
  database = await createTestDatabase({ max: 2 })
  deps = {
    database,
    urls: {
      blobUrlTemplate: 'http://pds.test/{did}/{cid}',
      avatarUrlTemplate: 'http://pds.test/{did}/{cid}',
    },
    rules: { ...rules, openFeeMicro: 0n },
  }
  await setupLedger(database, { treasuryFundingMicro: 1_000_000n * MICRO, now: T0 })
  for (const did of [alice, bob, eve])
    await grantStartingCredits(database, { did, amountMicro: 1_000n * MICRO, now: T0 })
  const open = async (name: string) =>
    (await openMarket(database, { postUri: uri(name), now: T0, params })).market.id
  const buy = (did: string, marketId: number, outcome: 'yes' | 'no', credits: bigint) =>
    buyAtAnyPrice(database, rules, { did, marketId, outcome, credits, now: T0 })

  const verdicts = new Map<number, Verdict>()
  // Endorsed: alice's YES shares pay 1 credit each.
  const endorsed = await open('endorsed')
  expected.endorsed = (await buy(alice, endorsed, 'yes', 30n)).sharesMicro
  await buy(bob, endorsed, 'no', 20n)
  verdicts.set(endorsed, 'yes')
  // Not sampled: void, alice's net spend comes back.
  const unsampled = await open('unsampled')
  expected.unsampled = (await buy(alice, unsampled, 'no', 12n)).moneyMicro
  verdicts.set(unsampled, 'unsampled')
  // Alice buys YES cheap, bob pushes the price up, alice sells for more than she paid: void takes that profit back.
  const profit = await open('profit')
  const bought = await buy(alice, profit, 'yes', 10n)
  await buy(bob, profit, 'yes', 200n)
  const sold = await placeTrade(
    database,
    {
      did: alice,
      marketId: profit,
      side: 'sell',
      outcome: 'yes',
      amountMicro: bought.sharesMicro,
      limit: { kind: 'min_proceeds', proceedsMicro: 0n },
      idempotencyKey: 'settlement-page-sell',
      now: T0,
    },
    { rules },
  )
  expect(sold.moneyMicro).toBeGreaterThan(bought.moneyMicro)
  expected.profitTaken = bought.moneyMicro - sold.moneyMicro
  verdicts.set(profit, 'unsampled')
  await open('still-open')

  const settled = await settleMarkets(database, { verdicts, now: AFTER })
  expect(settled.map((r) => r.outcome)).not.toContain('refused')

  // Awaiting the jury: opened two days earlier, traded, closed at T0, not yet settled.
  const EARLIER = new Date(T0.getTime() - 48 * 3_600_000)
  const awaiting = (await openMarket(database, { postUri: uri('awaiting'), now: EARLIER, params })).market.id
  await buyAtAnyPrice(database, rules, {
    did: bob,
    marketId: awaiting,
    outcome: 'yes',
    credits: 40n,
    now: EARLIER,
  })
  expect(await closeDueMarkets(database, { now: T0 })).toEqual([awaiting])
})
afterAll(async () => {
  await database?.close()
})

const page = async (name: string, viewerDid: string | null) =>
  (await loadPostPage(deps, { postUri: uri(name), viewerDid }))!

describe('the post page of a settled market', () => {
  it('gives an endorsed market its verdict and pays the curator their winning shares', async () => {
    const view = await page('endorsed', alice)
    expect(view.market?.status).toBe('settled')
    expect(view.settlement).toMatchObject({ resolution: 'yes', cause: 'verdict', roundId: null })
    expect(view.settlement?.viewerMicro).toBe(expected.endorsed.toString())
    expect(Date.parse(view.settlement!.settledAt)).toBe(AFTER.getTime())
  })

  it('gives a market the sample passed over its cause and refunds the net spend', async () => {
    const view = await page('unsampled', alice)
    expect(view.market?.status).toBe('void')
    expect(view.settlement).toMatchObject({ resolution: 'void', cause: 'unsampled' })
    expect(view.settlement?.viewerMicro).toBe(expected.unsampled.toString())
  })

  it('shows a trading profit taken back by a void market as a negative amount', async () => {
    const view = await page('profit', alice)
    expect(expected.profitTaken).toBeLessThan(0n)
    expect(view.settlement?.viewerMicro).toBe(expected.profitTaken.toString())
  })

  it('moves nothing to a curator who never traded, and says nothing of anyone when no one is signed in', async () => {
    expect((await page('endorsed', eve)).settlement?.viewerMicro).toBe('0')
    expect((await page('endorsed', null)).settlement?.viewerMicro).toBeNull()
    // Bob lost on the endorsed market: settlement paid him nothing.
    expect((await page('endorsed', bob)).settlement?.viewerMicro).toBe('0')
  })

  it('shows the settled market’s price, chart and trades again', async () => {
    const view = await page('profit', null)
    expect(view.market?.yesPrice).toBeGreaterThan(0.5)
    expect(view.pricePoints).toHaveLength(4) // the opening price, then three trades
    expect(view.trades).toHaveLength(3)
  })

  it('has no settlement for a market still open', async () => {
    const view = await page('still-open', alice)
    expect(view.market?.status).toBe('open')
    expect(view.settlement).toBeNull()
  })
})

describe('the post page of a market awaiting the jury', () => {
  it('seals the price, its chart and the trades, so a juror judging the post never sees them', async () => {
    const view = await page('awaiting', bob)
    expect(view.market?.status).toBe('closed')
    expect(view.market?.traderCount).toBe(1)
    expect(view.market?.yesPrice).toBeNull()
    expect(view.market?.state).toBeNull()
    expect(view.pricePoints).toEqual([])
    expect(view.trades).toEqual([])
    expect(view.settlement).toBeNull()
    // The curator's own holding is still theirs to see.
    expect(BigInt(view.holding!.yesSharesMicro)).toBeGreaterThan(0n)
  })
})
