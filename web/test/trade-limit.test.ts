import { describe, expect, it } from 'vitest'
import { isCurationError } from '@curia/curation/errors'
import { applyTrade, MICRO, sharesForSpend } from '@curia/curation/market/lmsr'
import {
  decideTrade,
  quoteTrade,
  type Fill,
  type MarketView,
  type TradeLimit,
  type TradeSide,
} from '@curia/curation/market/trade'
import {
  describeLimit,
  formatLimitCredits,
  formatLimitPrice,
  panelLimit,
  PRICE_TOLERANCE,
  slippageMessage,
} from '../lib/trade-limit'

/**
 * The trade panel's slippage bound: an order quoted in the browser still fills when someone else's small trade lands
 * first, is refused past `PRICE_TOLERANCE`, and the bound the panel prints is exactly the one it sends.
 */

const NOW = Date.parse('2026-03-01T12:00:00Z')
const rules = { positionCapMicro: 10n ** 15n, maxAmountMicro: 10_000n * MICRO }
const trader = { balanceMicro: 1_000n * MICRO, yesSharesMicro: 200n * MICRO, noSharesMicro: 0n }

function market(qYes = 0n, qNo = 0n): MarketView {
  return { id: 1, status: 'open', closesAtMs: NOW + 3_600_000, state: { b: 100n * MICRO, qYes, qNo } }
}

/** The market after someone else spends `credits` on YES. */
function afterOtherBuy(m: MarketView, credits: bigint): MarketView {
  const shares = sharesForSpend(m.state, 'yes', credits * MICRO)
  return { ...m, state: applyTrade(m.state, 'yes', shares) }
}

function quote(m: MarketView, side: TradeSide, amountMicro: bigint): Fill {
  return quoteTrade(m, trader, { marketId: 1, side, outcome: 'yes', amountMicro }, rules, NOW)
}

function decide(m: MarketView, side: TradeSide, amountMicro: bigint, limit: TradeLimit) {
  try {
    return decideTrade(m, trader, { marketId: 1, side, outcome: 'yes', amountMicro, limit }, rules, NOW)
  } catch (err) {
    if (isCurationError(err)) return err
    throw err
  }
}

describe('the trade panel’s bound', () => {
  it('lets a buy fill when another trader moved the price a little, and refuses it past the tolerance', () => {
    const m = market()
    const fill = quote(m, 'buy', 40n * MICRO)
    const limit = panelLimit(fill)
    expect(limit.kind).toBe('max_average_price')
    const price = (limit as { price: number }).price
    const average = Number(fill.moneyMicro) / Number(fill.sharesMicro)
    expect(price).toBeGreaterThanOrEqual(average * (1 + PRICE_TOLERANCE))
    expect(price).toBeLessThanOrEqual(average * (1 + PRICE_TOLERANCE) + 1e-4)
    // What the panel prints is what it sends (the form posts `String(price)`).
    expect(Number(formatLimitPrice(price))).toBe(price)
    expect(String(price)).toMatch(/^0\.\d{1,4}$/)

    // The quote itself fills.
    expect(decide(m, 'buy', 40n * MICRO, limit)).toMatchObject({ sharesMicro: fill.sharesMicro })
    // Someone else's 1-credit buy first: still within the bound (a bound of the exact quote refused this).
    const nudged = decide(afterOtherBuy(m, 1n), 'buy', 40n * MICRO, limit)
    expect(isCurationError(nudged)).toBe(false)
    // A 30-credit buy first moves it well past 2%: refused, nothing filled.
    const moved = decide(afterOtherBuy(m, 30n), 'buy', 40n * MICRO, limit)
    expect(isCurationError(moved, 'slippage_exceeded')).toBe(true)
  })

  it('lets a sell fill a little below its quote, never below the floor it states to the cent', () => {
    const m = market(150n * MICRO, 0n)
    const fill = quote(m, 'sell', 50n * MICRO)
    const limit = panelLimit(fill)
    expect(limit.kind).toBe('min_proceeds')
    const floor = (limit as { proceedsMicro: bigint }).proceedsMicro
    expect(floor % 10_000n).toBe(0n)
    expect(Number(floor)).toBeLessThanOrEqual(Number(fill.moneyMicro) * (1 - PRICE_TOLERANCE))
    expect(Number(floor)).toBeGreaterThan(Number(fill.moneyMicro) * (1 - PRICE_TOLERANCE) - 10_000)
    // Someone else selling YES first lowers the proceeds a little: still sold.
    const nudged = { ...m, state: applyTrade(m.state, 'yes', -2n * MICRO) }
    expect(isCurationError(decide(nudged, 'sell', 50n * MICRO, limit))).toBe(false)
    const crashed = { ...m, state: applyTrade(m.state, 'yes', -60n * MICRO) }
    expect(isCurationError(decide(crashed, 'sell', 50n * MICRO, limit), 'slippage_exceeded')).toBe(true)
  })

  it('keeps a tiny sale’s bound exact rather than rounding it to nothing', () => {
    const limit = panelLimit({ side: 'sell', sharesMicro: 10_000n, moneyMicro: 5_000n })
    expect(limit).toEqual({ kind: 'min_proceeds', proceedsMicro: 4_900n })
    expect(formatLimitCredits(4_900n)).toBe('0.0049')
  })

  it('never sends a bound above 1 credit a share', () => {
    const limit = panelLimit({ side: 'buy', sharesMicro: 1_000_000n, moneyMicro: 999_990n })
    expect(limit).toEqual({ kind: 'max_average_price', price: 1 })
  })
})

describe('what the panel says about the bound', () => {
  it('states it in the units the quote uses', () => {
    expect(describeLimit({ kind: 'max_average_price', price: 0.5251 })).toBe(
      'at most 0.5251 credits a share on average, or nothing is bought',
    )
    expect(describeLimit({ kind: 'max_average_price', price: 0.006121 })).toBe(
      'at most 0.006121 credits a share on average, or nothing is bought',
    )
    expect(describeLimit({ kind: 'min_proceeds', proceedsMicro: 1_234_560_000n })).toBe(
      'at least 1,234.56 credits, or nothing is sold',
    )
  })

  it('refuses a moved price with the bound as stated, never a raw float or micro amounts', () => {
    const buy = slippageMessage('buy', { kind: 'max_average_price', price: 51 / 101 })
    expect(buy).toBe(
      'The price moved before your order arrived: the shares would now cost more than your limit of 0.5050 credits a share on average. Nothing was bought; check the new quote and submit again.',
    )
    const sell = slippageMessage('sell', { kind: 'min_proceeds', proceedsMicro: 38_345_678n })
    expect(sell).toContain('less than your minimum of 38.345678 credits. Nothing was sold;')
    expect(slippageMessage('sell', { kind: 'min_proceeds', proceedsMicro: 1_038_340_000n })).toContain(
      'your minimum of 1,038.34 credits',
    )
  })

  it('gets a human refusal from the market layer too: the average and the limit to 4 decimals', () => {
    const m = market()
    const fill = quote(m, 'buy', 40n * MICRO)
    const exact = Number(fill.moneyMicro) / Number(fill.sharesMicro)
    const refused = decide(afterOtherBuy(m, 30n), 'buy', 40n * MICRO, {
      kind: 'max_average_price',
      price: exact,
    })
    expect(isCurationError(refused, 'slippage_exceeded')).toBe(true)
    const message = (refused as Error).message
    expect(message).toMatch(
      /^The price moved: the average would be 0\.\d{4} credits per share, above your limit of 0\.\d{4}\.$/,
    )
    const [average, limit] = [...message.matchAll(/0\.\d{4}/g)].map((x) => x[0])
    expect(average).not.toBe(limit)
  })
})
