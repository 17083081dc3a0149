import 'server-only'
import type { Database } from '@curia/db'
import { getBalance, getHeldProceeds } from '@curia/curation/service/ledger'
import { getMarket, type MarketSummary } from '@curia/curation/service/market'
import { getMarketSettlement } from '@curia/curation/service/settlement'
import {
  listMarketTrades,
  listPositions,
  listTraderTrades,
  profitLeaderboard,
  type TradeHistoryItem,
} from '@curia/curation/service/trade-queries'
import type { FeedPostView } from '../../lib/feed-types'
import { excerpt } from '../../lib/format'
import {
  isPriceSealed,
  type HoldingView,
  type MarketView,
  type PricePoint,
  type SettlementView,
  type TradeRulesView,
  type TradeView,
  type ViewerView,
} from '../../lib/market-types'
import { postPath } from '../../lib/post-path'
import { curatorHandles } from '../auth/web-session'
import { presentPost, type BlobUrlTemplates } from '../present-post'
import { hydratePostsByUri } from './feed'

/**
 * Reads for the market pages, each returning DTOs: the post page (post, market, price history, the viewer's
 * holding), the portfolio and the leaderboard. Amounts leave here as micro-unit strings.
 */

export interface PostPageView {
  postUri: string
  /** Null when the post is not stored here (a market opened on a post the indexer never saw, since deleted). */
  post: FeedPostView | null
  market: MarketView | null
  /** Oldest first: the chart. Empty while the price is sealed. */
  pricePoints: PricePoint[]
  /** Newest first: the history list (at most HISTORY_LIMIT). Empty while the price is sealed. */
  trades: TradeView[]
  holding: HoldingView | null
  /** Null until the market is settled. */
  settlement: SettlementView | null
  rules: TradeRulesView
  openFeeMicro: string
}

export interface MarketQueryDeps {
  database: Database
  urls: BlobUrlTemplates
  rules: { positionCapMicro: bigint; maxAmountMicro: bigint; openFeeMicro: bigint }
}

const CHART_TRADES = 1000
const HISTORY_LIMIT = 50

export async function loadPostPage(
  deps: MarketQueryDeps,
  req: { postUri: string; viewerDid: string | null },
): Promise<PostPageView | null> {
  const { database } = deps
  const [rows, market] = await Promise.all([
    hydratePostsByUri(database.sql, [req.postUri]),
    getMarket(database, { postUri: req.postUri }),
  ])
  const row = rows[0]
  if (!row && !market) return null
  // A sealed market's trades are not read at all: nothing on the page may carry its price.
  const priced = market && !isPriceSealed(market.status) ? market : null
  const trades = priced
    ? await listMarketTrades(database, priced.id, { limit: CHART_TRADES, latest: true })
    : []
  const settled = market && (market.status === 'settled' || market.status === 'void')
  const [handles, holding, settlement] = await Promise.all([
    curatorHandles(
      database.sql,
      trades.slice(-HISTORY_LIMIT).map((t) => t.did),
    ),
    market && req.viewerDid ? loadHolding(database, market.id, req.viewerDid) : Promise.resolve(null),
    settled ? loadSettlement(database, market.id, req.viewerDid) : Promise.resolve(null),
  ])
  return {
    postUri: req.postUri,
    post: row ? presentPost(row, '', deps.urls) : null,
    market: market ? presentMarket(market) : null,
    pricePoints: priced
      ? pricePoints(priced, trades, { fromOpening: trades.length >= priced.tradeCount })
      : [],
    trades: trades
      .slice(-HISTORY_LIMIT)
      .reverse()
      .map((t) => presentTrade(t, handles)),
    holding,
    settlement,
    rules: {
      positionCapMicro: deps.rules.positionCapMicro.toString(),
      maxAmountMicro: deps.rules.maxAmountMicro.toString(),
    },
    openFeeMicro: deps.rules.openFeeMicro.toString(),
  }
}

/**
 * The market's stored settlement and, for a signed-in viewer, the net of its settlement entries to and from their
 * account (reference `settlement:<market>`, as curation/src/service/settlement.ts writes them).
 */
async function loadSettlement(
  database: Database,
  marketId: number,
  viewerDid: string | null,
): Promise<SettlementView | null> {
  const [stored, viewerMicro] = await Promise.all([
    getMarketSettlement(database, marketId),
    viewerDid === null ? null : settlementPaidTo(database, marketId, viewerDid),
  ])
  if (!stored) return null
  const { resolution, cause, roundId, settledAt } = stored
  return { resolution, cause, roundId, settledAt, viewerMicro }
}

async function settlementPaidTo(database: Database, marketId: number, did: string): Promise<string> {
  const [row] = await database.sql<{ micro: string }[]>`
    select coalesce(sum(case when e.to_account = a.id then e.amount_micro else -e.amount_micro end), 0)::text as micro
    from account a join ledger_entry e on e.to_account = a.id or e.from_account = a.id
    where a.kind = 'curator' and a.did = ${did}
      and e.reference = ${`settlement:${marketId}`} and e.reason in ('settlement_payout', 'settlement_refund')`
  return row!.micro
}

export function presentMarket(m: MarketSummary): MarketView {
  const sealed = isPriceSealed(m.status)
  return {
    id: m.id,
    postUri: m.postUri,
    status: m.status,
    yesPrice: sealed ? null : m.yesPrice,
    traderCount: m.traderCount,
    tradeCount: m.tradeCount,
    volumeMicro: m.volumeMicro.toString(),
    openedAt: m.openedAt,
    closesAt: m.closesAt,
    state: sealed
      ? null
      : { b: m.liquidityMicro.toString(), qYes: m.qYesMicro.toString(), qNo: m.qNoMicro.toString() },
    createdBy: m.createdBy,
  }
}

/**
 * The chart's steps: the price at opening (the first trade's price before, or the current price when nothing has
 * traded), then each trade's price after. Trades store both prices, so nothing is recomputed. When `trades` are
 * only the latest of a longer history (`fromOpening` false), the chart starts at the first of them instead.
 */
export function pricePoints(
  market: Pick<MarketSummary, 'openedAt' | 'yesPrice'>,
  trades: readonly Pick<TradeHistoryItem, 'createdAt' | 'yesPriceBefore' | 'yesPriceAfter'>[],
  opts: { fromOpening: boolean } = { fromOpening: true },
): PricePoint[] {
  const opened = Date.parse(market.openedAt)
  const first = trades[0]
  const startMs = first && !opts.fromOpening ? Math.max(opened, Date.parse(first.createdAt)) : opened
  const points: PricePoint[] = [{ atMs: startMs, yesPrice: first ? first.yesPriceBefore : market.yesPrice }]
  for (const t of trades)
    points.push({ atMs: Math.max(opened, Date.parse(t.createdAt)), yesPrice: t.yesPriceAfter })
  return points
}

function presentTrade(t: TradeHistoryItem, handles: ReadonlyMap<string, string>): TradeView {
  return {
    tradeId: t.tradeId,
    marketId: t.marketId,
    did: t.did,
    handle: handles.get(t.did) ?? null,
    side: t.side,
    outcome: t.outcome,
    sharesMicro: t.sharesMicro.toString(),
    moneyMicro: t.moneyMicro.toString(),
    yesPriceBefore: t.yesPriceBefore,
    yesPriceAfter: t.yesPriceAfter,
    createdAt: t.createdAt,
  }
}

async function loadHolding(database: Database, marketId: number, did: string): Promise<HoldingView | null> {
  const [row] = await database.sql<{ yes: string; no: string; spent: string; received: string }[]>`
    select p.yes_shares_micro::text as yes, p.no_shares_micro::text as no, p.spent_micro::text as spent,
           p.received_micro::text as received
    from position p join account a on a.id = p.account_id
    where p.market_id = ${marketId} and a.kind = 'curator' and a.did = ${did}`
  return row
    ? { yesSharesMicro: row.yes, noSharesMicro: row.no, spentMicro: row.spent, receivedMicro: row.received }
    : { yesSharesMicro: '0', noSharesMicro: '0', spentMicro: '0', receivedMicro: '0' }
}

export async function loadViewer(database: Database, did: string): Promise<ViewerView> {
  const [balance, held, handles] = await Promise.all([
    getBalance(database, did),
    getHeldProceeds(database.sql, did),
    curatorHandles(database.sql, [did]),
  ])
  return {
    did,
    handle: handles.get(did) ?? null,
    balanceMicro: balance.toString(),
    heldMicro: held.toString(),
  }
}

// --- Portfolio ----------------------------------------------------------------------------------------------------

export interface PositionRowView {
  marketId: number
  postUri: string
  path: string | null
  /** A line of the post's text, or what stands in for it (see `postLabel`). */
  postText: string
  authorHandle: string | null
  status: MarketView['status']
  yesPrice: number
  yesSharesMicro: string
  noSharesMicro: string
  netSpendMicro: string
  valueMicro: string
  profitMicro: string
  closesAt: string
}

export interface TradeHistoryRowView extends TradeView {
  path: string | null
  postText: string
}

export interface PortfolioView {
  viewer: ViewerView
  positions: PositionRowView[]
  /** Sum of the positions' values (mark to market). */
  positionsValueMicro: string
  trades: TradeHistoryRowView[]
}

export async function loadPortfolio(database: Database, did: string): Promise<PortfolioView> {
  const [viewer, positions, trades] = await Promise.all([
    loadViewer(database, did),
    listPositions(database, did),
    listTraderTrades(database, did, { limit: HISTORY_LIMIT }),
  ])
  const marketUris = await marketPostUris(
    database,
    trades.map((t) => t.marketId),
  )
  const uris = [...new Set([...positions.map((p) => p.postUri), ...marketUris.values()])]
  const posts = new Map((await hydratePostsByUri(database.sql, uris)).map((r) => [r.uri, r]))
  const snippet = (uri: string) => postLabel(posts.get(uri))
  return {
    viewer,
    positions: positions.map((p) => ({
      marketId: p.marketId,
      postUri: p.postUri,
      path: postPath(p.postUri),
      postText: snippet(p.postUri),
      authorHandle: posts.get(p.postUri)?.handle ?? null,
      status: p.status,
      yesPrice: p.yesPrice,
      yesSharesMicro: p.yesSharesMicro.toString(),
      noSharesMicro: p.noSharesMicro.toString(),
      netSpendMicro: p.netSpendMicro.toString(),
      valueMicro: p.valueMicro.toString(),
      profitMicro: p.profitMicro.toString(),
      closesAt: p.closesAt,
    })),
    positionsValueMicro: positions.reduce((sum, p) => sum + p.valueMicro, 0n).toString(),
    trades: trades.map((t) => {
      const uri = marketUris.get(t.marketId) ?? ''
      return {
        ...presentTrade(t, new Map(viewer.handle ? [[did, viewer.handle]] : [])),
        path: postPath(uri),
        postText: snippet(uri),
      }
    }),
  }
}

/**
 * A line naming a post in a list of positions or trades: its text, or, when it has none (an image alone) or Curia
 * no longer shows it (deleted, or its account taken down or deactivated), a phrase that says so, never a bare URI.
 */
export function postLabel(post: { text: string } | undefined): string {
  if (!post) return 'A post Curia no longer shows (deleted, or its account is inactive)'
  const text = post.text.trim()
  return text ? excerpt(text, 140) : 'A post without text'
}

async function marketPostUris(database: Database, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map()
  const rows = await database.sql<{ id: string; uri: string }[]>`
    select id::text, post_uri as uri from market where id = any(${database.sql.array([...new Set(ids)])}::bigint[])`
  return new Map(rows.map((r) => [Number(r.id), r.uri]))
}

// --- Leaderboard --------------------------------------------------------------------------------------------------

export interface LeaderboardRowView {
  rank: number
  did: string
  handle: string | null
  profitMicro: string
  markets: number
}

export async function loadLeaderboard(database: Database, limit = 50): Promise<LeaderboardRowView[]> {
  const entries = await profitLeaderboard(database, { limit })
  const handles = await curatorHandles(
    database.sql,
    entries.map((e) => e.did),
  )
  return entries.map((e, i) => ({
    rank: i + 1,
    did: e.did,
    handle: handles.get(e.did) ?? null,
    profitMicro: e.profitMicro.toString(),
    markets: e.markets,
  }))
}
