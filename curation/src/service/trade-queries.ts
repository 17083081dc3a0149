/**
 * Read side of the market layer: a trader's positions and history, a market's trades (price charts), and the profit
 * leaderboard. Plain reads, no locks; money as bigint micro-credits, times as ISO strings.
 */
import type { Database } from '@curia/db'
import { price, type Outcome } from '../market/lmsr'
import type { MarketStatus, TradeSide } from '../market/trade'

export interface PositionSummary {
  marketId: number
  postUri: string
  status: MarketStatus
  resolvedOutcome: Outcome | null
  closesAt: string
  yesPrice: number
  yesSharesMicro: bigint
  noSharesMicro: bigint
  spentMicro: bigint
  receivedMicro: bigint
  /** Spent minus received: what a void refunds. */
  netSpendMicro: bigint
  /** What settlement moved to (+) or from (-) the account on this market; null until settled or voided. */
  settledPaidMicro: bigint | null
  /** What the shares are worth now (see `positionValueMicro`), rounded down. */
  valueMicro: bigint
  /** Value minus net spend. */
  profitMicro: bigint
  updatedAt: string
}

export interface TradeHistoryItem {
  tradeId: number
  marketId: number
  did: string
  side: TradeSide
  outcome: Outcome
  sharesMicro: bigint
  /** Cost of a buy, proceeds of a sell. */
  moneyMicro: bigint
  yesPriceBefore: number
  yesPriceAfter: number
  createdAt: string
}

export interface LeaderboardEntry {
  did: string
  /** Mark-to-market value of open positions plus what settled ones paid, minus net spend. Rounded down. */
  profitMicro: bigint
  markets: number
}

const ISO = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/** What a trade history row selects (`t` = trade, `a` = its account), shaped for `toTradeItem`. */
const TRADE_COLUMNS = `t.id::text, t.market_id::text as "marketId", a.did, t.side, t.outcome,
  t.shares_micro::text as shares, t.money_micro::text as money, t.yes_price_before as "yesPriceBefore",
  t.yes_price_after as "yesPriceAfter", ${ISO('t.created_at')} as "createdAt"`

/**
 * A position's worth: for a market still trading or waiting, each share at the current LMSR price (the mark, not
 * what selling it all would fetch); once settled or void, what settlement actually moved (`position_settlement`'s
 * signed `paid_micro`: a clawback that went uncollected or a refund cut pro rata is not what the formula owes), or,
 * without that row, the winning shares at 1 credit or the net spend a void refunds.
 */
export function positionValueMicro(p: {
  status: MarketStatus
  resolvedOutcome: Outcome | null
  yesPrice: number
  yesSharesMicro: bigint
  noSharesMicro: bigint
  netSpendMicro: bigint
  settledPaidMicro: bigint | null
}): bigint {
  if (p.settledPaidMicro !== null && (p.status === 'settled' || p.status === 'void'))
    return p.settledPaidMicro
  if (p.status === 'settled') return p.resolvedOutcome === 'yes' ? p.yesSharesMicro : p.noSharesMicro
  if (p.status === 'void') return p.netSpendMicro
  return BigInt(
    Math.floor(Number(p.yesSharesMicro) * p.yesPrice + Number(p.noSharesMicro) * (1 - p.yesPrice)),
  )
}

export async function listPositions(database: Database, did: string): Promise<PositionSummary[]> {
  const { sql } = database
  const rows = await sql<
    {
      marketId: string
      postUri: string
      status: MarketStatus
      resolvedOutcome: Outcome | null
      closesAt: string
      b: string
      qYes: string
      qNo: string
      yes: string
      no: string
      spent: string
      received: string
      paid: string | null
      updatedAt: string
    }[]
  >`
    select m.id::text as "marketId", m.post_uri as "postUri", m.status, m.resolved_outcome as "resolvedOutcome",
           ${sql.unsafe(ISO('m.closes_at'))} as "closesAt", m.liquidity_micro::text as b,
           m.q_yes_micro::text as "qYes", m.q_no_micro::text as "qNo",
           p.yes_shares_micro::text as yes, p.no_shares_micro::text as no, p.spent_micro::text as spent,
           p.received_micro::text as received, ps.paid_micro::text as paid,
           ${sql.unsafe(ISO('p.updated_at'))} as "updatedAt"
    from position p
    join account a on a.id = p.account_id
    join market m on m.id = p.market_id
    left join position_settlement ps on ps.market_id = p.market_id and ps.account_id = p.account_id
    where a.kind = 'curator' and a.did = ${did}
    order by p.updated_at desc, m.id desc`
  return rows.map((r) => {
    const yesPrice = price({ b: BigInt(r.b), qYes: BigInt(r.qYes), qNo: BigInt(r.qNo) }, 'yes')
    const spentMicro = BigInt(r.spent)
    const receivedMicro = BigInt(r.received)
    const base = {
      marketId: Number(r.marketId),
      postUri: r.postUri,
      status: r.status,
      resolvedOutcome: r.resolvedOutcome,
      closesAt: r.closesAt,
      yesPrice,
      yesSharesMicro: BigInt(r.yes),
      noSharesMicro: BigInt(r.no),
      spentMicro,
      receivedMicro,
      netSpendMicro: spentMicro - receivedMicro,
      settledPaidMicro: r.paid === null ? null : BigInt(r.paid),
      updatedAt: r.updatedAt,
    }
    const valueMicro = positionValueMicro(base)
    return { ...base, valueMicro, profitMicro: valueMicro - base.netSpendMicro }
  })
}

/** A trade row as the queries here (and trade.ts's idempotency lookups) select it. */
export type TradeRow = {
  id: string
  marketId: string
  did: string
  side: TradeSide
  outcome: Outcome
  shares: string
  money: string
  yesPriceBefore: number
  yesPriceAfter: number
  createdAt: string
}

export const toTradeItem = (r: TradeRow): TradeHistoryItem => ({
  tradeId: Number(r.id),
  marketId: Number(r.marketId),
  did: r.did,
  side: r.side,
  outcome: r.outcome,
  sharesMicro: BigInt(r.shares),
  moneyMicro: BigInt(r.money),
  yesPriceBefore: r.yesPriceBefore,
  yesPriceAfter: r.yesPriceAfter,
  createdAt: r.createdAt,
})

/** A trader's trades, newest first; page with `beforeId` (the last `tradeId` seen). */
export async function listTraderTrades(
  database: Database,
  did: string,
  opts: { limit?: number; beforeId?: number } = {},
): Promise<TradeHistoryItem[]> {
  const { sql } = database
  const rows = await sql<TradeRow[]>`
    select ${sql.unsafe(TRADE_COLUMNS)}
    from trade t join account a on a.id = t.account_id
    where a.kind = 'curator' and a.did = ${did} and t.id < ${opts.beforeId ?? Number.MAX_SAFE_INTEGER}
    order by t.id desc
    limit ${clampLimit(opts.limit)}`
  return rows.map(toTradeItem)
}

/**
 * A market's trades, oldest first, for its price chart: each carries the YES price before and after, so the chart
 * is the sequence of `yesPriceAfter` starting from the first `yesPriceBefore`. Page with `afterId`, or take the
 * `latest` trades (the newest `limit`, still oldest first) for a chart that ends now.
 */
export async function listMarketTrades(
  database: Database,
  marketId: number,
  opts: { limit?: number; afterId?: number; latest?: boolean } = {},
): Promise<TradeHistoryItem[]> {
  const { sql } = database
  const rows = await sql<TradeRow[]>`
    select ${sql.unsafe(TRADE_COLUMNS)}
    from trade t join account a on a.id = t.account_id
    where t.market_id = ${marketId} and t.id > ${opts.afterId ?? 0}
    order by t.id ${opts.latest ? sql`desc` : sql``}
    limit ${clampLimit(opts.limit, 1000)}`
  const trades = rows.map(toTradeItem)
  return opts.latest ? trades.reverse() : trades
}

/**
 * Curators by trading profit. The YES price is the LMSR's logistic, computed here in SQL so the ranking needs no
 * per-market round trip; `lmsr.price` is the reference and the tests hold the two together. The exponent is
 * clamped where float8 would overflow (the price is then 0 or 1 to far more digits than a micro-credit).
 */
export async function profitLeaderboard(
  database: Database,
  opts: { limit?: number } = {},
): Promise<LeaderboardEntry[]> {
  const { sql } = database
  const rows = await sql<{ did: string; profit: string; markets: number }[]>`
    with priced as (
      select id, status, resolved_outcome,
             1 / (1 + exp(least(700, greatest(-700, (q_no_micro - q_yes_micro)::float8 / liquidity_micro::float8))))
               as yes_price
      from market
    )
    , profits as (
      select a.did,
             floor(sum(
               case
                 when ps.paid_micro is not null and m.status in ('settled', 'void') then ps.paid_micro::float8
                 when m.status = 'settled' then
                   (case when m.resolved_outcome = 'yes' then p.yes_shares_micro else p.no_shares_micro end)::float8
                 when m.status = 'void' then p.net_spend_micro::float8
                 else p.yes_shares_micro * m.yes_price + p.no_shares_micro * (1 - m.yes_price)
               end - p.net_spend_micro::float8))::bigint as profit,
             count(*)::int as markets
      from position p
      join account a on a.id = p.account_id
      join priced m on m.id = p.market_id
      left join position_settlement ps on ps.market_id = p.market_id and ps.account_id = p.account_id
      where a.kind = 'curator'
      group by a.did
    )
    select did, profit::text as profit, markets from profits
    order by profits.profit desc, did
    limit ${clampLimit(opts.limit)}`
  return rows.map((r) => ({ did: r.did, profitMicro: BigInt(r.profit), markets: r.markets }))
}

function clampLimit(limit: number | undefined, max = 200): number {
  if (limit === undefined || !Number.isFinite(limit)) return Math.min(50, max)
  return Math.max(1, Math.min(max, Math.floor(limit)))
}
