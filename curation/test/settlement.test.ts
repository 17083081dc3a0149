import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { maxLossMicro, MICRO, type Outcome } from '../src/market/lmsr'
import { DEFAULT_MARKET_PARAMS } from '../src/market/params'
import type { TradeRules } from '../src/market/trade'
import { getBalance, getTreasuryBalance, grantStartingCredits } from '../src/service/ledger'
import { getMarket, openMarket } from '../src/service/market'
import { getMarketSettlement, settleMarket, settleMarkets, type Verdict } from '../src/service/settlement'
import { checkSettlementBooks } from '../src/service/settlement-audit'
import { placeTrade, placeTrades } from '../src/service/trade'
import { buyAtAnyPrice } from '../src/service/testing'
import { listPositions } from '../src/service/trade-queries'
import { createWarmDatabase, escrowBalance, expectLedgerSound, expectRefusal, fundLedger } from './helpers'

const T0 = new Date('2026-03-01T12:00:00Z')
const AFTER_CLOSE = new Date(T0.getTime() + 49 * 3_600_000)
const B = 100n * MICRO
const SUBSIDY = maxLossMicro(B)
const rules: TradeRules = { positionCapMicro: 100_000n * MICRO, maxAmountMicro: 1_000_000n * MICRO }
const params = { ...DEFAULT_MARKET_PARAMS, liquidityMicro: B, openFeeMicro: 0n }

let database: Database
let postSeq = 0
let keySeq = 0

beforeAll(async () => {
  database = await createWarmDatabase(6)
  await fundLedger(database, { now: T0 })
})
afterAll(async () => {
  await database.close()
})

async function curator(name: string, credits: bigint): Promise<string> {
  const did = `did:plc:${name}${++keySeq}`
  await grantStartingCredits(database, { did, amountMicro: credits * MICRO, now: T0 })
  return did
}

async function newMarket(at = T0): Promise<number> {
  const uri = `at://did:plc:author/app.bsky.feed.post/s${++postSeq}`
  return (await openMarket(database, { postUri: uri, now: at, params })).market.id
}

function buy(did: string, marketId: number, outcome: Outcome, credits: bigint, at = T0) {
  return buyAtAnyPrice(database, rules, { did, marketId, outcome, credits, now: at })
}

async function sellAll(did: string, marketId: number, outcome: Outcome, at = T0) {
  const p = (await listPositions(database, did)).find((x) => x.marketId === marketId)!
  return placeTrade(
    database,
    {
      did,
      marketId,
      side: 'sell',
      outcome,
      amountMicro: outcome === 'yes' ? p.yesSharesMicro : p.noSharesMicro,
      limit: { kind: 'min_proceeds', proceedsMicro: 0n },
      idempotencyKey: `k${++keySeq}`,
      now: at,
    },
    { rules },
  )
}

const escrow = (marketId: number) => escrowBalance(database, marketId)

async function expectSound() {
  await expectLedgerSound(database)
  expect(await checkSettlementBooks(database)).toEqual([])
}

/** Every table settlement could touch, as text: equal dumps mean nothing changed, byte for byte. */
async function dumpLedger(): Promise<string> {
  const [row] = await database.sql<{ dump: string }[]>`
    select concat_ws(E'\n',
      (select coalesce(json_agg(a order by a.id), '[]')::text from account a),
      (select coalesce(json_agg(e order by e.id), '[]')::text from ledger_entry e),
      (select coalesce(json_agg(m order by m.id), '[]')::text from market m),
      (select coalesce(json_agg(p order by p.market_id, p.account_id), '[]')::text from position p),
      (select coalesce(json_agg(s order by s.market_id), '[]')::text from market_settlement s),
      (select coalesce(json_agg(s order by s.market_id, s.account_id), '[]')::text from position_settlement s)
    ) as dump`
  return row!.dump
}

describe('settleMarket', () => {
  it('pays each winning share one credit, returns the remainder to the treasury, and a second run changes nothing', async () => {
    const alice = await curator('alice', 1_000n)
    const bob = await curator('bob', 1_000n)
    const id = await newMarket()
    const a = await buy(alice, id, 'yes', 40n)
    const b = await buy(bob, id, 'no', 25n)
    const escrowBefore = await escrow(id)
    const treasuryBefore = await getTreasuryBalance(database)
    await expectSound()

    const result = await settleMarket(database, {
      marketId: id,
      verdict: 'yes',
      now: AFTER_CLOSE,
      roundId: 7,
    })
    expect(result.outcome).toBe('settled')
    expect(result.settlement).toMatchObject({
      resolution: 'yes',
      cause: 'verdict',
      roundId: 7,
      escrowMicro: escrowBefore,
      paidMicro: a.sharesMicro,
      remainderMicro: escrowBefore - a.sharesMicro,
      positions: 2,
    })
    expect(await getBalance(database, alice)).toBe(1_000n * MICRO - a.moneyMicro + a.sharesMicro)
    expect(await getBalance(database, bob)).toBe(1_000n * MICRO - b.moneyMicro)
    expect(await escrow(id)).toBe(0n)
    expect(await getTreasuryBalance(database)).toBe(treasuryBefore + escrowBefore - a.sharesMicro)
    expect(await getMarket(database, { id })).toMatchObject({ status: 'settled', resolvedOutcome: 'yes' })
    await expectSound()

    const dump = await dumpLedger()
    const again = await settleMarket(database, { marketId: id, verdict: 'yes', now: AFTER_CLOSE })
    expect(again.outcome).toBe('already_settled')
    expect(again.settlement).toEqual(result.settlement)
    // Even a different verdict sent later moves nothing: the first settlement stands.
    const other = await settleMarket(database, { marketId: id, verdict: 'no', now: AFTER_CLOSE })
    expect(other.outcome).toBe('already_settled')
    expect(other.settlement.resolution).toBe('yes')
    expect(await dumpLedger()).toBe(dump)
    await expectSound()
  })

  it('refunds every net spend when the market was not sampled, and the treasury gets exactly its subsidy back', async () => {
    const alice = await curator('alice', 1_000n)
    const bob = await curator('bob', 1_000n)
    const id = await newMarket()
    await buy(alice, id, 'yes', 30n)
    await buy(bob, id, 'no', 50n)
    await buy(alice, id, 'no', 10n)
    const treasuryBefore = await getTreasuryBalance(database)

    const { settlement } = await settleMarket(database, {
      marketId: id,
      verdict: 'unsampled',
      now: AFTER_CLOSE,
    })
    expect(settlement).toMatchObject({
      resolution: 'void',
      cause: 'unsampled',
      haircutMicro: 0n,
      remainderMicro: SUBSIDY,
    })
    expect(await getBalance(database, alice)).toBe(1_000n * MICRO)
    expect(await getBalance(database, bob)).toBe(1_000n * MICRO)
    expect(await getTreasuryBalance(database)).toBe(treasuryBefore + SUBSIDY)
    expect(await getMarket(database, { id })).toMatchObject({ status: 'void', resolvedOutcome: null })
    await expectSound()

    const dump = await dumpLedger()
    expect(
      (await settleMarket(database, { marketId: id, verdict: 'unsampled', now: AFTER_CLOSE })).outcome,
    ).toBe('already_settled')
    expect(await dumpLedger()).toBe(dump)
  })

  it('a void without quorum claws a trading profit back, so everyone ends where they started', async () => {
    const alice = await curator('alice', 1_000n)
    const bob = await curator('bob', 1_000n)
    const id = await newMarket()
    await buy(alice, id, 'yes', 30n)
    await buy(bob, id, 'yes', 200n)
    const sold = await sellAll(alice, id, 'yes')
    expect(sold.moneyMicro).toBeGreaterThan(30n * MICRO) // alice took a profit out of the escrow

    const { settlement } = await settleMarket(database, { marketId: id, verdict: 'void', now: AFTER_CLOSE })
    expect(settlement.cause).toBe('no_quorum')
    expect(settlement.clawedBackMicro).toBeGreaterThan(0n)
    expect(settlement.uncollectedMicro).toBe(0n)
    expect(settlement.remainderMicro).toBe(SUBSIDY)
    expect(await getBalance(database, alice)).toBe(1_000n * MICRO)
    expect(await getBalance(database, bob)).toBe(1_000n * MICRO)
    const [entry] = await database.sql<{ reason: string; from: string }[]>`
      select reason, (select did from account where id = from_account) as from
      from ledger_entry where reference = ${`settlement:${id}`} order by id limit 1`
    expect(entry).toEqual({ reason: 'settlement_refund', from: alice })
    await expectSound()
  })

  it('a profit taken out of a market is held until it settles: it buys nothing elsewhere, and a void claws it back in full', async () => {
    const alice = await curator('alice', 300n)
    const bob = await curator('bob', 300n)
    const carol = await curator('carol', 300n)
    const id = await newMarket()
    const elsewhere = await newMarket()
    await buy(carol, id, 'no', 235n) // YES cheap
    await buy(alice, id, 'yes', 64n)
    await sellAll(carol, id, 'no')
    await buy(bob, id, 'yes', 290n) // YES dear
    await sellAll(alice, id, 'yes')

    const positions = await database.sql<{ did: string; net: string }[]>`
      select a.did, p.net_spend_micro::text as net from position p join account a on a.id = p.account_id
      where p.market_id = ${id}`
    const net = new Map(positions.map((p) => [p.did, BigInt(p.net)]))
    const held = -net.get(alice)!
    // Her profit is more than the subsidy: were it spent, a void could neither claw it back nor refund bob and
    // carol in full (the shortfall settlement-core.test.ts plans for books written before proceeds were held).
    expect(held).toBeGreaterThan(SUBSIDY)
    const balance = await getBalance(database, alice)
    const refusal = await expectRefusal(
      'insufficient_balance',
      () => buy(alice, elsewhere, 'yes', balance / MICRO),
      () => dumpLedger(),
    )
    expect(refusal.message).toContain('sale proceeds held until their markets settle')
    // What is not held is hers to spend anywhere.
    const free = (balance - held) / MICRO
    await buy(alice, elsewhere, 'yes', free)

    const treasuryBefore = await getTreasuryBalance(database)
    const { settlement } = await settleMarket(database, {
      marketId: id,
      verdict: 'unsampled',
      now: AFTER_CLOSE,
    })
    expect(settlement.clawedBackMicro).toBe(held)
    expect(settlement.uncollectedMicro).toBe(0n)
    expect(settlement.haircutMicro).toBe(0n)
    expect(settlement.remainderMicro).toBe(SUBSIDY)
    expect(await getTreasuryBalance(database)).toBe(treasuryBefore + SUBSIDY)
    // Everyone ends where they started in this market: bob and carol refunded in full.
    expect(await getBalance(database, bob)).toBe(300n * MICRO)
    expect(await getBalance(database, carol)).toBe(300n * MICRO)
    const profitOn = async (did: string) =>
      (await listPositions(database, did)).find((p) => p.marketId === id)!.profitMicro
    expect(await profitOn(alice)).toBe(0n)
    expect(await profitOn(bob)).toBe(0n)
    expect(await getBalance(database, alice)).toBeLessThan(1n * MICRO) // her 300 are in the other market
    await expectSound()
  })

  it('a verdict frees the proceeds it held: they buy elsewhere and pay fees once the market is settled', async () => {
    const alice = await curator('alice', 100n)
    const bob = await curator('bob', 500n)
    const id = await newMarket()
    const elsewhere = await newMarket()
    await buy(alice, id, 'yes', 50n)
    await buy(bob, id, 'yes', 400n)
    await sellAll(alice, id, 'yes')
    const balance = await getBalance(database, alice)
    expect(balance).toBeGreaterThan(101n * MICRO)
    const opening = (did: string) =>
      openMarket(database, {
        postUri: `at://did:plc:author/app.bsky.feed.post/s${++postSeq}`,
        openedBy: did,
        now: T0,
        params: { ...params, openFeeMicro: 101n * MICRO },
      })
    // Held: the profit can neither buy elsewhere nor pay an opening fee.
    await expectRefusal('insufficient_balance', () => buy(alice, elsewhere, 'no', 101n))
    expect((await expectRefusal('insufficient_balance', () => opening(alice))).message).toContain(
      'sale proceeds held until their markets settle',
    )
    await settleMarket(database, { marketId: id, verdict: 'yes', now: AFTER_CLOSE })
    // Sells are final once the market resolves: the whole balance is hers again.
    expect(await getBalance(database, alice)).toBe(balance)
    expect((await opening(alice)).opened).toBe(true)
    await buy(alice, elsewhere, 'no', (await getBalance(database, alice)) / MICRO)
    await expectSound()
  })

  it('refuses a market still trading or unknown, and settles the rest of the batch', async () => {
    const alice = await curator('alice', 100n)
    const closed = await newMarket()
    await buy(alice, closed, 'yes', 10n)
    const open = await newMarket(new Date(AFTER_CLOSE.getTime() - 3_600_000))
    await expectRefusal(
      'market_not_closed',
      () => settleMarket(database, { marketId: open, verdict: 'yes', now: AFTER_CLOSE }),
      dumpLedger,
    )

    const results = await settleMarkets(database, {
      verdicts: new Map<number, Verdict>([
        [closed, 'no'],
        [open, 'yes'],
        [999_999, 'yes'],
        [-1, 'yes'],
      ]),
      now: AFTER_CLOSE,
    })
    expect(results.map((r) => [r.marketId, r.outcome === 'refused' ? r.error.code : r.outcome])).toEqual([
      [-1, 'bad_request'],
      [closed, 'settled'],
      [open, 'market_not_closed'],
      [999_999, 'unknown_market'],
    ])
    expect(await getMarket(database, { id: open })).toMatchObject({ status: 'open' })
    expect(await getMarketSettlement(database, open)).toBeUndefined()
    await expectSound()
  })

  it('refuses to settle books that do not add up, and moves nothing', async () => {
    const alice = await curator('alice', 100n)
    const id = await newMarket()
    await buy(alice, id, 'yes', 10n)
    await database.sql`update market set q_yes_micro = q_yes_micro + 1 where id = ${id}`
    await expectRefusal(
      'settlement_invariant',
      () => settleMarket(database, { marketId: id, verdict: 'yes', now: AFTER_CLOSE }),
      dumpLedger,
    )
    await database.sql`update market set q_yes_micro = q_yes_micro - 1 where id = ${id}`
    expect((await settleMarket(database, { marketId: id, verdict: 'yes', now: AFTER_CLOSE })).outcome).toBe(
      'settled',
    )
    await expectSound()
  })

  it('the audit notices a settlement the ledger does not match', async () => {
    const alice = await curator('alice', 100n)
    const id = await newMarket()
    await buy(alice, id, 'yes', 10n)
    await settleMarket(database, { marketId: id, verdict: 'yes', now: AFTER_CLOSE })
    await database.sql`update position_settlement set paid_micro = paid_micro - 1, owed_micro = owed_micro - 1
                       where market_id = ${id}`
    const anomalies = await checkSettlementBooks(database)
    expect(
      anomalies
        .filter((a) => a.marketId === id)
        .map((a) => a.problem)
        .join('\n'),
    ).toMatch(/owed .* but the rule owes/)
    await database.sql`update position_settlement set paid_micro = paid_micro + 1, owed_micro = owed_micro + 1
                       where market_id = ${id}`
    await expectSound()
  })
})

describe('settlement under concurrency', () => {
  it('racing settlements of one market pay once', async () => {
    const alice = await curator('alice', 100n)
    const id = await newMarket()
    const a = await buy(alice, id, 'yes', 20n)
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        settleMarket(database, { marketId: id, verdict: 'yes', now: AFTER_CLOSE }),
      ),
    )
    expect(results.filter((r) => r.outcome === 'settled')).toHaveLength(1)
    expect(results.filter((r) => r.outcome === 'already_settled')).toHaveLength(5)
    const [count] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from ledger_entry where reference = ${`settlement:${id}`} and reason = 'settlement_payout'`
    expect(count!.n).toBe(1)
    expect(await getBalance(database, alice)).toBe(100n * MICRO - a.moneyMicro + a.sharesMicro)
    await expectSound()
  })

  it('settling markets in overlapping batches while the same curators trade elsewhere never deadlocks', async () => {
    const dids = await Promise.all(Array.from({ length: 8 }, (_, i) => curator(`c${i}`, 2_000n)))
    const closing = await Promise.all(Array.from({ length: 12 }, () => newMarket()))
    for (const [i, id] of closing.entries()) {
      for (const [j, did] of dids.entries()) {
        if ((i + j) % 3 !== 0) await buy(did, id, (i + j) % 2 ? 'yes' : 'no', BigInt(5 + j))
      }
    }
    const live = await Promise.all(Array.from({ length: 3 }, () => newMarket(AFTER_CLOSE)))
    const deadlocksBefore = await deadlocks()

    const verdicts: Verdict[] = ['yes', 'no', 'void', 'unsampled']
    const byMarket = new Map(closing.map((id, i) => [id, verdicts[i % 4]!]))
    // Batches in opposite orders over the same markets, one attempt each: a deadlock would surface as an error.
    const forward = settleMarkets(database, {
      verdicts: byMarket,
      now: AFTER_CLOSE,
      batchSize: 5,
      attempts: 1,
    })
    const backward = settleMarkets(database, {
      verdicts: new Map([...byMarket].reverse()),
      now: AFTER_CLOSE,
      batchSize: 3,
      attempts: 1,
    })
    const singles = closing.map((id) =>
      settleMarkets(database, {
        verdicts: new Map([[id, byMarket.get(id)!]]),
        now: AFTER_CLOSE,
        attempts: 1,
      }),
    )
    // Trade batches lock many of the same curators' accounts, in id order, as settlement does.
    const trading = live.flatMap((id, k) =>
      [0, 1, 2].map((round) =>
        placeTrades(
          database,
          dids.map((did, j) => ({
            did,
            marketId: id,
            side: 'buy' as const,
            outcome: (j + k + round) % 2 ? ('yes' as const) : ('no' as const),
            amountMicro: 3n * MICRO,
            limit: { kind: 'max_average_price' as const, price: 1 },
            idempotencyKey: `k${++keySeq}`,
            now: AFTER_CLOSE,
          })),
          { rules },
        ),
      ),
    )
    const [f, b, ...rest] = await Promise.all([forward, backward, ...singles, ...trading])
    const outcomes = [f, b, ...rest.slice(0, singles.length)].flat() as Awaited<typeof forward>
    for (const id of closing) {
      const mine = outcomes.filter((r) => r.marketId === id)
      expect(mine.filter((r) => r.outcome === 'settled')).toHaveLength(1)
      expect(mine.filter((r) => r.outcome === 'already_settled')).toHaveLength(2)
    }
    const fills = rest.slice(singles.length).flat() as Awaited<ReturnType<typeof placeTrades>>
    expect(fills.filter((r) => !r.ok)).toEqual([])
    expect(await deadlocks()).toBe(deadlocksBefore)
    await expectSound()
  })
})

/** PostgreSQL's deadlock count for this database (PGlite runs one transaction at a time: always 0 there). */
async function deadlocks(): Promise<number> {
  if (database.embedded) return 0
  await database.sql`select pg_stat_force_next_flush()`
  const [row] = await database.sql<{ n: string }[]>`
    select deadlocks::text as n from pg_stat_database where datname = current_database()`
  return Number(row!.n)
}
