/**
 * Settling markets (MECHANISM.md "Settlement"; rules in ../settlement/README.md). Per batch of markets, one
 * transaction: lock the markets (id order), load their positions, lock every account the batch touches (id order:
 * the treasury, the escrows, the traders), plan with the pure `planSettlements`, and write the ledger entries,
 * balances, settlement rows and market statuses in one statement.
 *
 * Idempotent: a market already settled or void is skipped under its lock and its stored result returned, so running
 * a settlement twice changes nothing; `market_settlement`'s primary key would refuse a second write regardless.
 */
import type { Database } from '@curia/db'
import { CurationError, isCurationError } from '../errors'
import { findSystemAccounts, lockAccounts } from '../ledger/repo'
import { inTransaction, type Tx } from '../ledger/transaction'
import {
  isVerdict,
  planSettlement,
  resolveVerdict,
  type MarketBook,
  type PositionBook,
  type Resolution,
  type SettlementCause,
  type SettlementPlan,
  type Verdict,
} from '../settlement/payout'
import { roundSettlementVerdicts } from './round'

export type { Verdict } from '../settlement/payout'

export interface MarketSettlementSummary {
  marketId: number
  resolution: Resolution
  cause: SettlementCause
  roundId: number | null
  escrowMicro: bigint
  paidMicro: bigint
  clawedBackMicro: bigint
  uncollectedMicro: bigint
  haircutMicro: bigint
  remainderMicro: bigint
  positions: number
  settledAt: string
}

export type SettlementResult =
  | { marketId: number; outcome: 'settled'; settlement: MarketSettlementSummary }
  /** Settled before (by this call's twin or an earlier run): nothing moved now; the stored result. */
  | { marketId: number; outcome: 'already_settled'; settlement: MarketSettlementSummary }
  | { marketId: number; outcome: 'refused'; error: CurationError }

export interface SettleOptions {
  now: Date
  /** The jury round this settles, recorded beside each market. */
  roundId?: number | undefined
  /** Markets per transaction (default 200). Each market's settlement is whole and idempotent whatever the size. */
  batchSize?: number
  /** Transaction attempts after a deadlock or serialization failure (default 5). */
  attempts?: number
}

/** Settles one market on the jury's verdict (or `unsampled`). Refusals throw a CurationError. */
export async function settleMarket(
  database: Database,
  opts: { marketId: number; verdict: Verdict; now: Date; roundId?: number | undefined },
): Promise<SettlementResult & { outcome: 'settled' | 'already_settled' }> {
  const [result] = await settleMarkets(database, {
    verdicts: new Map([[opts.marketId, opts.verdict]]),
    now: opts.now,
    roundId: opts.roundId,
  })
  if (result!.outcome === 'refused') throw result!.error
  return result!
}

/**
 * Settles many markets, `batchSize` per transaction, in market id order. Each market gets its own result; a market
 * that cannot settle (still trading, unknown, books that do not add up) is refused without holding up the others.
 */
export async function settleMarkets(
  database: Database,
  opts: SettleOptions & { verdicts: ReadonlyMap<number, Verdict> },
): Promise<SettlementResult[]> {
  const nowMs = opts.now instanceof Date ? opts.now.getTime() : NaN
  if (!Number.isFinite(nowMs)) throw new CurationError('bad_request', 'Settlement needs the time.')
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 200))
  const items = [...opts.verdicts].sort(([a], [b]) => a - b)
  const results: SettlementResult[] = []
  const valid: { marketId: number; verdict: Verdict }[] = []
  for (const [marketId, verdict] of items) {
    if (!Number.isSafeInteger(marketId) || marketId <= 0) {
      results.push({
        marketId,
        outcome: 'refused',
        error: new CurationError('bad_request', 'Not a market id.'),
      })
    } else if (!isVerdict(verdict)) {
      results.push({
        marketId,
        outcome: 'refused',
        error: new CurationError('bad_request', `Not a verdict: ${String(verdict)}.`),
      })
    } else valid.push({ marketId, verdict })
  }
  for (let i = 0; i < valid.length; i += batchSize) {
    const batch = valid.slice(i, i + batchSize)
    results.push(
      ...(await inTransaction(database, (tx) => settleBatch(tx, batch, opts), { attempts: opts.attempts })),
    )
  }
  return results.sort((a, b) => a.marketId - b.marketId)
}

/**
 * Settles every eligible market of a closed jury round on its verdict (endorse -> yes, reject -> no, no quorum ->
 * void, not sampled -> void), recording the round beside each. The jury worker's `settle` step calls this, then
 * marks the round settled; it throws when any market was refused, so the round is not marked and the step is
 * retried (markets already settled are skipped, so a retry pays nothing twice).
 */
export async function settleRound(
  database: Database,
  opts: { roundId: number; now: Date; batchSize?: number },
): Promise<{ settled: number; alreadySettled: number }> {
  const verdicts = await roundSettlementVerdicts(database, opts.roundId)
  const results = await settleMarkets(database, {
    verdicts,
    now: opts.now,
    roundId: opts.roundId,
    batchSize: opts.batchSize,
  })
  const refused = results.filter((r) => r.outcome === 'refused')
  if (refused.length > 0) {
    const first = refused[0] as Extract<SettlementResult, { outcome: 'refused' }>
    throw new CurationError(
      first.error.code,
      `Round ${opts.roundId}: ${refused.length} market(s) could not settle, e.g. ${first.error.message}`,
      { cause: first.error },
    )
  }
  return {
    settled: results.filter((r) => r.outcome === 'settled').length,
    alreadySettled: results.filter((r) => r.outcome === 'already_settled').length,
  }
}

/** The stored settlement of a market, if it has one. */
export async function getMarketSettlement(
  database: Database,
  marketId: number,
): Promise<MarketSettlementSummary | undefined> {
  const [row] = await selectSettlements(database.sql, [marketId])
  return row
}

interface LockedMarket {
  id: string
  status: 'open' | 'closed' | 'settled' | 'void'
  qYes: string
  qNo: string
  closed: boolean
  escrowId: string | null
}

async function settleBatch(
  tx: Tx,
  batch: readonly { marketId: number; verdict: Verdict }[],
  opts: SettleOptions,
): Promise<SettlementResult[]> {
  const nowIso = opts.now.toISOString()
  const ids = batch.map((b) => b.marketId)
  // Lock order, as every writer: markets (id order) first, accounts (id order) after.
  const markets = await tx<LockedMarket[]>`
    select m.id::text, m.status, m.q_yes_micro::text as "qYes", m.q_no_micro::text as "qNo",
           m.closes_at <= ${nowIso}::timestamptz as closed, e.id::text as "escrowId"
    from market m left join account e on e.kind = 'market' and e.market_id = m.id
    where m.id = any(${tx.array(ids)}::bigint[])
    order by m.id
    for no key update of m`
  const byId = new Map(markets.map((m) => [Number(m.id), m]))

  const results = new Map<number, SettlementResult>()
  const toSettle: { marketId: number; verdict: Verdict; market: LockedMarket }[] = []
  const done: number[] = []
  for (const { marketId, verdict } of batch) {
    const m = byId.get(marketId)
    if (!m) refuse(results, marketId, 'unknown_market', `No market ${marketId}.`)
    else if (m.status === 'settled' || m.status === 'void') done.push(marketId)
    else if (!m.closed) {
      refuse(results, marketId, 'market_not_closed', `Market ${marketId} is still trading.`)
    } else if (m.escrowId === null) {
      refuse(results, marketId, 'settlement_invariant', `Market ${marketId} has no escrow account.`)
    } else toSettle.push({ marketId, verdict, market: m })
  }

  for (const s of await selectSettlements(tx, done)) {
    results.set(s.marketId, { marketId: s.marketId, outcome: 'already_settled', settlement: s })
  }
  for (const marketId of done) {
    if (!results.has(marketId)) {
      refuse(
        results,
        marketId,
        'settlement_invariant',
        `Market ${marketId} is closed out but has no settlement.`,
      )
    }
  }

  if (toSettle.length > 0) {
    const system = await findSystemAccounts(tx)
    if (!system) throw new Error('settlement before the ledger was set up: no treasury')
    const positionRows = await tx<
      { marketId: string; accountId: string; yes: string; no: string; net: string }[]
    >`
      select market_id::text as "marketId", account_id::text as "accountId", yes_shares_micro::text as yes,
             no_shares_micro::text as no, net_spend_micro::text as net
      from position where market_id = any(${tx.array(toSettle.map((s) => s.marketId))}::bigint[])
      order by market_id, account_id`
    const positions = new Map<number, PositionBook[]>()
    for (const r of positionRows) {
      const list = positions.get(Number(r.marketId)) ?? []
      list.push({
        accountId: Number(r.accountId),
        yesSharesMicro: BigInt(r.yes),
        noSharesMicro: BigInt(r.no),
        netSpendMicro: BigInt(r.net),
      })
      positions.set(Number(r.marketId), list)
    }
    const accountIds = [system.treasuryId, ...toSettle.map((s) => Number(s.market.escrowId))]
    for (const r of positionRows) accountIds.push(Number(r.accountId))
    const balances = await lockAccounts(tx, accountIds)

    // Each market is planned on its own first, so one whose books are off is refused alone.
    const planned: { marketId: number; verdict: Verdict; escrowId: number; book: MarketBook }[] = []
    for (const s of toSettle) {
      const book: MarketBook = {
        marketId: s.marketId,
        escrowMicro: balances.get(Number(s.market.escrowId)) ?? 0n,
        positions: positions.get(s.marketId) ?? [],
      }
      const problem = checkBook(s.market, book)
      if (problem) refuse(results, s.marketId, 'settlement_invariant', problem)
      else
        planned.push({ marketId: s.marketId, verdict: s.verdict, escrowId: Number(s.market.escrowId), book })
    }
    // Balances threaded through the batch in market order, exactly as `planSettlements` does (a refund in one
    // market can cover a clawback in the next); planned one market at a time so a refusal stays with its market.
    const accepted: typeof planned = []
    const running = balances
    const plans: SettlementPlan[] = []
    for (const p of planned) {
      try {
        const plan = planSettlement(p.book, resolveVerdict(p.verdict).resolution, running)
        for (const x of plan.positions) {
          if (x.paidMicro !== 0n) running.set(x.accountId, (running.get(x.accountId) ?? 0n) + x.paidMicro)
        }
        plans.push(plan)
        accepted.push(p)
      } catch (err) {
        if (!isCurationError(err)) throw err
        results.set(p.marketId, { marketId: p.marketId, outcome: 'refused', error: err })
      }
    }
    if (accepted.length > 0) {
      await persist(tx, {
        plans,
        markets: accepted,
        treasuryId: system.treasuryId,
        roundId: opts.roundId ?? null,
        nowIso,
      })
      for (const s of await selectSettlements(
        tx,
        accepted.map((a) => a.marketId),
      )) {
        results.set(s.marketId, { marketId: s.marketId, outcome: 'settled', settlement: s })
      }
    }
  }
  return batch.map((b) => results.get(b.marketId)!)
}

function refuse(
  results: Map<number, SettlementResult>,
  marketId: number,
  code: 'unknown_market' | 'market_not_closed' | 'settlement_invariant',
  message: string,
) {
  results.set(marketId, { marketId, outcome: 'refused', error: new CurationError(code, message) })
}

/** The market's outstanding shares must be its positions' (the audit's rule): settle nothing on books that disagree. */
function checkBook(market: LockedMarket, book: MarketBook): string | undefined {
  let yes = 0n
  let no = 0n
  for (const p of book.positions) {
    yes += p.yesSharesMicro
    no += p.noSharesMicro
  }
  if (yes !== BigInt(market.qYes) || no !== BigInt(market.qNo)) {
    return `Market ${book.marketId}: q = (${market.qYes}, ${market.qNo}) but positions sum to (${yes}, ${no}).`
  }
  return undefined
}

/**
 * Five set-based statements for the whole batch, sent pipelined (one round trip; a transaction runs them in order).
 * Ledger entries go in per market in the order a replay needs (clawbacks into the escrow, then payouts or refunds
 * out of it, then the remainder), balances move by their summed deltas, and the settlement rows and market
 * statuses are written beside them.
 */
async function persist(
  tx: Tx,
  input: {
    plans: SettlementPlan[]
    markets: { marketId: number; verdict: Verdict; escrowId: number }[]
    treasuryId: number
    roundId: number | null
    nowIso: string
  },
): Promise<void> {
  const from: number[] = []
  const to: number[] = []
  const amount: string[] = []
  const reason: string[] = []
  const reference: string[] = []
  const deltas = new Map<number, bigint>()
  const move = (f: number, t: number, a: bigint, r: string, ref: string) => {
    from.push(f)
    to.push(t)
    amount.push(a.toString())
    reason.push(r)
    reference.push(ref)
    deltas.set(f, (deltas.get(f) ?? 0n) - a)
    deltas.set(t, (deltas.get(t) ?? 0n) + a)
  }
  const ps = { market: [] as number[], account: [] as number[], owed: [] as string[], paid: [] as string[] }
  input.plans.forEach((plan, i) => {
    const { escrowId, marketId } = input.markets[i]!
    const ref = `settlement:${marketId}`
    const paidReason = plan.resolution === 'void' ? 'settlement_refund' : 'settlement_payout'
    // A clawback is a void's refund of a negative net spend, so it keeps the refund's reason, running the other way.
    for (const p of plan.positions)
      if (p.paidMicro < 0n) move(p.accountId, escrowId, -p.paidMicro, 'settlement_refund', ref)
    for (const p of plan.positions)
      if (p.paidMicro > 0n) move(escrowId, p.accountId, p.paidMicro, paidReason, ref)
    if (plan.remainderMicro > 0n)
      move(escrowId, input.treasuryId, plan.remainderMicro, 'settlement_remainder', ref)
    for (const p of plan.positions) {
      ps.market.push(marketId)
      ps.account.push(p.accountId)
      ps.owed.push(p.owedMicro.toString())
      ps.paid.push(p.paidMicro.toString())
    }
  })
  const changed = [...deltas].filter(([, d]) => d !== 0n)
  const ms = input.plans.map((plan, i) => ({ plan, ...resolveVerdict(input.markets[i]!.verdict) }))
  // Separate statements, in this order: the ledger's foreign-key checks then find the accounts as `lockAccounts`
  // left them (locked, not yet rewritten), which measured about 40% cheaper than checking rows this statement has
  // just updated, as one statement with data-modifying CTEs would.
  await Promise.all([
    tx`
    insert into ledger_entry (from_account, to_account, amount_micro, reason, reference, created_at)
    select f, t, a, r, ref, ${input.nowIso}::timestamptz
    from unnest(${tx.array(from)}::bigint[], ${tx.array(to)}::bigint[], ${tx.array(amount)}::bigint[],
                ${tx.array(reason)}::text[], ${tx.array(reference)}::text[]) with ordinality as e(f, t, a, r, ref, n)
    order by n`,
    tx`
    update account a set balance_micro = a.balance_micro + d.delta
    from unnest(${tx.array(changed.map(([id]) => id))}::bigint[],
                ${tx.array(changed.map(([, d]) => d.toString()))}::bigint[]) as d(id, delta)
    where a.id = d.id`,
    tx`
    insert into market_settlement (market_id, resolution, cause, round_id, escrow_micro, paid_micro,
                                   clawed_back_micro, uncollected_micro, haircut_micro, remainder_micro, positions,
                                   settled_at)
    select d.*, ${input.nowIso}::timestamptz from unnest(
      ${tx.array(ms.map((m) => m.plan.marketId))}::bigint[],
      ${tx.array(ms.map((m) => m.resolution))}::text[],
      ${tx.array(ms.map((m) => m.cause))}::text[],
      ${tx.array(ms.map(() => (input.roundId === null ? null : String(input.roundId))))}::bigint[],
      ${tx.array(ms.map((m) => m.plan.escrowMicro.toString()))}::bigint[],
      ${tx.array(ms.map((m) => m.plan.paidMicro.toString()))}::bigint[],
      ${tx.array(ms.map((m) => m.plan.clawedBackMicro.toString()))}::bigint[],
      ${tx.array(ms.map((m) => m.plan.uncollectedMicro.toString()))}::bigint[],
      ${tx.array(ms.map((m) => m.plan.haircutMicro.toString()))}::bigint[],
      ${tx.array(ms.map((m) => m.plan.remainderMicro.toString()))}::bigint[],
      ${tx.array(ms.map((m) => m.plan.positions.length))}::int[]) as d`,
    tx`
    insert into position_settlement (market_id, account_id, owed_micro, paid_micro)
    select * from unnest(${tx.array(ps.market)}::bigint[], ${tx.array(ps.account)}::bigint[],
                         ${tx.array(ps.owed)}::bigint[], ${tx.array(ps.paid)}::bigint[])`,
    tx`
    update market m set
      status = case when d.resolution = 'void' then 'void' else 'settled' end,
      resolved_outcome = case when d.resolution = 'void' then null else d.resolution end,
      settled_at = ${input.nowIso}::timestamptz
    from unnest(${tx.array(ms.map((m) => m.plan.marketId))}::bigint[],
                ${tx.array(ms.map((m) => m.resolution))}::text[]) as d(id, resolution)
    where m.id = d.id`,
    // The post as the jury judged it is not kept past settlement: its author may have deleted it.
    tx`delete from market_post_copy where market_id = any(${tx.array(ms.map((m) => m.plan.marketId))}::bigint[])`,
  ])
}

async function selectSettlements(
  tx: Tx | Database['sql'],
  marketIds: readonly number[],
): Promise<MarketSettlementSummary[]> {
  if (marketIds.length === 0) return []
  const rows = await tx<
    {
      marketId: string
      resolution: Resolution
      cause: SettlementCause
      roundId: string | null
      escrow: string
      paid: string
      clawed: string
      uncollected: string
      haircut: string
      remainder: string
      positions: number
      settledAt: string
    }[]
  >`
    select market_id::text as "marketId", resolution, cause, round_id::text as "roundId",
           escrow_micro::text as escrow, paid_micro::text as paid, clawed_back_micro::text as clawed,
           uncollected_micro::text as uncollected, haircut_micro::text as haircut,
           remainder_micro::text as remainder, positions,
           to_char(settled_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "settledAt"
    from market_settlement where market_id = any(${tx.array([...marketIds])}::bigint[])
    order by market_id`
  return rows.map((r) => ({
    marketId: Number(r.marketId),
    resolution: r.resolution,
    cause: r.cause,
    roundId: r.roundId === null ? null : Number(r.roundId),
    escrowMicro: BigInt(r.escrow),
    paidMicro: BigInt(r.paid),
    clawedBackMicro: BigInt(r.clawed),
    uncollectedMicro: BigInt(r.uncollected),
    haircutMicro: BigInt(r.haircut),
    remainderMicro: BigInt(r.remainder),
    positions: r.positions,
    settledAt: r.settledAt,
  }))
}
