/**
 * Trades per second through the real service (lock, load, decide, persist, commit), on one hot market and spread
 * across many, beside a bare loop of single-row UPDATEs (one transaction each, same client, same concurrency)
 * measured in the same run. The ledger invariant is checked afterwards.
 *
 *   npx tsx bench/trades.ts     (DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/postgres; a throwaway
 *                                database is created and dropped)
 *   BENCH_SECONDS=5 BENCH_CONCURRENCY=32 BENCH_MARKETS=200 BENCH_LANES=2 to change the shape.
 *
 * Targets (issue "market layer"): >= 1,000 trades/s on one market, >= 2,500/s spread.
 */
import { openDatabase, type Database } from '@curia/db'
import { describeLedgerReport, isLedgerSound } from '@curia/curation/ledger/invariant'
import { MICRO } from '@curia/curation/market/lmsr'
import type { TradeRules } from '@curia/curation/market/trade'
import { checkLedgerInvariant, grantStartingCredits, setupLedger } from '@curia/curation/service/ledger'
import { openMarket } from '@curia/curation/service/market'
import { placeTrade, type PlaceTradeInput } from '@curia/curation/service/trade'
import { createTradeDesk } from '@curia/curation/service/trade-desk'
import { createBenchDatabase, ratio, table } from './lib'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32)
const MARKETS = Number(process.env.BENCH_MARKETS ?? 200)
const LANES = Number(process.env.BENCH_LANES ?? 2)
const ACCOUNTS = 2_000
const NOW = new Date()
const rules: TradeRules = { positionCapMicro: 10_000n * MICRO, maxAmountMicro: 1_000_000n * MICRO }
const params = { liquidityMicro: 1_000n * MICRO, windowMs: 48 * 3_600_000, openFeeMicro: 0n }

interface Run {
  ops: number
  seconds: number
  p50: number
  p99: number
}

/** `CONCURRENCY` workers each call `op` in a loop for SECONDS; every call must succeed. */
async function load(op: (worker: number, i: number) => Promise<unknown>): Promise<Run> {
  const latencies: number[] = []
  const started = performance.now()
  const deadline = started + SECONDS * 1000
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t = performance.now()
        await op(worker, i)
        latencies.push(performance.now() - t)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return { ops: latencies.length, seconds, p50: at(0.5), p99: at(0.99) }
}

const rate = (r: Run) => r.ops / r.seconds

let seq = 0
/** Small buys and sells, alternating sides and outcomes so prices stay in range and positions exist to sell. */
function trade(marketId: number, worker: number, i: number): PlaceTradeInput {
  const account = (worker * 7919 + i * 31) % ACCOUNTS
  const sell = i % 4 === 3
  const outcome = (worker + i) % 2 ? 'yes' : 'no'
  return {
    did: `did:plc:bench${account}`,
    marketId,
    side: sell ? 'sell' : 'buy',
    outcome,
    amountMicro: sell ? 100_000n : BigInt(1 + (i % 3)) * MICRO,
    limit: sell ? { kind: 'min_proceeds', proceedsMicro: 0n } : { kind: 'max_average_price', price: 1 },
    idempotencyKey: `b${++seq}`,
    now: NOW,
  }
}

/** A sell can meet an empty holding (the account's buys landed elsewhere): that is a refusal, not a failure. */
async function tolerant(p: Promise<unknown>): Promise<void> {
  try {
    await p
  } catch (err) {
    if ((err as { code?: string }).code !== 'insufficient_balance') throw err
  }
}

const bench = await createBenchDatabase()
let database: Database | undefined
try {
  database = await openDatabase({ url: bench.url, max: CONCURRENCY + 2, name: 'bench-trades' })
  const db = database
  console.log(`setting up ${ACCOUNTS} accounts and ${MARKETS + 1} markets...`)
  await setupLedger(db, { treasuryFundingMicro: 10_000_000n * MICRO, now: NOW })
  for (let a = 0; a < ACCOUNTS; a += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, k) =>
        grantStartingCredits(db, { did: `did:plc:bench${a + k}`, amountMicro: 100_000n * MICRO, now: NOW }),
      ),
    )
  }
  const hot = (
    await openMarket(db, { postUri: 'at://did:plc:bench/app.bsky.feed.post/hot', now: NOW, params })
  ).market.id
  const spread: number[] = []
  for (let m = 0; m < MARKETS; m++) {
    spread.push(
      (await openMarket(db, { postUri: `at://did:plc:bench/app.bsky.feed.post/m${m}`, now: NOW, params }))
        .market.id,
    )
  }
  await db.sql`create table bench_counter (id int primary key, n bigint not null default 0)`
  await db.sql`insert into bench_counter (id) select g from generate_series(0, ${MARKETS - 1}) g`
  // Open every pooled connection before timing anything.
  await Promise.all(Array.from({ length: CONCURRENCY }, () => db.sql`select 1`))

  console.log(`measuring, ${SECONDS} s each at concurrency ${CONCURRENCY}...`)
  const bareHot = await load(() => db.sql.begin((tx) => tx`update bench_counter set n = n + 1 where id = 0`))
  const tradesHot = await load((w, i) => tolerant(placeTrade(db, trade(hot, w, i), { rules })))
  const hotDesk = createTradeDesk(db, { rules, lanes: LANES })
  const deskHot = await load((w, i) => tolerant(hotDesk.placeTrade(trade(hot, w, i))))
  const bareSpread = await load((w, i) =>
    db.sql.begin((tx) => tx`update bench_counter set n = n + 1 where id = ${(w * 7 + i * 13) % MARKETS}`),
  )
  const pick = (w: number, i: number) => spread[(w * 7 + i * 13) % MARKETS]!
  const tradesSpread = await load((w, i) => tolerant(placeTrade(db, trade(pick(w, i), w, i), { rules })))
  const spreadDesk = createTradeDesk(db, { rules, lanes: LANES })
  const deskSpread = await load((w, i) => tolerant(spreadDesk.placeTrade(trade(pick(w, i), w, i))))

  const row = (name: string, r: Run, base: Run) => [
    name,
    Math.round(rate(r)).toLocaleString(),
    ratio(rate(r), rate(base)),
    r.p50.toFixed(1),
    r.p99.toFixed(1),
  ]
  const hotStats = hotDesk.stats()
  const spreadStats = spreadDesk.stats()
  console.log()
  console.log(
    table([
      ['', 'ops/s', 'vs bare', 'p50 ms', 'p99 ms'],
      row('bare UPDATE, one row', bareHot, bareHot),
      row('placeTrade, one market', tradesHot, bareHot),
      row(
        `trade desk, one market (${(hotStats.orders / hotStats.transactions).toFixed(1)}/tx)`,
        deskHot,
        bareHot,
      ),
      row(`bare UPDATE, ${MARKETS} rows`, bareSpread, bareSpread),
      row(`placeTrade, ${MARKETS} markets`, tradesSpread, bareSpread),
      row(
        `trade desk, ${MARKETS} markets (${(spreadStats.orders / spreadStats.transactions).toFixed(1)}/tx)`,
        deskSpread,
        bareSpread,
      ),
    ]),
  )
  const [counts] = await db.sql<{ trades: number; entries: number }[]>`
    select (select count(*)::int from trade) as trades, (select count(*)::int from ledger_entry) as entries`
  console.log(
    `\n${counts!.trades.toLocaleString()} trades, ${counts!.entries.toLocaleString()} ledger entries`,
  )
  const report = await checkLedgerInvariant(db)
  console.log(describeLedgerReport(report))
  const bestHot = Math.max(rate(tradesHot), rate(deskHot))
  const bestSpread = Math.max(rate(tradesSpread), rate(deskSpread))
  console.log(
    `targets: one market ${Math.round(bestHot)} >= 1000 ${bestHot >= 1000 ? 'met' : 'MISSED'}; ` +
      `spread ${Math.round(bestSpread)} >= 2500 ${bestSpread >= 2500 ? 'met' : 'MISSED'}`,
  )
  if (!isLedgerSound(report)) process.exitCode = 1
} finally {
  await database?.close()
  await bench.drop()
}
