import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { isCurationError, type CurationErrorCode } from '../src/errors'
import { maxLossMicro, MICRO } from '../src/market/lmsr'
import { DEFAULT_MARKET_PARAMS, type MarketParams } from '../src/market/params'
import { getBalance, getTreasuryBalance } from '../src/service/ledger'
import { closeDueMarkets, getMarket, getMarkets, openMarket } from '../src/service/market'
import { placeTrade } from '../src/service/trade'
import { createWarmDatabase, escrowBalance, expectLedgerSound, expectRefusal, fundLedger } from './helpers'

const NOW = new Date('2026-03-01T12:00:00Z')
const HOUR = 3_600_000
const B = 100n * MICRO
const FEE = 5n * MICRO
const params: MarketParams = {
  ...DEFAULT_MARKET_PARAMS,
  liquidityMicro: B,
  openFeeMicro: FEE,
  windowMs: 48 * HOUR,
}
const rules = { positionCapMicro: 300n * MICRO, maxAmountMicro: 1_000_000n * MICRO }
const curator = 'did:plc:curator'
let database: Database

beforeAll(async () => {
  database = await createWarmDatabase(8)
  await fundLedger(database, { now: NOW, grants: { [curator]: 1_000n * MICRO } })
})
afterAll(async () => {
  await database.close()
})

const post = (n: number | string) => `at://did:plc:author/app.bsky.feed.post/${n}`

const expectSound = () => expectLedgerSound(database)

async function money() {
  const [row] = await database.sql<{ entries: number; markets: number }[]>`
    select (select count(*)::int from ledger_entry) as entries, (select count(*)::int from market) as markets`
  return {
    ...row,
    treasury: await getTreasuryBalance(database),
    curator: await getBalance(database, curator),
  }
}

const escrow = (marketId: number) => escrowBalance(database, marketId)
const expectRefused = (fn: () => Promise<unknown>, code: CurationErrorCode) => expectRefusal(code, fn, money)

async function indexPost(uri: string, createdAt: Date, deleted = false) {
  await database.sql`
    insert into post (uri, cid, author_did, text, created_at, deleted_at)
    values (${uri}, 'bafy', 'did:plc:author', 'text', ${createdAt.toISOString()}::timestamptz,
            ${deleted ? NOW.toISOString() : null}::timestamptz)`
}

describe('openMarket', () => {
  it('opens for the candidate policy: the treasury escrows b ln 2, no fee, closes a window after opening', async () => {
    const before = await getTreasuryBalance(database)
    const { market, opened } = await openMarket(database, { postUri: post(1), now: NOW, params })
    expect(opened).toBe(true)
    expect(market).toMatchObject({
      postUri: post(1),
      status: 'open',
      liquidityMicro: B,
      qYesMicro: 0n,
      qNoMicro: 0n,
      yesPrice: 0.5,
      subsidyMicro: maxLossMicro(B),
      feeMicro: 0n,
      createdBy: null,
      openedAt: NOW.toISOString(),
      closesAt: new Date(NOW.getTime() + 48 * HOUR).toISOString(),
      tradeCount: 0,
      traderCount: 0,
    })
    expect(await escrow(market.id)).toBe(maxLossMicro(B))
    expect(await getTreasuryBalance(database)).toBe(before - maxLossMicro(B))
    await expectSound()
  })

  it('is idempotent per post: a second open, or ten racing ones, return the market and charge nothing', async () => {
    const first = await openMarket(database, { postUri: post(1), now: NOW, params })
    expect(first.opened).toBe(false)
    const before = await money()
    const again = await openMarket(database, { postUri: post(1), openedBy: curator, now: NOW, params })
    expect(again).toEqual({ market: first.market, opened: false })
    expect(await money()).toEqual(before)

    const racing = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        openMarket(database, {
          postUri: post('race'),
          openedBy: i % 2 ? curator : undefined,
          now: NOW,
          params,
        }),
      ),
    )
    expect(racing.filter((r) => r.opened)).toHaveLength(1)
    expect(new Set(racing.map((r) => r.market.id)).size).toBe(1)
    const [row] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from ledger_entry where reason = 'market_subsidy' and reference = ${`market:${racing[0]!.market.id}`}`
    expect(row!.n).toBe(1)
    await expectSound()
  })

  it('charges a curator the opening fee, to the treasury, and records who opened it', async () => {
    const before = await money()
    const { market } = await openMarket(database, { postUri: post(2), openedBy: curator, now: NOW, params })
    expect(market).toMatchObject({ createdBy: curator, feeMicro: FEE })
    expect(await getBalance(database, curator)).toBe(before.curator - FEE)
    expect(await getTreasuryBalance(database)).toBe(before.treasury + FEE - maxLossMicro(B))
    const [fee] = await database.sql<{ amount: string }[]>`
      select amount_micro::text as amount from ledger_entry where reason = 'market_fee' and reference = ${`market:${market.id}`}`
    expect(fee!.amount).toBe(FEE.toString())
    await expectSound()
  })

  it('refuses, changing nothing: a curator who cannot pay, an unfunded subsidy, a bad address, a deleted or old post', async () => {
    await expectRefused(
      () => openMarket(database, { postUri: post(3), openedBy: 'did:plc:broke', now: NOW, params }),
      'insufficient_balance',
    )
    await expectRefused(
      () =>
        openMarket(database, {
          postUri: post(3),
          now: NOW,
          params: { ...params, liquidityMicro: 10n ** 14n },
        }),
      'insufficient_balance',
    )
    for (const bad of [
      'https://bsky.app/profile/a/post/1',
      'at://alice.bsky.social/app.bsky.feed.post/1',
      'at://did:plc:a/app.bsky.feed.like/1',
      '',
    ]) {
      await expectRefused(() => openMarket(database, { postUri: bad, now: NOW, params }), 'bad_request')
    }
    await expectRefused(
      () => openMarket(database, { postUri: post(3), openedBy: 'nobody', now: NOW, params }),
      'bad_request',
    )
    await indexPost(post('deleted'), new Date(NOW.getTime() - HOUR), true)
    await expectRefused(
      () => openMarket(database, { postUri: post('deleted'), now: NOW, params }),
      'bad_request',
    )
    await indexPost(post('old'), new Date(NOW.getTime() - 49 * HOUR))
    await expectRefused(
      () => openMarket(database, { postUri: post('old'), now: NOW, params }),
      'market_closed',
    )
    expect(await getMarket(database, { postUri: post(3) })).toBeUndefined()
  })

  it('closes trading a window after the indexed post was created, never later than a window from now', async () => {
    await indexPost(post('indexed'), new Date(NOW.getTime() - 47 * HOUR))
    const { market } = await openMarket(database, { postUri: post('indexed'), now: NOW, params })
    expect(market.closesAt).toBe(new Date(NOW.getTime() + HOUR).toISOString())
    await indexPost(post('future'), new Date(NOW.getTime() + 100 * HOUR))
    const future = await openMarket(database, { postUri: post('future'), now: NOW, params })
    expect(future.market.closesAt).toBe(new Date(NOW.getTime() + 48 * HOUR).toISOString())
  })
})

describe('closeDueMarkets', () => {
  it('closes exactly the markets past their close time; trading on them is refused', async () => {
    const soon = (await getMarket(database, { postUri: post('indexed') }))!
    const later = (await getMarket(database, { postUri: post(1) }))!
    expect(await closeDueMarkets(database, { now: new Date(NOW.getTime() + HOUR - 1) })).toEqual([])
    expect(await closeDueMarkets(database, { now: new Date(NOW.getTime() + HOUR) })).toEqual([soon.id])
    expect(await closeDueMarkets(database, { now: new Date(NOW.getTime() + HOUR) })).toEqual([])
    const [closed, open] = await getMarkets(
      database,
      [soon.id, later.id].sort((a, b) => a - b),
    )
    expect([closed, open].find((m) => m!.id === soon.id)!.status).toBe('closed')
    expect([closed, open].find((m) => m!.id === later.id)!.status).toBe('open')

    // A clock that runs behind the close must not reopen it: status alone refuses.
    const err = await placeTrade(
      database,
      {
        did: curator,
        marketId: soon.id,
        side: 'buy',
        outcome: 'yes',
        amountMicro: MICRO,
        limit: { kind: 'max_average_price', price: 1 },
        idempotencyKey: 'after-close',
        now: NOW,
      },
      { rules },
    ).catch((e: unknown) => e)
    expect(isCurationError(err, 'market_closed')).toBe(true)
    expect((err as Error).message).toContain('closed')
    await expectSound()
  })
})
