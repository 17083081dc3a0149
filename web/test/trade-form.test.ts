import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { MICRO } from '@curia/curation/market/lmsr'
import { DEFAULT_MARKET_PARAMS } from '@curia/curation/market/params'
import { limitForQuote, quoteTrade, type MarketView } from '@curia/curation/market/trade'
import {
  checkLedgerInvariant,
  getBalance,
  grantStartingCredits,
  setupLedger,
} from '@curia/curation/service/ledger'
import { getMarket, openMarket } from '@curia/curation/service/market'
import { listTraderTrades } from '@curia/curation/service/trade-queries'
import { createTradeDesk, type TradeDesk } from '@curia/curation/service/trade-desk'
import { submitTradeForm, type TradeFormDeps } from '../server/trade-form'

/**
 * The trade form's server half against a real database and the real trade desk: what a browser could post, good
 * and bad. Every refusal must come back as a sentence in form state and leave every balance where it was.
 */

const NOW = new Date('2026-03-01T12:00:00Z')
const alice = { did: 'did:plc:alice0000000000000000000' }
const bob = { did: 'did:plc:bob00000000000000000000000' }
const rules = { positionCapMicro: 300n * MICRO, maxAmountMicro: 10_000n * MICRO }
const params = { ...DEFAULT_MARKET_PARAMS, liquidityMicro: 100n * MICRO, windowMs: 48 * 3_600_000 }

let database: Database
let desk: TradeDesk
let marketId: number
let closedMarketId: number
let keySeq = 0
const newKey = () => `test-key-${++keySeq}`

beforeAll(async () => {
  database = await createTestDatabase()
  await setupLedger(database, { treasuryFundingMicro: 1_000_000n * MICRO, now: NOW })
  for (const who of [alice, bob])
    await grantStartingCredits(database, { did: who.did, amountMicro: 1_000n * MICRO, now: NOW })
  desk = createTradeDesk(database, { rules })
  marketId = (await openMarket(database, { postUri: postUri('open'), now: NOW, params })).market.id
  // Opened three days ago on a post Curia never saw: its 48 h window ended yesterday.
  const threeDaysAgo = new Date(NOW.getTime() - 72 * 3_600_000)
  closedMarketId = (await openMarket(database, { postUri: postUri('closed'), now: threeDaysAgo, params }))
    .market.id
})
afterAll(async () => {
  await desk.drain()
  await database.close()
})

function postUri(rkey: string) {
  return `at://did:plc:author00000000000000000/app.bsky.feed.post/${rkey}`
}

function deps(): TradeFormDeps {
  return { desk, maxAmountMicro: rules.maxAmountMicro, now: NOW, log: () => {} }
}

async function marketView(id: number): Promise<MarketView> {
  const m = (await getMarket(database, { id }))!
  return {
    id,
    status: m.status,
    closesAtMs: Date.parse(m.closesAt),
    state: { b: m.liquidityMicro, qYes: m.qYesMicro, qNo: m.qNoMicro },
  }
}

/** The form the trade panel posts for `amount`, with the bound its live quote makes (as the browser does). */
async function quotedForm(opts: {
  did: string
  side?: 'buy' | 'sell'
  outcome?: 'yes' | 'no'
  amount: string
  amountMicro: bigint
  key?: string
  market?: number
}): Promise<FormData> {
  const side = opts.side ?? 'buy'
  const outcome = opts.outcome ?? 'yes'
  const market = await marketView(opts.market ?? marketId)
  const fill = quoteTrade(
    market,
    {
      balanceMicro: await getBalance(database, opts.did),
      yesSharesMicro: 10n ** 12n,
      noSharesMicro: 10n ** 12n,
    },
    { marketId: market.id, side, outcome, amountMicro: opts.amountMicro },
    { positionCapMicro: 10n ** 15n, maxAmountMicro: rules.maxAmountMicro },
    NOW.getTime(),
  )
  const limit = limitForQuote(fill, 0)
  return form({
    marketId: String(market.id),
    side,
    outcome,
    amount: opts.amount,
    limitKind: limit.kind,
    limitValue:
      limit.kind === 'max_average_price'
        ? String(limit.price)
        : String((limit as { proceedsMicro: bigint }).proceedsMicro),
    idempotencyKey: opts.key ?? newKey(),
  })
}

function form(fields: Record<string, string>): FormData {
  const data = new FormData()
  for (const [k, v] of Object.entries(fields)) data.set(k, v)
  return data
}

async function balances() {
  return { alice: await getBalance(database, alice.did), bob: await getBalance(database, bob.did) }
}

async function expectLedgerSound() {
  const report = await checkLedgerInvariant(database)
  expect(report.sumMicro).toBe(0n)
  expect(report.negativeAccounts).toEqual([])
  expect(report.mismatchedAccounts).toEqual([])
  expect(report.marketAnomalies).toEqual([])
}

describe('submitTradeForm: a good order', () => {
  it('fills exactly the quote the browser showed and moves the balance by its cost', async () => {
    const before = await balances()
    const data = await quotedForm({ did: alice.did, amount: '10', amountMicro: 10n * MICRO })
    const state = await submitTradeForm(deps(), alice, data)
    expect(state).toMatchObject({ status: 'filled', replayed: false })
    if (state.status !== 'filled') throw new Error('not filled')
    expect(state.summary).toMatch(/^Bought [\d.]+ YES shares for [\d.]+ credits \(average 0\.\d{4}\)\.$/)
    const [trade] = await listTraderTrades(database, alice.did, { limit: 1 })
    expect(trade!.tradeId).toBe(state.tradeId)
    expect(await getBalance(database, alice.did)).toBe(before.alice - trade!.moneyMicro)
    expect(trade!.moneyMicro).toBeLessThanOrEqual(10n * MICRO)
    await expectLedgerSound()
  })

  it('reads a decimal comma as a point: "2,5" spends at most 2.5 credits', async () => {
    const before = await getBalance(database, alice.did)
    const data = await quotedForm({ did: alice.did, amount: '2,5', amountMicro: 2_500_000n })
    const state = await submitTradeForm(deps(), alice, data)
    expect(state).toMatchObject({ status: 'filled' })
    const [trade] = await listTraderTrades(database, alice.did, { limit: 1 })
    expect(trade!.moneyMicro).toBeLessThanOrEqual(2_500_000n)
    expect(trade!.moneyMicro).toBeGreaterThan(2_400_000n)
    expect(await getBalance(database, alice.did)).toBe(before - trade!.moneyMicro)
  })

  it('replays a resubmitted form (same key, same body) without trading twice', async () => {
    const data = await quotedForm({ did: alice.did, amount: '3', amountMicro: 3n * MICRO })
    const first = await submitTradeForm(deps(), alice, data)
    const afterFirst = await getBalance(database, alice.did)
    const second = await submitTradeForm(deps(), alice, data)
    expect(first.status).toBe('filled')
    expect(second).toMatchObject({ status: 'filled', replayed: true })
    expect(second.status === 'filled' && first.status === 'filled' && second.tradeId === first.tradeId).toBe(
      true,
    )
    expect(await getBalance(database, alice.did)).toBe(afterFirst)
  })

  it('sells shares back at the quoted proceeds', async () => {
    const before = await getBalance(database, alice.did)
    const data = await quotedForm({ did: alice.did, side: 'sell', amount: '1.5', amountMicro: 1_500_000n })
    const state = await submitTradeForm(deps(), alice, data)
    expect(state).toMatchObject({ status: 'filled' })
    const [trade] = await listTraderTrades(database, alice.did, { limit: 1 })
    expect(trade).toMatchObject({ side: 'sell', sharesMicro: 1_500_000n })
    expect(await getBalance(database, alice.did)).toBe(before + trade!.moneyMicro)
  })
})

describe('submitTradeForm: refusals leave every balance alone', () => {
  const cases: { name: string; amount: string; code: string; message: RegExp }[] = [
    { name: 'zero', amount: '0', code: 'bad_amount', message: /more than zero/ },
    { name: 'negative', amount: '-5', code: 'bad_amount', message: /plain number of credits/ },
    {
      name: 'finer than a micro-credit',
      amount: '1.0000001',
      code: 'bad_amount',
      message: /at most six decimals/,
    },
    { name: 'not a number', amount: 'ten', code: 'bad_amount', message: /plain number of credits/ },
    { name: 'exponent notation', amount: '1e3', code: 'bad_amount', message: /plain number of credits/ },
    { name: 'a thousand or one', amount: '1,000', code: 'bad_amount', message: /could mean 1000 or 1\.000/ },
    { name: 'absurdly large', amount: '99999999999999999999', code: 'bad_amount', message: /too large/ },
    {
      name: 'more than the balance',
      amount: '5000',
      code: 'insufficient_balance',
      message: /You have [\d.]+ credits/,
    },
    { name: 'empty', amount: '', code: 'bad_amount', message: /plain number of credits/ },
  ]
  for (const c of cases) {
    it(`refuses an amount that is ${c.name}`, async () => {
      const before = await balances()
      const data = await quotedForm({ did: alice.did, amount: '1', amountMicro: MICRO })
      data.set('amount', c.amount)
      const state = await submitTradeForm(deps(), alice, data)
      expect(state).toMatchObject({ status: 'refused', error: { code: c.code } })
      expect(state.status === 'refused' && state.error.message).toMatch(c.message)
      expect(await balances()).toEqual(before)
    })
  }

  it('refuses an unknown market', async () => {
    const before = await balances()
    const data = await quotedForm({ did: alice.did, amount: '1', amountMicro: MICRO })
    data.set('marketId', '987654321')
    expect(await submitTradeForm(deps(), alice, data)).toMatchObject({
      status: 'refused',
      error: { code: 'unknown_market', message: 'This market does not exist.' },
    })
    data.set('marketId', '1; drop table market')
    expect(await submitTradeForm(deps(), alice, data)).toMatchObject({ error: { code: 'unknown_market' } })
    expect(await balances()).toEqual(before)
  })

  it('refuses a market whose trading window has closed', async () => {
    const before = await balances()
    const data = await quotedForm({ did: alice.did, amount: '1', amountMicro: MICRO })
    data.set('marketId', String(closedMarketId))
    const state = await submitTradeForm(deps(), alice, data)
    expect(state).toMatchObject({ status: 'refused', error: { code: 'market_closed' } })
    expect(state.status === 'refused' && state.error.message).toMatch(/closed/)
    expect(await balances()).toEqual(before)
  })

  it('refuses a reused idempotency key with a different body, and keeps the first trade', async () => {
    const key = newKey()
    const first = await submitTradeForm(
      deps(),
      alice,
      await quotedForm({ did: alice.did, amount: '2', amountMicro: 2n * MICRO, key }),
    )
    expect(first.status).toBe('filled')
    const before = await balances()
    const reused = await quotedForm({ did: alice.did, amount: '4', amountMicro: 4n * MICRO, key })
    const state = await submitTradeForm(deps(), alice, reused)
    expect(state).toMatchObject({
      status: 'refused',
      idempotencyKey: key,
      error: { code: 'idempotency_conflict' },
    })
    expect(state.status === 'refused' && state.error.message).toMatch(/Nothing was traded/)
    expect(await balances()).toEqual(before)
  })

  it('refuses a stale quote: the price moved since the browser computed it', async () => {
    const stale = await quotedForm({ did: alice.did, amount: '20', amountMicro: 20n * MICRO })
    // Bob buys first and moves the YES price up.
    expect(
      (
        await submitTradeForm(
          deps(),
          bob,
          await quotedForm({ did: bob.did, amount: '50', amountMicro: 50n * MICRO }),
        )
      ).status,
    ).toBe('filled')
    const before = await balances()
    const state = await submitTradeForm(deps(), alice, stale)
    expect(state).toMatchObject({ status: 'refused', error: { code: 'slippage_exceeded' } })
    expect(state.status === 'refused' && state.error.message).toMatch(/price moved.*check the new quote/s)
    // The bound that was sent, as the panel prints prices (4 decimals), not the float the form carried.
    expect(state.status === 'refused' && state.error.message).toMatch(
      /more than your limit of 0\.\d{4} credits a share on average\. Nothing was bought;/,
    )
    expect(state.status === 'refused' && state.error.message).not.toMatch(/\d\.\d{5,}/)
    expect(await balances()).toEqual(before)
  })

  it('refuses a sale below its floor with the floor in credits as the panel prints them', async () => {
    const data = await quotedForm({ did: alice.did, side: 'sell', amount: '1', amountMicro: MICRO })
    data.set('limitValue', String(BigInt(data.get('limitValue') as string) + 1_234_567n))
    const before = await balances()
    const state = await submitTradeForm(deps(), alice, data)
    expect(state).toMatchObject({ status: 'refused', error: { code: 'slippage_exceeded' } })
    expect(state.status === 'refused' && state.error.message).toMatch(
      /^The price moved before your order arrived: the sale would now pay less than your minimum of \d+\.\d{1,6} credits\. Nothing was sold; check the new quote and submit again\.$/,
    )
    expect(await balances()).toEqual(before)
  })

  it('refuses an order without the quote bound (a form posted without the page’s script)', async () => {
    const before = await balances()
    const data = await quotedForm({ did: alice.did, amount: '1', amountMicro: MICRO })
    data.delete('limitKind')
    data.delete('limitValue')
    expect(await submitTradeForm(deps(), alice, data)).toMatchObject({
      status: 'refused',
      error: { code: 'bad_request' },
    })
    data.set('limitKind', 'max_average_price')
    data.set('limitValue', 'NaN')
    expect(await submitTradeForm(deps(), alice, data)).toMatchObject({
      status: 'refused',
      error: { code: 'bad_request' },
    })
    data.set('limitValue', '1.5')
    expect(await submitTradeForm(deps(), alice, data)).toMatchObject({
      status: 'refused',
      error: { code: 'bad_amount' },
    })
    expect(await balances()).toEqual(before)
  })

  it('refuses selling more shares than held', async () => {
    const before = await balances()
    const data = await quotedForm({
      did: bob.did,
      side: 'sell',
      outcome: 'no',
      amount: '1',
      amountMicro: MICRO,
    })
    const state = await submitTradeForm(deps(), bob, data)
    expect(state).toMatchObject({ status: 'refused', error: { code: 'insufficient_balance' } })
    expect(state.status === 'refused' && state.error.message).toMatch(/You hold 0 NO shares/)
    expect(await balances()).toEqual(before)
  })

  it('refuses without a session (no cookie, a forged one, an expired one all resolve to none)', async () => {
    const before = await balances()
    const data = await quotedForm({ did: alice.did, amount: '1', amountMicro: MICRO })
    expect(await submitTradeForm(deps(), null, data)).toMatchObject({
      status: 'refused',
      error: { code: 'auth_required', message: expect.stringMatching(/Sign in again/) as unknown },
    })
    expect(await balances()).toEqual(before)
  })

  it('refuses a malformed side, outcome or key before touching the desk', async () => {
    const before = await balances()
    const data = await quotedForm({ did: alice.did, amount: '1', amountMicro: MICRO })
    for (const [field, value, code] of [
      ['side', 'steal', 'bad_request'],
      ['outcome', 'maybe', 'bad_request'],
      ['idempotencyKey', '', 'bad_request'],
      ['idempotencyKey', 'x'.repeat(129), 'bad_request'],
    ] as const) {
      const copy = new FormData()
      for (const [k, v] of data.entries()) copy.set(k, v)
      copy.set(field, value)
      expect(await submitTradeForm(deps(), alice, copy)).toMatchObject({ status: 'refused', error: { code } })
    }
    expect(await balances()).toEqual(before)
    await expectLedgerSound()
  })
})
