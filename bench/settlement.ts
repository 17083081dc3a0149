/**
 * Settling a whole jury round: 10,000 closed markets holding 1,000,000 positions, through the real service
 * (`settleMarkets`: lock, load, plan, persist, per batch of markets), beside bare set-based statements over the same
 * number of rows measured in the same run. The books are seeded directly with set-based SQL and are complete: every
 * position has its trades, every trade its ledger entry, every balance its entries, so the ledger audit holds
 * before and must hold after. A second run over the same round must change nothing.
 *
 *   npx tsx bench/settlement.ts     (DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/postgres; a
 *                                    throwaway database is created and dropped)
 *   BENCH_MARKETS=10000 BENCH_POSITIONS_PER_MARKET=100 BENCH_ACCOUNTS=50000 BENCH_BATCH=200 to change the shape.
 *
 * Target (issue "jury layer"): under 60 s for the round.
 */
import { openDatabase, type Database } from '@curia/db'
import { describeLedgerReport, isLedgerSound } from '@curia/curation/ledger/invariant'
import { maxLossMicro, MICRO } from '@curia/curation/market/lmsr'
import { checkLedgerInvariant, setupLedger } from '@curia/curation/service/ledger'
import { settleMarkets, type Verdict } from '@curia/curation/service/settlement'
import { checkSettlementBooks } from '@curia/curation/service/settlement-audit'
import { createBenchDatabase, ratio, table } from './lib'

const MARKETS = Number(process.env.BENCH_MARKETS ?? 10_000)
const PER_MARKET = Number(process.env.BENCH_POSITIONS_PER_MARKET ?? 100)
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 50_000)
const BATCH = Number(process.env.BENCH_BATCH ?? 200)
const B = 100n * MICRO
const NOW = new Date()
const nowIso = NOW.toISOString()

const seconds = (t: number) => (performance.now() - t) / 1000
async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; s: number }> {
  const t = performance.now()
  const value = await fn()
  const s = seconds(t)
  console.log(`  ${label}: ${s.toFixed(1)} s`)
  return { value, s }
}

/**
 * Seeds the books. Per market, `PER_MARKET` distinct accounts (a stride coprime to ACCOUNTS) each buy YES or NO at
 * 0.75 a share; one position in twenty then sells half its shares for a credit more than it paid in all, so voids
 * have trading profits to claw back. Escrow = b ln 2 + 0.75 (qYes + qNo) - those proceeds, which covers either side.
 */
async function seed(db: Database) {
  const { sql } = db
  await setupLedger(db, { treasuryFundingMicro: 100_000_000n * MICRO, now: NOW })
  await sql`
    insert into account (kind, did) select 'curator', 'did:plc:bench' || g from generate_series(0, ${ACCOUNTS - 1}) g`
  await sql`
    insert into ledger_entry (from_account, to_account, amount_micro, reason, reference, created_at)
    select (select id from account where kind = 'mint'), a.id, ${(100_000n * MICRO).toString()}::bigint,
           'starting_grant', a.did, ${nowIso}::timestamptz
    from account a where a.kind = 'curator'`
  await sql`
    insert into market (post_uri, liquidity_micro, subsidy_micro, status, opened_at, closes_at)
    select 'at://did:plc:bench/app.bsky.feed.post/m' || g, ${B.toString()}::bigint,
           ${maxLossMicro(B).toString()}::bigint, 'closed', ${nowIso}::timestamptz - interval '49 hours',
           ${nowIso}::timestamptz - interval '1 hour'
    from generate_series(0, ${MARKETS - 1}) g`
  await sql`insert into account (kind, market_id) select 'market', id from market order by id`
  await sql`
    insert into ledger_entry (from_account, to_account, amount_micro, reason, reference, created_at)
    select (select id from account where kind = 'treasury'), e.id, m.subsidy_micro, 'market_subsidy',
           'market:' || m.id, ${nowIso}::timestamptz
    from market m join account e on e.kind = 'market' and e.market_id = m.id`
  await sql`
    create unlogged table bench_plan as
    with m as (select id, row_number() over (order by id) - 1 as i from market),
    c as (select id, row_number() over (order by id) - 1 as i from account where kind = 'curator')
    select m.id as market_id, c.id as account_id, k,
           case when (m.i + k) % 2 = 0 then 'yes' else 'no' end as outcome,
           ((m.i * 31 + k * 17) % 50 + 1) * 1000000::bigint as shares,
           ((m.i * 31 + k * 17) % 50 + 1) * 750000::bigint as cost,
           (m.i + k) % 20 = 0 as sells
    from m cross join generate_series(0, ${PER_MARKET - 1}) k
    join c on c.i = (m.i * 7919 + k * 4729) % ${ACCOUNTS}`
  await sql`
    with t as (
      insert into trade (market_id, account_id, side, outcome, shares_micro, money_micro, yes_price_before,
                         yes_price_after, q_yes_after_micro, q_no_after_micro, idempotency_key, request_fingerprint,
                         created_at)
      select market_id, account_id, 'buy', outcome, shares, cost, 0.5, 0.5, 0, 0, 'seed-buy-' || market_id, 'seed',
             ${nowIso}::timestamptz
      from bench_plan
      union all
      select market_id, account_id, 'sell', outcome, shares / 2, cost + 1000000, 0.5, 0.5, 0, 0, 'seed-sell-' || market_id,
             'seed', ${nowIso}::timestamptz
      from bench_plan where sells
      returning id, market_id, account_id, side, money_micro
    )
    insert into ledger_entry (from_account, to_account, amount_micro, reason, reference, created_at)
    select case when t.side = 'buy' then t.account_id else e.id end,
           case when t.side = 'buy' then e.id else t.account_id end,
           t.money_micro, 'trade_' || t.side, 'trade:' || t.id, ${nowIso}::timestamptz
    from t join account e on e.kind = 'market' and e.market_id = t.market_id`
  await sql`
    insert into position (market_id, account_id, yes_shares_micro, no_shares_micro, spent_micro, received_micro,
                          updated_at)
    select market_id, account_id,
           case when outcome = 'yes' then shares - case when sells then shares / 2 else 0 end else 0 end,
           case when outcome = 'no' then shares - case when sells then shares / 2 else 0 end else 0 end,
           cost, case when sells then cost + 1000000 else 0 end, ${nowIso}::timestamptz
    from bench_plan`
  await sql`
    update market m set q_yes_micro = p.yes, q_no_micro = p.no, trade_count = p.n, trader_count = p.n
    from (select market_id, sum(yes_shares_micro) as yes, sum(no_shares_micro) as no, count(*)::int as n
          from position group by market_id) p
    where m.id = p.market_id`
  await sql`
    update account a set balance_micro = n.amount
    from (select id, sum(amount) as amount from (
            select to_account as id, amount_micro as amount from ledger_entry
            union all select from_account, -amount_micro from ledger_entry) f group by id) n
    where a.id = n.id`
  await sql`drop table bench_plan`
  await sql`vacuum analyze`
}

/** The round: most markets pass unsampled; one in twenty each is endorsed, rejected, or void for want of quorum. */
async function verdicts(db: Database): Promise<Map<number, Verdict>> {
  const rows = await db.sql<{ id: string }[]>`select id::text from market order by id`
  const pick = (i: number): Verdict => (['yes', 'no', 'void'] as const)[i % 20] ?? 'unsampled'
  return new Map(rows.map((r, i) => [Number(r.id), pick(i)]))
}

async function counts(db: Database) {
  const [row] = await db.sql<{ entries: number; settlements: number; positions: number }[]>`
    select (select count(*)::int from ledger_entry) as entries,
           (select count(*)::int from position_settlement) as settlements,
           (select count(*)::int from position) as positions`
  return row!
}

const bench = await createBenchDatabase()
let database: Database | undefined
try {
  database = await openDatabase({ url: bench.url, max: 4, name: 'bench-settlement' })
  const db = database
  console.log(
    `seeding ${MARKETS.toLocaleString()} markets x ${PER_MARKET} positions over ${ACCOUNTS.toLocaleString()} accounts...`,
  )
  await timed('seed', () => seed(db))
  const before = await counts(db)
  console.log(
    `  ${before.positions.toLocaleString()} positions, ${before.entries.toLocaleString()} ledger entries`,
  )
  const pre = await timed('ledger audit before', () => checkLedgerInvariant(db))
  if (!isLedgerSound(pre.value))
    throw new Error(`seeded books are unsound:\n${describeLedgerReport(pre.value)}`)

  console.log('baselines over the same rows (each rolled back):')
  const bareUpdate = await timed(`bare UPDATE of ${before.positions.toLocaleString()} positions`, () =>
    db.sql
      .begin(async (tx) => {
        await tx`update position set updated_at = updated_at + interval '1 second'`
        throw new Error('rollback')
      })
      .catch((err: unknown) => {
        if ((err as Error).message !== 'rollback') throw err
      }),
  )
  const bareInsert = await timed(`bare INSERT ... SELECT of ${before.positions.toLocaleString()} rows`, () =>
    db.sql
      .begin(async (tx) => {
        await tx`insert into position_settlement (market_id, account_id, owed_micro, paid_micro)
                 select market_id, account_id, 0, 0 from position`
        throw new Error('rollback')
      })
      .catch((err: unknown) => {
        if ((err as Error).message !== 'rollback') throw err
      }),
  )

  const round = await verdicts(db)
  console.log(`settling the round (${BATCH} markets per transaction):`)
  const first = await timed('settleMarkets', () =>
    settleMarkets(db, { verdicts: round, now: NOW, batchSize: BATCH }),
  )
  const settled = first.value.filter((r) => r.outcome === 'settled').length
  const refused = first.value.filter((r) => r.outcome === 'refused')
  if (refused.length)
    throw new Error(
      `${refused.length} refused, e.g. ${String(refused[0]!.outcome === 'refused' && refused[0]!.error.message)}`,
    )
  const after = await counts(db)
  const second = await timed('settleMarkets again (must change nothing)', () =>
    settleMarkets(db, { verdicts: round, now: NOW, batchSize: BATCH }),
  )
  const again = await counts(db)
  const unchanged =
    second.value.every((r) => r.outcome === 'already_settled') &&
    JSON.stringify(again) === JSON.stringify(after)

  const totals = await db.sql<
    { resolution: string; n: number; clawed: string; uncollected: string; haircut: string }[]
  >`
    select resolution, count(*)::int as n, sum(clawed_back_micro)::text as clawed,
           sum(uncollected_micro)::text as uncollected, sum(haircut_micro)::text as haircut
    from market_settlement group by resolution order by resolution`
  console.log()
  console.log(
    table([
      ['', 'seconds', 'vs bare UPDATE', 'vs bare INSERT'],
      ['bare UPDATE (1 statement)', bareUpdate.s.toFixed(1), '1.00x', ratio(bareUpdate.s, bareInsert.s)],
      ['bare INSERT ... SELECT', bareInsert.s.toFixed(1), ratio(bareInsert.s, bareUpdate.s), '1.00x'],
      [
        `settle ${settled.toLocaleString()} markets`,
        first.s.toFixed(1),
        ratio(first.s, bareUpdate.s),
        ratio(first.s, bareInsert.s),
      ],
      [
        'second run (no-op)',
        second.s.toFixed(1),
        ratio(second.s, bareUpdate.s),
        ratio(second.s, bareInsert.s),
      ],
    ]),
  )
  console.log(
    `\n${(after.entries - before.entries).toLocaleString()} settlement ledger entries, ` +
      `${after.settlements.toLocaleString()} position settlements; ` +
      totals
        .map(
          (t) =>
            `${t.resolution} ${t.n} (clawed ${Number(t.clawed) / 1e6} cr, haircut ${Number(t.haircut) / 1e6} cr)`,
        )
        .join(', '),
  )
  console.log(`second run changed nothing: ${unchanged ? 'yes' : 'NO'}`)
  const report = await timed('ledger audit after', () => checkLedgerInvariant(db))
  const books = await timed('settled books audit after', () => checkSettlementBooks(db))
  console.log(describeLedgerReport(report.value))
  console.log(
    books.value.length === 0
      ? 'settled books OK'
      : `settled books BROKEN: ${JSON.stringify(books.value.slice(0, 5))}`,
  )
  console.log(`target: ${first.s.toFixed(1)} s < 60 s ${first.s < 60 ? 'met' : 'MISSED'}`)
  if (!isLedgerSound(report.value) || books.value.length > 0 || !unchanged) process.exitCode = 1
} finally {
  await database?.close()
  await bench.drop()
}
