/**
 * Placing trades. One transaction per call: lock the markets then the traders' accounts (each in id order, the one
 * order every writer uses, so two transactions can never wait on each other in a cycle), load positions and any
 * trade already stored under the same idempotency keys, decide with the pure `decideBatch`, and persist trades,
 * positions, markets, balances and ledger entries in one statement. A serialization failure or deadlock reruns it.
 *
 * Hot path: raw postgres.js with prepared statements, two round trips per transaction (begin + the locking loads
 * pipelined; the write + commit pipelined). Under a hot market's lock that leaves one round trip, the write and the
 * commit's WAL flush; `createTradeDesk` then shares that among all the orders waiting on the market.
 */
import type { Database } from '@curia/db'
import { CurationError, isCurationError } from '../errors'
import type { ReservedSql } from 'postgres'
import { constraintName, isRetryable } from '../ledger/transaction'
import type { Outcome } from '../market/lmsr'
import {
  decideBatch,
  idempotencyIndex,
  positionKey,
  validateOrder,
  type BatchOrder,
  type MarketStatus,
  type MarketView,
  type PositionView,
  type PriorTrade,
  type TradeRules,
  type TradeSide,
} from '../market/trade'
import { assertDid, heldProceedsQuery } from './ledger'
import { toTradeItem, type TradeHistoryItem, type TradeRow } from './trade-queries'

export interface PlaceTradeInput {
  did: string
  marketId: number
  side: TradeSide
  outcome: Outcome
  /** Micro-credits to spend (buy) or micro-shares to sell. Strings and numbers are accepted and checked strictly. */
  amountMicro: bigint | number | string
  /** `{ kind: 'max_average_price', price }` or `{ kind: 'min_shares', sharesMicro }` for a buy; `{ kind: 'min_proceeds', proceedsMicro }` for a sell. */
  limit: unknown
  /** Chosen by the client per intended trade; a retry with the same key and body returns the original trade. */
  idempotencyKey: string
  now: Date
}

/** A stored trade as the trader's history shows it, plus whether this request replayed an earlier one. */
export interface TradeReceipt extends TradeHistoryItem {
  /** True when this is the stored result of an earlier request with the same idempotency key. */
  replayed: boolean
}

export type TradeResult = { ok: true; receipt: TradeReceipt } | { ok: false; error: CurationError }

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/

/** How many times a transaction aborted by a deadlock or serialization failure is run again. */
const ATTEMPTS = 8

/** Places one trade; refusals throw a CurationError with a code (see `CurationErrorCode`). */
export async function placeTrade(
  database: Database,
  input: PlaceTradeInput,
  opts: { rules: TradeRules },
): Promise<TradeReceipt> {
  const [result] = await placeTrades(database, [input], opts)
  if (!result!.ok) throw result!.error
  return result!.receipt
}

/**
 * Places several trades in ONE transaction, decided in the order given; each gets its own receipt or refusal (a
 * refused order does not affect the others). Used by the trade desk to take a burst of orders on a hot market
 * through one lock and one commit. Rejects only when the database fails.
 */
export async function placeTrades(
  database: Database,
  inputs: readonly PlaceTradeInput[],
  opts: { rules: TradeRules },
): Promise<TradeResult[]> {
  const results: (TradeResult | undefined)[] = inputs.map(() => undefined)
  const valid: { index: number; batch: BatchOrder; nowMs: number }[] = []
  inputs.forEach((input, index) => {
    try {
      assertDid(input.did)
      if (typeof input.idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(input.idempotencyKey)) {
        throw new CurationError('bad_request', 'An idempotency key is 1 to 128 printable characters.')
      }
      const nowMs = input.now instanceof Date ? input.now.getTime() : NaN
      if (!Number.isFinite(nowMs))
        throw new CurationError('bad_request', 'A trade needs the time it was placed.')
      const order = validateOrder(input, opts.rules)
      valid.push({
        index,
        batch: { did: input.did, idempotencyKey: input.idempotencyKey, order, nowMs },
        nowMs,
      })
    } catch (err) {
      if (!isCurationError(err)) throw err
      results[index] = { ok: false, error: err }
    }
  })
  if (valid.length > 0) {
    const decided = await runBatch(
      database,
      valid.map((v) => v.batch),
      opts.rules,
    )
    valid.forEach((v, i) => (results[v.index] = decided[i]))
  }
  return results as TradeResult[]
}

interface MarketLockRow {
  id: string
  status: MarketStatus
  b: string
  qYes: string
  qNo: string
  closesAtMs: number
  escrowId: string
}

const shouldRetry = (err: unknown) =>
  isRetryable(err) || constraintName(err) === 'trade_account_idempotency_key'

/** Reruns the whole batch after a deadlock or serialization failure (nothing of an aborted attempt remains). */
async function runBatch(database: Database, orders: BatchOrder[], rules: TradeRules): Promise<TradeResult[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runBatchOnce(database, orders, rules)
    } catch (err) {
      if (attempt >= ATTEMPTS || !shouldRetry(err)) throw err
    }
  }
}

/**
 * One transaction in two round trips. `begin` goes out pipelined with the locking loads, and the write with its
 * `commit`: under a hot market's lock that is one round trip less than begin/load/write/commit sent one by one.
 * Pipelining the commit is safe because PostgreSQL answers COMMIT in a transaction whose write failed with a
 * rollback (command tag ROLLBACK, no error): the write's own error is what we report, and nothing was applied.
 */
async function runBatchOnce(
  database: Database,
  orders: BatchOrder[],
  rules: TradeRules,
): Promise<TradeResult[]> {
  const conn = await database.sql.reserve()
  let open = false
  try {
    open = true
    // begin and commit go as simple-protocol queries (one message each). PGlite's socket interleaves different
    // connections' protocol messages until a transaction is open (then it keeps to that connection): there, the
    // loads wait for the begin rather than travel with it.
    const begin = conn.unsafe('begin')
    if (database.embedded) await begin
    const [, ...loaded] = await Promise.all([begin, ...loadQueries(conn, orders)])
    const { outcome, write } = decide(conn, orders, rules, loaded)
    if (!write) {
      await conn.unsafe('commit')
      open = false
      return toResults(orders, outcome, new Map())
    }
    const [written, committed] = await Promise.allSettled([write, conn.unsafe('commit')])
    open = false
    if (written.status === 'rejected') throw written.reason
    // Lost here, the commit may have taken effect unheard: a retry with the same idempotency keys replays it.
    if (committed.status === 'rejected') throw committed.reason
    if (committed.value.command !== 'COMMIT')
      throw new Error(`trade transaction ended in ${committed.value.command}`)
    return toResults(orders, outcome, written.value)
  } catch (err) {
    // On a connection that died, the rollback fails at once and the release does nothing: the driver has already
    // put the connection back in its pool as closed (patches/postgres+3.4.9.patch; unpatched, 3.4.9 threw that
    // rollback from a timer and listed the dead connection as open again, porsager/postgres#1208).
    if (open) await conn.unsafe('rollback').catch(() => undefined)
    throw err
  } finally {
    conn.release()
  }
}

type Conn = ReservedSql

function loadQueries(tx: Conn, orders: BatchOrder[]) {
  const marketIds = [...new Set(orders.map((o) => o.order.marketId))].sort((a, b) => a - b)
  const dids = [...new Set(orders.map((o) => o.did))]
  const keys = [...new Set(orders.map((o) => o.idempotencyKey))]

  // Sent pipelined and executed in this order, so markets are locked before accounts (each in id order).
  return [
    tx<MarketLockRow[]>`
      select m.id::text, m.status, m.liquidity_micro::text as b, m.q_yes_micro::text as "qYes",
             m.q_no_micro::text as "qNo", (extract(epoch from m.closes_at) * 1000)::float8 as "closesAtMs",
             e.id::text as "escrowId"
      from market m join account e on e.kind = 'market' and e.market_id = m.id
      where m.id = any(${tx.array(marketIds)}::bigint[])
      order by m.id
      for no key update of m`,
    tx<{ id: string; did: string; balance: string }[]>`
      select id::text, did, balance_micro::text as balance from account
      where kind = 'curator' and did = any(${tx.array(dids)}::text[])
      order by id
      for no key update`,
    tx<{ marketId: string; did: string; yes: string; no: string; spent: string; received: string }[]>`
      select p.market_id::text as "marketId", a.did, p.yes_shares_micro::text as yes, p.no_shares_micro::text as no,
             p.spent_micro::text as spent, p.received_micro::text as received
      from position p join account a on a.id = p.account_id
      where a.kind = 'curator' and a.did = any(${tx.array(dids)}::text[])
        and p.market_id = any(${tx.array(marketIds)}::bigint[])`,
    // Sale proceeds held for unsettled markets: read after the accounts are locked, and every position of a locked
    // account changes only under that lock (trades here, settlement's balance moves).
    heldProceedsQuery(tx, dids),
    tx<PriorRow[]>`
      select t.id::text, t.market_id::text as "marketId", a.did, t.side, t.outcome, t.shares_micro::text as shares,
             t.money_micro::text as money, t.yes_price_before as "yesPriceBefore", t.yes_price_after as "yesPriceAfter",
             to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt",
             t.idempotency_key as key, t.request_fingerprint as fingerprint
      from trade t join account a on a.id = t.account_id
      where a.kind = 'curator' and a.did = any(${tx.array(dids)}::text[])
        and t.idempotency_key = any(${tx.array(keys)}::text[])`,
  ] as const
}

type Loaded = [
  MarketLockRow[],
  { id: string; did: string; balance: string }[],
  { marketId: string; did: string; yes: string; no: string; spent: string; received: string }[],
  { did: string; held: string }[],
  PriorRow[],
]

/** Reads what the loads returned, decides with the pure core, and builds (without sending) the write. */
function decide(conn: Conn, orders: BatchOrder[], rules: TradeRules, loaded: Loaded) {
  const [marketRows, accountRows, positionRows, heldRows, priorRows] = loaded
  const markets = new Map<number, MarketView>()
  const escrows = new Map<number, number>()
  for (const r of marketRows) {
    const id = Number(r.id)
    markets.set(id, {
      id,
      status: r.status,
      closesAtMs: r.closesAtMs,
      state: { b: BigInt(r.b), qYes: BigInt(r.qYes), qNo: BigInt(r.qNo) },
    })
    escrows.set(id, Number(r.escrowId))
  }
  const accountIds = new Map(accountRows.map((r) => [r.did, Number(r.id)]))
  const positions = new Map<string, PositionView>(
    positionRows.map((r) => [
      positionKey(Number(r.marketId), r.did),
      {
        yesSharesMicro: BigInt(r.yes),
        noSharesMicro: BigInt(r.no),
        spentMicro: BigInt(r.spent),
        receivedMicro: BigInt(r.received),
      },
    ]),
  )
  const prior = new Map<string, PriorTrade<TradeReceipt>>(
    priorRows.map((r) => [
      idempotencyIndex(r.did, r.key),
      { fingerprint: r.fingerprint, receipt: toReceipt(r, true) },
    ]),
  )

  const outcome = decideBatch(
    {
      markets,
      balances: new Map(accountRows.map((r) => [r.did, BigInt(r.balance)])),
      held: new Map(heldRows.map((r) => [r.did, BigInt(r.held)])),
      positions,
      prior,
    },
    orders,
    rules,
  )

  const fills = outcome.decisions.flatMap((d, i) => (d.kind === 'fill' ? [{ d, order: orders[i]! }] : []))
  const write = fills.length > 0 ? persist(conn, fills, outcome, accountIds, escrows) : undefined
  return { outcome, write }
}

function toResults(
  orders: BatchOrder[],
  outcome: Decided,
  tradeIds: ReadonlyMap<string, number>,
): TradeResult[] {
  const results: TradeResult[] = []
  outcome.decisions.forEach((d, i) => {
    const o = orders[i]!
    if (d.kind === 'refused') results.push({ ok: false, error: d.error })
    else if (d.kind === 'replay') results.push({ ok: true, receipt: d.receipt })
    else if (d.kind === 'same_as') {
      const first = results[d.index]!
      results.push(first.ok ? { ok: true, receipt: { ...first.receipt, replayed: true } } : first)
    } else {
      results.push({
        ok: true,
        receipt: {
          tradeId: tradeIds.get(idempotencyIndex(o.did, o.idempotencyKey))!,
          marketId: d.marketId,
          did: o.did,
          side: d.fill.side,
          outcome: d.fill.outcome,
          sharesMicro: d.fill.sharesMicro,
          moneyMicro: d.fill.moneyMicro,
          yesPriceBefore: d.fill.yesPriceBefore,
          yesPriceAfter: d.fill.yesPriceAfter,
          createdAt: new Date(o.nowMs).toISOString(),
          replayed: false,
        },
      })
    }
  })
  return results
}

type Decided = ReturnType<typeof decideBatch<TradeReceipt>>
type FillDecision = Extract<Decided['decisions'][number], { kind: 'fill' }>

/** Writes every fill of the batch in one statement; resolves to trade ids by `idempotencyIndex`. */
function persist(
  tx: Conn,
  fills: { d: FillDecision; order: BatchOrder }[],
  outcome: Decided,
  accountIds: ReadonlyMap<string, number>,
  escrows: ReadonlyMap<number, number>,
): PromiseLike<Map<string, number>> {
  const accountOf = (did: string) => {
    const id = accountIds.get(did)
    // decideBatch only fills for a DID with a balance or a position, and both need an account.
    if (id === undefined) throw new Error(`fill for ${did} without an account`)
    return id
  }
  const lastNowIso = new Date(Math.max(...fills.map((f) => f.order.nowMs))).toISOString()

  // Net balance changes: each trader's, and each escrow's (the opposite of its traders' sum).
  const moves = [
    ...[...outcome.balanceDeltas].map(([did, delta]) => ({ id: accountOf(did), delta })),
    ...[...outcome.markets].map(([marketId, e]) => ({
      id: escrows.get(marketId)!,
      delta: e.escrowDeltaMicro,
    })),
  ].filter((m) => m.delta !== 0n)
  const balanceIds = moves.map((m) => m.id)
  const balanceDeltas = moves.map((m) => m.delta)
  const positionRows = [...outcome.positions].map(([key, p]) => {
    const space = key.indexOf(' ')
    return { marketId: Number(key.slice(0, space)), accountId: accountOf(key.slice(space + 1)), ...p }
  })
  const marketRows = [...outcome.markets]

  const didOfAccount = new Map([...accountIds].map(([did, id]) => [id, did]))
  return tx<{ id: string; accountId: string; key: string }[]>`
    with t as (
      insert into trade (market_id, account_id, side, outcome, shares_micro, money_micro, yes_price_before,
                         yes_price_after, q_yes_after_micro, q_no_after_micro, idempotency_key, request_fingerprint,
                         created_at)
      select * from unnest(
        ${tx.array(fills.map((f) => f.d.marketId))}::bigint[],
        ${tx.array(fills.map((f) => accountOf(f.order.did)))}::bigint[],
        ${tx.array(fills.map((f) => f.d.fill.side))}::text[],
        ${tx.array(fills.map((f) => f.d.fill.outcome))}::text[],
        ${tx.array(fills.map((f) => f.d.fill.sharesMicro.toString()))}::bigint[],
        ${tx.array(fills.map((f) => f.d.fill.moneyMicro.toString()))}::bigint[],
        ${tx.array(fills.map((f) => f.d.fill.yesPriceBefore))}::float8[],
        ${tx.array(fills.map((f) => f.d.fill.yesPriceAfter))}::float8[],
        ${tx.array(fills.map((f) => f.d.fill.stateAfter.qYes.toString()))}::bigint[],
        ${tx.array(fills.map((f) => f.d.fill.stateAfter.qNo.toString()))}::bigint[],
        ${tx.array(fills.map((f) => f.order.idempotencyKey))}::text[],
        ${tx.array(fills.map((f) => f.d.fingerprint))}::text[],
        ${tx.array(fills.map((f) => new Date(f.order.nowMs).toISOString()))}::timestamptz[])
      returning id, market_id, account_id, side, money_micro, idempotency_key, created_at
    ), entries as (
      insert into ledger_entry (from_account, to_account, amount_micro, reason, reference, created_at)
      select case when t.side = 'buy' then t.account_id else e.id end,
             case when t.side = 'buy' then e.id else t.account_id end,
             t.money_micro,
             case when t.side = 'buy' then 'trade_buy' else 'trade_sell' end,
             'trade:' || t.id,
             t.created_at
      from t join account e on e.kind = 'market' and e.market_id = t.market_id
    ), balances as (
      update account a set balance_micro = a.balance_micro + d.delta
      from unnest(${tx.array(balanceIds)}::bigint[], ${tx.array(balanceDeltas.map(String))}::bigint[]) as d(id, delta)
      where a.id = d.id
    ), positions as (
      insert into position (market_id, account_id, yes_shares_micro, no_shares_micro, spent_micro, received_micro,
                            updated_at)
      select d.*, ${lastNowIso}::timestamptz from unnest(
        ${tx.array(positionRows.map((p) => p.marketId))}::bigint[],
        ${tx.array(positionRows.map((p) => p.accountId))}::bigint[],
        ${tx.array(positionRows.map((p) => p.yesSharesMicro.toString()))}::bigint[],
        ${tx.array(positionRows.map((p) => p.noSharesMicro.toString()))}::bigint[],
        ${tx.array(positionRows.map((p) => p.spentMicro.toString()))}::bigint[],
        ${tx.array(positionRows.map((p) => p.receivedMicro.toString()))}::bigint[]) as d
      on conflict (market_id, account_id) do update set
        yes_shares_micro = excluded.yes_shares_micro, no_shares_micro = excluded.no_shares_micro,
        spent_micro = excluded.spent_micro, received_micro = excluded.received_micro, updated_at = excluded.updated_at
    ), markets as (
      update market m set
        q_yes_micro = d.q_yes, q_no_micro = d.q_no, trade_count = m.trade_count + d.trades,
        trader_count = m.trader_count + d.new_traders, volume_micro = m.volume_micro + d.volume,
        last_trade_at = ${lastNowIso}::timestamptz
      from unnest(
        ${tx.array(marketRows.map(([id]) => id))}::bigint[],
        ${tx.array(marketRows.map(([, e]) => e.stateAfter.qYes.toString()))}::bigint[],
        ${tx.array(marketRows.map(([, e]) => e.stateAfter.qNo.toString()))}::bigint[],
        ${tx.array(marketRows.map(([, e]) => e.trades))}::int[],
        ${tx.array(marketRows.map(([, e]) => e.newTraders))}::int[],
        ${tx.array(marketRows.map(([, e]) => e.volumeMicro.toString()))}::bigint[]) as d(id, q_yes, q_no, trades, new_traders, volume)
      where m.id = d.id
    )
    select id::text, account_id::text as "accountId", idempotency_key as key from t`.then(
    (rows) =>
      new Map(
        rows.map((r) => [idempotencyIndex(didOfAccount.get(Number(r.accountId))!, r.key), Number(r.id)]),
      ),
  )
}

interface PriorRow extends TradeRow {
  key: string
  fingerprint: string
}

function toReceipt(r: TradeRow, replayed: boolean): TradeReceipt {
  return { ...toTradeItem(r), replayed }
}
