import { limitForQuote, type Fill, type TradeLimit, type TradeSide } from '@curia/curation/market/trade'
import { formatCredits } from './credits'

/**
 * The trade panel's slippage bound. Between the quote the page shows and the order reaching the server, someone
 * else may trade: the order still fills if its price moved against the trader by at most this fraction (a buy's
 * average price 2% above the quote, a sell's proceeds 2% below it), and is refused otherwise. The panel states the
 * bound under the quote; the server holds the order to exactly the bound it was sent.
 */
export const PRICE_TOLERANCE = 0.02

/** One hundredth of a credit, in micro-credits: a sell's bound is stated (and sent) to the cent. */
const CENT_MICRO = 10_000n

/**
 * The bound the panel sends with a quoted order: `limitForQuote` with `PRICE_TOLERANCE`, rounded (outwards, never
 * tighter than the quote itself) to the digits the panel prints, so the bound a person reads is exactly the one
 * the server checks.
 */
export function panelLimit(fill: Pick<Fill, 'side' | 'sharesMicro' | 'moneyMicro'>): TradeLimit {
  const limit = limitForQuote(fill, PRICE_TOLERANCE)
  if (limit.kind === 'max_average_price') {
    const scale = 10 ** priceDecimals(limit.price)
    return { kind: 'max_average_price', price: Math.min(1, Math.ceil(limit.price * scale) / scale) }
  }
  if (limit.kind === 'min_proceeds' && limit.proceedsMicro >= CENT_MICRO) {
    return { kind: 'min_proceeds', proceedsMicro: limit.proceedsMicro - (limit.proceedsMicro % CENT_MICRO) }
  }
  return limit
}

/**
 * A highest average price as the panel prints it: 4 decimals like every average (`0.5251`), 6 under a hundredth,
 * where 4 would round a bound of a few hundredths of a percent away.
 */
export function formatLimitPrice(price: number): string {
  return Number.isFinite(price) ? price.toFixed(priceDecimals(price)) : '—'
}

/** Credits as the UI prints them (`1,234.5`); an amount with sub-cent digits keeps them, so a bound is exact. */
export function formatLimitCredits(micro: bigint): string {
  return formatCredits(micro, micro % CENT_MICRO === 0n ? 2 : 6)
}

function priceDecimals(price: number): number {
  return price >= 0.01 ? 4 : 6
}

/** The bound under the quote: "at most 0.5251 credits a share on average, or nothing is bought". */
export function describeLimit(limit: TradeLimit): string {
  switch (limit.kind) {
    case 'max_average_price':
      return `at most ${formatLimitPrice(limit.price)} credits a share on average, or nothing is bought`
    case 'min_shares':
      return `at least ${formatLimitCredits(limit.sharesMicro)} shares, or nothing is bought`
    case 'min_proceeds':
      return `at least ${formatLimitCredits(limit.proceedsMicro)} credits, or nothing is sold`
  }
}

/**
 * The refusal of an order whose price moved past its bound, in the panel's own terms: the bound that was sent, as
 * the panel stated it, and what to do next (the page reloads with the new price, so the quote above is new).
 */
export function slippageMessage(side: TradeSide, limit: TradeLimit): string {
  const moved = 'The price moved before your order arrived'
  const next = 'check the new quote and submit again.'
  switch (limit.kind) {
    case 'max_average_price':
      return `${moved}: the shares would now cost more than your limit of ${formatLimitPrice(limit.price)} credits a share on average. Nothing was bought; ${next}`
    case 'min_shares':
      return `${moved}: your amount would now buy fewer than your minimum of ${formatLimitCredits(limit.sharesMicro)} shares. Nothing was bought; ${next}`
    case 'min_proceeds':
      return `${moved}: the sale would now pay less than your minimum of ${formatLimitCredits(limit.proceedsMicro)} credits. Nothing was ${side === 'sell' ? 'sold' : 'traded'}; ${next}`
  }
}
