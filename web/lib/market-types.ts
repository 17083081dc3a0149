import type { Outcome } from '@curia/curation/market/lmsr'
import type { MarketStatus, TradeSide } from '@curia/curation/market/trade'
import type { MarketSettlementSummary } from '@curia/curation/service/settlement'

/**
 * What pages and client components receive about markets. Money and shares are integer micro units written as
 * decimal strings (a DTO crosses into the browser as JSON; a bigint would not survive `JSON.stringify`), prices are
 * YES probabilities in (0, 1), times ISO 8601 in UTC.
 */

export type { MarketStatus, Outcome, TradeSide }

/** A market that no longer trades, in a reader's words (after a post's market line or a position). */
export const CLOSED_MARKET_WORDS = {
  closed: 'trading closed',
  settled: 'settled',
  void: 'refunded, no verdict',
} as const satisfies Record<Exclude<MarketStatus, 'open'>, string>

/**
 * Whether a market's price is sealed: trading has closed and the jury has not ruled. Jurors see the post, never
 * its price (MECHANISM.md "Jury layer"), so from close until settlement no page shows the price, the chart or the
 * trades; they come back with the verdict.
 */
export function isPriceSealed(status: MarketStatus): boolean {
  return status === 'closed'
}

/** The line a post card shows: "62% YES · 3 traders". */
export interface MarketBadgeView {
  marketId: number
  status: MarketStatus
  /** Null while the price is sealed (`isPriceSealed`). */
  yesPrice: number | null
  traderCount: number
}

/** A market as the post page's trade panel needs it: enough state to run `quoteTrade` in the browser. */
export interface MarketView {
  id: number
  postUri: string
  status: MarketStatus
  /** Null while the price is sealed (`isPriceSealed`), as is `state`. */
  yesPrice: number | null
  traderCount: number
  tradeCount: number
  volumeMicro: string
  openedAt: string
  closesAt: string
  /** LMSR state: liquidity b and outstanding shares, micro. */
  state: { b: string; qYes: string; qNo: string } | null
  createdBy: string | null
}

/** A market whose price is shown: what the trade panel quotes against. */
export type PricedMarketView = MarketView & { yesPrice: number; state: NonNullable<MarketView['state']> }

export function isPriced(market: MarketView): market is PricedMarketView {
  return market.yesPrice !== null && market.state !== null
}

export interface TradeView {
  tradeId: number
  marketId: number
  did: string
  /** Null when the trader's handle is not known here. */
  handle: string | null
  side: TradeSide
  outcome: Outcome
  sharesMicro: string
  moneyMicro: string
  yesPriceBefore: number
  yesPriceAfter: number
  createdAt: string
}

/**
 * How a settled market ended: the jury's verdict (`yes` endorsed: YES shares paid 1 credit each; `no`: NO shares
 * did), or void (sampled without quorum, or not sampled: every trader's net spend refunded). `viewerMicro` is what
 * settlement moved to the signed-in curator (negative: a void market took a trading profit back), null when nobody
 * is signed in.
 */
export interface SettlementView extends Pick<
  MarketSettlementSummary,
  'resolution' | 'cause' | 'roundId' | 'settledAt'
> {
  viewerMicro: string | null
}

/** One step of the price chart: the YES price from `atMs` on. */
export interface PricePoint {
  atMs: number
  yesPrice: number
}

/** The signed-in curator, as the header and the trade panel show them. */
export interface ViewerView {
  did: string
  handle: string | null
  balanceMicro: string
  /** Of the balance, sale proceeds held until their markets settle (curation's `heldProceeds`). */
  heldMicro: string
}

export interface HoldingView {
  yesSharesMicro: string
  noSharesMicro: string
  /** Spent on and received from this market, from which the proceeds it holds follow. */
  spentMicro: string
  receivedMicro: string
}

/** The limits the server applies, so the browser's quote refuses what the server would. */
export interface TradeRulesView {
  positionCapMicro: string
  maxAmountMicro: string
}

/** Why a form was refused: the market layer's codes plus the web's own (session, origin, network). */
export type FormErrorCode =
  | 'auth_required'
  | 'bad_origin'
  | 'bad_request'
  | 'bad_amount'
  | 'insufficient_balance'
  | 'market_closed'
  | 'slippage_exceeded'
  | 'position_cap'
  | 'unknown_market'
  | 'idempotency_conflict'
  | 'not_found'
  | 'unavailable'
  | 'rate_limited'

export interface FormError {
  code: FormErrorCode
  message: string
}

/** The trade panel's form state (useActionState). */
export type TradeFormState =
  | { status: 'idle' }
  | { status: 'refused'; error: FormError; idempotencyKey: string }
  | { status: 'filled'; summary: string; tradeId: number; replayed: boolean; idempotencyKey: string }

/** Forms whose success is a redirect: only a refusal comes back. */
export type SimpleFormState = { status: 'idle' } | { status: 'refused'; error: FormError; input?: string }
