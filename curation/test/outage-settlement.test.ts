/**
 * Settlement when the database connection dies under it (MECHANISM.md "Settlement": one idempotent transaction per
 * batch of markets). A batch killed while it holds its locks pays nothing of that batch; the batches before it stay
 * paid; a commit whose answer never reached the caller stays applied. Run again, settlement pays every winning share
 * and every refund exactly once, the ledger invariant holds exactly, and the connections the kill took come back.
 *
 * What each market owes is worked out here from the positions, by the mechanism's rule (a winning share pays one
 * credit, a void refunds the net spend), not from the settlement planner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { isCurationError } from '../src/errors'
import { MICRO } from '../src/market/lmsr'
import { grantStartingCredits } from '../src/service/ledger'
import { settleMarkets, type SettlementResult, type Verdict } from '../src/service/settlement'
import { checkSettlementBooks } from '../src/service/settlement-audit'
import { buyAtAnyPrice } from '../src/service/testing'
import { createWarmDatabase, expectLedgerSound } from './helpers'
import { HOUR, MINUTE, T0, at, setupMarkets } from './jury-helpers'
import { expectEveryConnectionWorks, startCommitCutter, useKiller, onPostgres } from './outage'

const POOL = 4
const TRADERS = ['did:plc:outage-ann', 'did:plc:outage-ben', 'did:plc:outage-cat']
const rules = { positionCapMicro: 10_000n * MICRO, maxAmountMicro: 10_000n * MICRO }
/** After every market below has closed (they trade for an hour from half an hour before T0). */
const SETTLE_AT = at(2 * HOUR)
const VERDICTS: Verdict[] = ['yes', 'no', 'void', 'unsampled']

let database: Database
let postSeq = 0

beforeAll(async () => {
  database = await createWarmDatabase(POOL)
  for (const did of TRADERS)
    await grantStartingCredits(database, { did, amountMicro: 5_000n * MICRO, now: T0 })
})
afterAll(async () => {
  await database?.close()
})

/** `n` closed markets, each traded by every trader (YES or NO, different amounts); verdicts cycle yes/no/void/unsampled. */
async function tradedMarkets(n: number): Promise<Map<number, Verdict>> {
  const posts = Array.from({ length: n }, () => ({ n: `outage-${++postSeq}`, createdAt: at(-30 * MINUTE) }))
  const markets = await setupMarkets(database, posts)
  const verdicts = new Map<number, Verdict>()
  for (const [i, { marketId }] of markets.entries()) {
    for (const [t, did] of TRADERS.entries()) {
      const outcome = (i + t) % 2 === 0 ? 'yes' : 'no'
      await buyAtAnyPrice(database, rules, {
        did,
        marketId,
        outcome,
        credits: BigInt(5 + i + 3 * t),
        now: T0,
      })
    }
    verdicts.set(marketId, VERDICTS[i % VERDICTS.length]!)
  }
  return verdicts
}

/** What settling these markets owes each (market, account): winning shares, or the net spend for a void. */
async function owed(verdicts: ReadonlyMap<number, Verdict>): Promise<Map<string, bigint>> {
  const rows = await database.sql<
    { marketId: string; accountId: string; yes: string; no: string; net: string }[]
  >`
    select market_id::text as "marketId", account_id::text as "accountId", yes_shares_micro::text as yes,
           no_shares_micro::text as no, net_spend_micro::text as net
    from position where market_id = any(${database.sql.array([...verdicts.keys()])}::bigint[])`
  const out = new Map<string, bigint>()
  for (const r of rows) {
    const verdict = verdicts.get(Number(r.marketId))!
    const amount = verdict === 'yes' ? BigInt(r.yes) : verdict === 'no' ? BigInt(r.no) : BigInt(r.net)
    if (amount > 0n) out.set(`${r.marketId}/${r.accountId}`, amount)
  }
  return out
}

/** Every settlement payout or refund to a curator, by (market, account): [count, total]. */
async function paidToCurators(
  db: Database,
  marketIds: readonly number[],
): Promise<Map<string, [number, bigint]>> {
  const rows = await db.sql<{ marketId: string; accountId: string; n: number; total: string }[]>`
    select substr(e.reference, 12) as "marketId", e.to_account::text as "accountId", count(*)::int as n,
           sum(e.amount_micro)::text as total
    from ledger_entry e join account a on a.id = e.to_account and a.kind = 'curator'
    where e.reason in ('settlement_payout', 'settlement_refund')
      and e.reference = any(${db.sql.array(marketIds.map((id) => `settlement:${id}`))}::text[])
    group by 1, 2`
  return new Map(rows.map((r) => [`${r.marketId}/${r.accountId}`, [r.n, BigInt(r.total)]]))
}

async function statuses(db: Database, marketIds: readonly number[]): Promise<string[]> {
  const rows = await db.sql<{ status: string }[]>`
    select status from market where id = any(${db.sql.array([...marketIds])}::bigint[]) order by id`
  return rows.map((r) => r.status)
}

/** Exactly what is owed, each in one ledger entry, and the books sound (read through `db`). */
async function expectPaidExactlyOnce(
  db: Database,
  verdicts: ReadonlyMap<number, Verdict>,
  due: Map<string, bigint>,
) {
  const ids = [...verdicts.keys()]
  expect(await statuses(db, ids)).toEqual(
    ids.map((id) => (['yes', 'no'].includes(verdicts.get(id)!) ? 'settled' : 'void')),
  )
  const paid = await paidToCurators(db, ids)
  expect(new Map([...paid].map(([k, [, total]]) => [k, total]))).toEqual(due)
  expect([...paid.values()].filter(([n]) => n !== 1)).toEqual([])
  await expectLedgerSound(db)
  expect(await checkSettlementBooks(db)).toEqual([])
}

const outcomes = (results: SettlementResult[]) => results.map((r) => r.outcome)

describe.skipIf(!onPostgres)(
  'settlement when its connection is killed (PostgreSQL: pg_terminate_backend)',
  () => {
    const killer = useKiller(() => database)

    it('a batch killed while it holds its locks pays nothing; the retry pays every share and refund once', async () => {
      const verdicts = await tradedMarkets(12)
      const ids = [...verdicts.keys()]
      const due = await owed(verdicts)
      // The second batch (markets 5-8) waits on its fifth market's escrow; the first has committed by then.
      const release = await killer().hold(
        `select 1 from account where kind = 'market' and market_id = ${ids[4]} for update`,
      )
      const settling = settleMarkets(database, { verdicts, now: SETTLE_AT, batchSize: 4 }).then(
        () => undefined,
        (err: unknown) => err,
      )
      const pid = await killer().waitForLockWaiter('for no key update')
      expect(await killer().terminate({ pid })).toBe(1)
      await release()
      const failure = await settling
      expect(failure, 'the killed settlement reports the failure').toBeInstanceOf(Error)
      expect(isCurationError(failure)).toBe(false)

      // The first batch is whole, the second left no trace, the third never started.
      const seen = killer().database
      expect(await statuses(seen, ids)).toEqual([
        ...ids.slice(0, 4).map((id) => (['yes', 'no'].includes(verdicts.get(id)!) ? 'settled' : 'void')),
        ...ids.slice(4).map(() => 'open'),
      ])
      const firstBatch = new Set(ids.slice(0, 4).map(String))
      expect(new Map([...(await paidToCurators(seen, ids))].map(([k, [, total]]) => [k, total]))).toEqual(
        new Map([...due].filter(([k]) => firstBatch.has(k.split('/')[0]!))),
      )
      await expectLedgerSound(seen)
      expect(await checkSettlementBooks(seen)).toEqual([])

      // Run again, on the pool the kill went through: the first batch is skipped, the rest settle.
      const retried = await settleMarkets(database, { verdicts, now: SETTLE_AT, batchSize: 4 })
      expect(outcomes(retried)).toEqual([
        ...ids.slice(0, 4).map(() => 'already_settled'),
        ...ids.slice(4).map(() => 'settled'),
      ])
      await expectPaidExactlyOnce(seen, verdicts, due)
      // And once more: nothing moves.
      expect(outcomes(await settleMarkets(database, { verdicts, now: SETTLE_AT, batchSize: 4 }))).toEqual(
        ids.map(() => 'already_settled'),
      )
      // Every connection of the pool under test works again, and reads the same books.
      await expectEveryConnectionWorks(database, POOL)
      await expectPaidExactlyOnce(database, verdicts, due)
    })
  },
)

describe('settlement whose commit answer is lost', () => {
  it('stays applied, and the retry finds it settled and pays nothing twice', async () => {
    const verdicts = await tradedMarkets(4)
    const due = await owed(verdicts)
    const cutter = await startCommitCutter(database, 2)
    try {
      cutter.arm()
      const failure = await settleMarkets(cutter.database, { verdicts, now: SETTLE_AT, batchSize: 4 }).then(
        () => undefined,
        (err: unknown) => err,
      )
      expect(cutter.cuts()).toBe(1)
      expect(failure, 'the caller heard only that the connection failed').toBeInstanceOf(Error)
      // It committed all the same, whole.
      await expectPaidExactlyOnce(database, verdicts, due)
      // The caller retries through the same relay (its pool reconnects).
      const retried = await settleMarkets(cutter.database, { verdicts, now: SETTLE_AT, batchSize: 4 })
      expect(outcomes(retried)).toEqual([...verdicts.keys()].map(() => 'already_settled'))
      await expectPaidExactlyOnce(database, verdicts, due)
    } finally {
      await cutter.close()
    }
  })
})
