/**
 * An honest curator's behaviour: it holds a private, noisy belief that the jury would endorse the post, leans a
 * little toward the displayed price (herding), and trades toward that with a bounded share of its balance, through
 * the real LMSR quotes. This is the `decide` the demo uses too (`@curia/sim/scenario`).
 *
 * Pure: no I/O, no randomness (the belief already carries the curator's noise).
 */
import { price, type MarketState } from '@curia/curation/market/lmsr'
import type { TradeOrder, TradeRules, TraderView } from '@curia/curation/market/trade'
import { clamp, logistic, logit } from '../stats'
import { planOrder } from './trader'

export interface CuratorStyle {
  /**
   * How much a curator trusts the displayed price per trader who has already traded: its target is, in log-odds,
   * (own + trust x n x price) / (1 + trust x n) for n traders so far, so a market with many traders moves each new
   * one less. A curator who ignored the price would drag it to its own belief (with wealth well above b, one trade
   * can), and the price would be the last trader's opinion rather than everyone's.
   */
  priceTrust: number
  /** The most weight a curator ever gives the price (it always keeps some faith in its own reading). */
  maxPriceWeight: number
  /**
   * Fractional Kelly: the curator stakes this multiple of the Kelly fraction (q - p) / (1 - p) of its balance. A
   * bettor that moves the price all the way to its own belief makes the price the last trader's opinion; Kelly
   * sizing makes it a wealth-weighted average of everyone's, which is what a market is for.
   */
  kellyMultiplier: number
  /** Most of its balance put into one trade. */
  riskFraction: number
  /** Trades only when belief and price differ by more than this. */
  edge: number
}

export interface CuratorMarket {
  marketId: number
  state: MarketState
  /** Distinct accounts that have traded (the market page shows it). */
  traderCount: number
  trader: TraderView
  rules: TradeRules
}

/** The price this curator trades toward: its belief, pulled toward the market's price (see `priceTrust`). */
export function curatorTarget(
  style: CuratorStyle,
  market: Pick<CuratorMarket, 'state' | 'traderCount'>,
  belief: number,
): number {
  const p = clamp(price(market.state, 'yes'), 0.001, 0.999)
  const trust = style.priceTrust * market.traderCount
  const w = Math.min(style.maxPriceWeight, trust / (1 + trust))
  return logistic((1 - w) * logit(clamp(belief, 0.001, 0.999)) + w * logit(p))
}

/** The share of its balance a curator stakes: fractional Kelly for a binary bet at `p` with belief `q`, capped. */
export function stakeFraction(style: CuratorStyle, q: number, p: number): number {
  const kelly = q > p ? (q - p) / (1 - p) : (p - q) / p
  return Math.min(style.riskFraction, style.kellyMultiplier * kelly)
}

export function decideCurator(
  style: CuratorStyle,
  market: CuratorMarket,
  belief: number,
): TradeOrder | undefined {
  const target = curatorTarget(style, market, belief)
  const fraction = stakeFraction(style, target, price(market.state, 'yes'))
  const budget = BigInt(Math.floor(Number(market.trader.balanceMicro) * fraction))
  return planOrder({
    marketId: market.marketId,
    state: market.state,
    trader: market.trader,
    target,
    budgetMicro: budget,
    rules: market.rules,
    edge: style.edge,
  })
}
