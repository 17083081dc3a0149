/**
 * Trades when the database connection dies under them (service/trade.ts, one transaction per call or per desk
 * batch). A trade killed before its commit leaves no trace (no trade row, no ledger entry, no position, no price
 * move); a commit whose answer the client never heard stays applied once, and a retry with the same idempotency key
 * returns it rather than trading again; the trade desk's batches behave the same; and the pool the kills went
 * through serves trades again afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { isCurationError } from '../src/errors'
import { MICRO } from '../src/market/lmsr'
import type { TradeRules } from '../src/market/trade'
import { getBalance, grantStartingCredits } from '../src/service/ledger'
import { placeTrade, type PlaceTradeInput, type TradeReceipt } from '../src/service/trade'
import { createTradeDesk } from '../src/service/trade-desk'
import { createWarmDatabase, expectLedgerSound } from './helpers'
import { MINUTE, T0, at, setupMarkets } from './jury-helpers'
import { expectEveryConnectionWorks, startCommitCutter, useKiller, onPostgres } from './outage'

const POOL = 4
const GRANT = 1_000n * MICRO
const rules: TradeRules = { positionCapMicro: 500n * MICRO, maxAmountMicro: 1_000n * MICRO }

let database: Database
let seq = 0

beforeAll(async () => {
  database = await createWarmDatabase(POOL)
})
afterAll(async () => {
  await database?.close()
})

/** A market open at T0 and `n` funded traders. */
async function marketAndTraders(n: number): Promise<{ marketId: number; dids: string[] }> {
  const [market] = await setupMarkets(database, [{ n: `trade-outage-${++seq}`, createdAt: at(-MINUTE) }])
  const marketId = market!.marketId
  const dids = Array.from({ length: n }, (_, i) => `did:plc:outage-trader-${seq}-${i}`)
  for (const did of dids) await grantStartingCredits(database, { did, amountMicro: GRANT, now: T0 })
  return { marketId, dids }
}

function order(did: string, marketId: number, credits: bigint): PlaceTradeInput {
  return {
    did,
    marketId,
    side: 'buy',
    outcome: 'yes',
    amountMicro: credits * MICRO,
    limit: { kind: 'max_average_price', price: 1 },
    idempotencyKey: `outage-${++seq}`,
    now: T0,
  }
}

/** The trades stored under these orders' keys, by key: [count, trade id]. */
async function storedTrades(
  db: Database,
  orders: readonly PlaceTradeInput[],
): Promise<Map<string, [number, number]>> {
  const rows = await db.sql<{ key: string; n: number; id: string }[]>`
    select idempotency_key as key, count(*)::int as n, min(id)::text as id from trade
    where idempotency_key = any(${db.sql.array(orders.map((o) => o.idempotencyKey))}::text[])
    group by idempotency_key`
  return new Map(rows.map((r) => [r.key, [r.n, Number(r.id)]]))
}

/** The market's state and the traders' balances: what a trade that left no trace leaves as it was. */
async function snapshot(db: Database, marketId: number, dids: readonly string[]) {
  const [market] = await db.sql<{ q: string }[]>`
    select q_yes_micro || '/' || q_no_micro || '/' || trade_count as q from market where id = ${marketId}`
  return { market: market!.q, balances: await Promise.all(dids.map((did) => getBalance(db, did))) }
}

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: unknown) => err,
  )

/** Each order stored exactly once, each trader charged exactly its receipt. */
async function expectAppliedOnce(orders: readonly PlaceTradeInput[], receipts: readonly TradeReceipt[]) {
  const stored = await storedTrades(database, orders)
  expect([...stored.values()].map(([n]) => n)).toEqual(orders.map(() => 1))
  expect(receipts.map((r) => r.tradeId).sort()).toEqual(
    orders.map((o) => stored.get(o.idempotencyKey)![1]).sort(),
  )
  for (const o of orders) {
    const charged = receipts.filter((r) => r.did === o.did).reduce((sum, r) => sum + r.moneyMicro, 0n)
    expect(await getBalance(database, o.did)).toBe(GRANT - charged)
  }
  await expectLedgerSound(database)
}

describe.skipIf(!onPostgres)('a trade whose connection is killed (PostgreSQL: pg_terminate_backend)', () => {
  const killer = useKiller(() => database)

  it('is not half-applied, the same key then trades once, and the pool serves trades again', async () => {
    const { marketId, dids } = await marketAndTraders(1)
    const o = order(dids[0]!, marketId, 25n)
    const seen = killer().database
    const before = await snapshot(seen, marketId, dids)
    // The trade waits for the market's row lock with its loads sent; it is killed there.
    const release = await killer().hold(`select 1 from market where id = ${marketId} for update`)
    const trading = failureOf(placeTrade(database, o, { rules }))
    expect(
      await killer().terminate({ pid: await killer().waitForLockWaiter('for no key update of m') }),
    ).toBe(1)
    await release()
    const failure = await trading
    expect(failure).toBeInstanceOf(Error)
    expect(isCurationError(failure)).toBe(false)
    expect(await storedTrades(seen, [o])).toEqual(new Map())
    expect(await snapshot(seen, marketId, dids)).toEqual(before)
    await expectLedgerSound(seen)

    const receipt = await placeTrade(database, o, { rules })
    expect(receipt.replayed).toBe(false)
    await expectEveryConnectionWorks(database, POOL)
    await expectAppliedOnce([o], [receipt])
    // More trades than the pool has connections, each on whichever connection is free.
    const more = dids.flatMap((did) => Array.from({ length: 2 * POOL }, () => order(did, marketId, 1n)))
    await Promise.all(more.map((m) => placeTrade(database, m, { rules })))
    await expectLedgerSound(database)
  })

  it("through the desk: a killed batch leaves no trace and the desk's one-by-one retry places each order once", async () => {
    const { marketId, dids } = await marketAndTraders(4)
    const desk = createTradeDesk(database, { rules, lanes: 1 })
    const orders = dids.map((did, i) => order(did, marketId, BigInt(10 + i)))
    const seen = killer().database
    const before = await snapshot(seen, marketId, dids)
    const release = await killer().hold(`select 1 from market where id = ${marketId} for update`)
    // The first order runs alone and waits on the lock; the other three queue behind it and go as one batch.
    const placed = Promise.allSettled(orders.map((o) => desk.placeTrade(o)))
    const alone = await killer().waitForLockWaiter('for no key update of m')
    expect(await killer().terminate({ pid: alone })).toBe(1)
    const batch = await killer().waitForLockWaiter('for no key update of m', alone)
    expect(await killer().terminate({ pid: batch })).toBe(1)
    // The desk takes the batch's orders one by one now; the first of them waits on the lock. Nothing is stored yet.
    await killer().waitForLockWaiter('for no key update of m', batch)
    expect(await storedTrades(seen, orders)).toEqual(new Map())
    expect(await snapshot(seen, marketId, dids)).toEqual(before)
    await expectLedgerSound(seen)
    await release()
    const [first, ...rest] = await placed
    await desk.drain()
    // One transaction alone, one batch of three, then the three again one by one.
    expect(desk.stats()).toEqual({ orders: 4, transactions: 5 })
    // The lone order's failure goes to its caller; the batch's orders went through on the desk's retry.
    expect(first!.status).toBe('rejected')
    expect(isCurationError((first as PromiseRejectedResult).reason)).toBe(false)
    const receipts = rest.map((r) => (r as PromiseFulfilledResult<TradeReceipt>).value)
    expect(receipts.map((r) => r.replayed)).toEqual([false, false, false])
    // The caller retries the first with its key; a repeat of the others replays them.
    receipts.unshift(await placeTrade(database, orders[0]!, { rules }))
    expect(receipts[0]!.replayed).toBe(false)
    for (const o of orders.slice(1)) expect((await placeTrade(database, o, { rules })).replayed).toBe(true)
    await expectEveryConnectionWorks(database, POOL)
    await expectAppliedOnce(orders, receipts)
  })
})

describe('a trade whose commit answer is lost (a relay cuts the connection as COMMIT is answered)', () => {
  it('stays applied once, and a retry with the same key returns it instead of trading again', async () => {
    const { marketId, dids } = await marketAndTraders(1)
    const cutter = await startCommitCutter(database, 2)
    try {
      const o = order(dids[0]!, marketId, 30n)
      cutter.arm()
      const failure = await failureOf(placeTrade(cutter.database, o, { rules }))
      expect(cutter.cuts()).toBe(1)
      expect(failure).toBeInstanceOf(Error)
      expect(isCurationError(failure)).toBe(false)
      const [[count, tradeId]] = [...(await storedTrades(database, [o])).values()] as [[number, number]]
      expect(count).toBe(1)

      const retried = await placeTrade(cutter.database, o, { rules })
      expect(retried).toMatchObject({ tradeId, replayed: true })
      await expectAppliedOnce([o], [retried])
    } finally {
      await cutter.close()
    }
  })

  it('through the desk: a batch whose commit answer is lost is replayed order by order, none applied twice', async () => {
    const { marketId, dids } = await marketAndTraders(4)
    const cutter = await startCommitCutter(database, 2)
    try {
      const desk = createTradeDesk(cutter.database, { rules, lanes: 1 })
      const orders = dids.map((did, i) => order(did, marketId, BigInt(10 + i)))
      // The first order commits alone; the batch of the other three is the one cut.
      cutter.arm(1)
      const receipts = await Promise.all(orders.map((o) => desk.placeTrade(o)))
      await desk.drain()
      expect(cutter.cuts()).toBe(1)
      expect(desk.stats()).toEqual({ orders: 4, transactions: 5 })
      expect(receipts.map((r) => r.replayed)).toEqual([false, true, true, true])
      await expectAppliedOnce(orders, receipts)
    } finally {
      await cutter.close()
    }
  })
})
