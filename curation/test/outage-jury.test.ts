/**
 * The jury worker's settle step when the database connections die under it (service/jury-jobs.ts: pg-boss on the
 * test's database, settlement in batches of two markets). Without ballots every market of a round is void, so each
 * trader is refunded their net spend: exactly once, the ledger invariant holding exactly, whatever happens below.
 *
 * - The step fails just as the database goes away (it refuses connections, pg-boss's are killed), so pg-boss cannot
 *   record the failure: once the database is back the worker must retry the step by itself, and soon.
 * - While a settlement batch holds its locks, every backend of the database is killed again and again for a moment,
 *   twice: the same worker must get back to settling by itself; then the worker is restarted, as after a crash, and
 *   the new one must finish the round (needs a postgres.js that recovers a killed connection: see test/outage.ts).
 */
import { Identity } from '@semaphore-protocol/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { MICRO } from '../src/market/lmsr'
import { addMember } from '../src/service/jury-group'
import { startJuryWorker, type JuryWorker, type SettleRoundHook } from '../src/service/jury-jobs'
import { grantStartingCredits } from '../src/service/ledger'
import { getRound } from '../src/service/round'
import { settleRound } from '../src/service/settlement'
import { checkSettlementBooks } from '../src/service/settlement-audit'
import { buyAtAnyPrice } from '../src/service/testing'
import { createWarmDatabase, expectLedgerSound } from './helpers'
import { FAST_JURY_CONFIG, HOUR, MINUTE, setupMarkets } from './jury-helpers'
import { expectEveryConnectionWorks, onPostgres, openKiller, waitFor, type Killer } from './outage'

const POOL = 4
const config = FAST_JURY_CONFIG
const schema = 'pgboss_outage_test'
const TRADERS = ['did:plc:outage-jury-ann', 'did:plc:outage-jury-ben']
const rules = { positionCapMicro: 10_000n * MICRO, maxAmountMicro: 10_000n * MICRO }
/** Two markets a transaction: the kills land in the second batch, after the first has committed. */
const settleInBatches: SettleRoundHook = (db, opts) => settleRound(db, { ...opts, batchSize: 2 })
/** A retry may wait for pg-boss to notice a step whose failure it could not record: a heartbeat and a monitor pass. */
const RETRY_WAIT_MS = 120_000

/** A database of its own with the killer on it, the worker's log, and the workers started on it. */
function setting() {
  const s = {
    database: undefined as unknown as Database,
    killer: undefined as unknown as Killer,
    lines: [] as string[],
    workers: [] as JuryWorker[],
    log: (line: string) => void s.lines.push(line),
    explain: () => s.lines.slice(-8),
  }
  beforeAll(async () => {
    s.database = await createWarmDatabase(POOL)
    s.killer = await openKiller(s.database)
    await addMember(s.database, { commitment: new Identity('outage-juror').commitment, now: new Date() })
  })
  afterAll(async () => {
    for (const w of s.workers) await w.stop()
    await s.killer?.close()
    await s.database?.close()
  })
  return s
}

/**
 * Six markets that closed an hour ago (the first round's window takes them), each traded by both traders; resolves
 * to their ids and to what a void owes each position (its net spend), by market/account.
 */
async function tradedClosedMarkets(database: Database) {
  const createdAt = new Date(Date.now() - 2 * HOUR)
  const markets = await setupMarkets(
    database,
    [1, 2, 3, 4, 5, 6].map((n) => ({ n: `jury-outage-${n}`, createdAt, impressions: n })),
  )
  for (const did of TRADERS)
    await grantStartingCredits(database, { did, amountMicro: 1_000n * MICRO, now: createdAt })
  for (const [i, { marketId }] of markets.entries()) {
    for (const [t, did] of TRADERS.entries()) {
      const outcome = (i + t) % 2 === 0 ? 'yes' : 'no'
      const now = new Date(createdAt.getTime() + 10 * MINUTE)
      await buyAtAnyPrice(database, rules, { did, marketId, outcome, credits: BigInt(3 + i + t), now })
    }
  }
  const spent = await database.sql<{ key: string; net: string }[]>`
    select market_id || '/' || account_id as key, net_spend_micro::text as net from position`
  return { marketIds: markets.map((m) => m.marketId), due: new Map(spent.map((r) => [r.key, BigInt(r.net)])) }
}

/** Every position refunded its net spend in exactly one ledger entry, every market void, and the books sound. */
async function expectRefundedOnce(
  database: Database,
  marketIds: readonly number[],
  due: ReadonlyMap<string, bigint>,
) {
  const statuses = await database.sql<{ status: string }[]>`select status from market order by id`
  expect(statuses.map((m) => m.status)).toEqual(marketIds.map(() => 'void'))
  const refunds = await database.sql<{ key: string; n: number; total: string }[]>`
    select substr(e.reference, 12) || '/' || e.to_account as key, count(*)::int as n, sum(e.amount_micro)::text as total
    from ledger_entry e join account a on a.id = e.to_account and a.kind = 'curator'
    where e.reason = 'settlement_refund' group by 1`
  expect(new Map(refunds.map((r) => [r.key, BigInt(r.total)]))).toEqual(due)
  expect(refunds.filter((r) => r.n !== 1)).toEqual([])
  await expectLedgerSound(database)
  expect(await checkSettlementBooks(database)).toEqual([])
}

const settled = (database: Database) => async () =>
  (await getRound(database, 1))?.settledAt ? true : undefined

describe.skipIf(!onPostgres)('a settle step that fails as the database goes away (PostgreSQL)', () => {
  const s = setting()

  it(
    'is retried by the worker by itself, and refunds every position exactly once',
    { timeout: 300_000 },
    async () => {
      const { marketIds, due } = await tradedClosedMarkets(s.database)
      const calls: number[] = []
      let fail!: () => void
      const failing = new Promise<void>((resolve) => (fail = resolve))
      let called!: () => void
      const firstCall = new Promise<void>((resolve) => (called = resolve))
      // Round 1's first attempt fails when told to: the moment the database goes away.
      const settle: SettleRoundHook = async (db, opts) => {
        calls.push(opts.roundId)
        if (calls.length === 1) {
          called()
          await failing
          throw new Error('the database went away')
        }
        return settleInBatches(db, opts)
      }
      s.workers.push(
        await startJuryWorker({ database: s.database, config, log: s.log, settleRound: settle, schema }),
      )
      await firstCall
      try {
        await s.killer.refuseConnections(true)
        expect(await s.killer.terminate({ application: 'curia-jury' })).toBeGreaterThan(0)
        fail()
        await waitFor('pg-boss to fail to record the failure', () =>
          s.lines.some((l) => l.startsWith('jury: job queue error')) ? true : undefined,
        )
      } finally {
        await s.killer.refuseConnections(false)
      }
      expect(s.lines).toContain('jury: settle round 1 failed: the database went away')

      await waitFor('round 1 settled', settled(s.database), { timeoutMs: RETRY_WAIT_MS, explain: s.explain })
      expect(calls.filter((id) => id === 1)).toEqual([1, 1])
      await expectRefundedOnce(s.database, marketIds, due)
    },
  )
})

/** Kills every backend of the database every 10 ms for 300 ms: the settling one, the pool's, pg-boss's. */
async function killEverythingBriefly(killer: Killer): Promise<number> {
  const storm = killer.storm(10)
  await new Promise((r) => setTimeout(r, 300))
  return storm.stop()
}

describe.skipIf(!onPostgres)(
  'the jury worker when all its connections are killed mid-settlement (PostgreSQL)',
  () => {
    const s = setting()

    it(
      'retries by itself, survives a restart, and refunds every position exactly once',
      { timeout: 300_000 },
      async () => {
        const { database, killer } = s
        const { marketIds, due } = await tradedClosedMarkets(database)
        // Settlement's second batch (markets 3 and 4) waits on market 3's escrow.
        const release = await killer.hold(
          `select 1 from account where kind = 'market' and market_id = ${marketIds[2]} for update`,
        )
        s.workers.push(
          await startJuryWorker({ database, config, log: s.log, settleRound: settleInBatches, schema }),
        )
        const first = await killer.waitForLockWaiter('for no key update')
        expect(await killEverythingBriefly(killer)).toBeGreaterThan(1)
        // The same worker retries the step and waits on the lock again.
        const second = await killer.waitForLockWaiter('for no key update', first, RETRY_WAIT_MS)
        expect(await killEverythingBriefly(killer)).toBeGreaterThan(1)
        expect(second).not.toBe(first)
        await waitFor('the worker to report both failures', () =>
          s.lines.filter((l) => l.startsWith('jury: settle round 1 failed')).length >= 2 ? true : undefined,
        )
        // Only the first batch is settled: the killed ones left nothing.
        const seen = killer.database
        const statuses = await seen.sql<{ status: string }[]>`select status from market order by id`
        expect(statuses.map((m) => (m.status === 'void' ? 'void' : 'unsettled'))).toEqual([
          'void',
          'void',
          'unsettled',
          'unsettled',
          'unsettled',
          'unsettled',
        ])
        expect((await getRound(seen, 1))?.settledAt).toBeNull()
        await expectLedgerSound(seen)
        expect(await checkSettlementBooks(seen)).toEqual([])

        // A restart: the worker stops, the lock goes, a new worker takes the step over.
        await s.workers.pop()!.stop()
        await release()
        s.workers.push(
          await startJuryWorker({ database, config, log: s.log, settleRound: settleInBatches, schema }),
        )
        await waitFor('round 1 settled', settled(seen), { timeoutMs: RETRY_WAIT_MS, explain: s.explain })

        await expectEveryConnectionWorks(database, POOL)
        await expectRefundedOnce(database, marketIds, due)
      },
    )
  },
)
