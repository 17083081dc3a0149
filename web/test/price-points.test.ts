import { describe, expect, it } from 'vitest'
import { pricePoints } from '../server/queries/market'

const market = { openedAt: '2026-03-01T10:00:00.000Z', yesPrice: 0.7 }
const trade = (minute: number, before: number, after: number) => ({
  createdAt: new Date(Date.parse(market.openedAt) + minute * 60_000).toISOString(),
  yesPriceBefore: before,
  yesPriceAfter: after,
})

describe('pricePoints', () => {
  it('starts at the opening with the first trade’s price before, then steps through each trade', () => {
    const points = pricePoints(market, [trade(5, 0.5, 0.6), trade(9, 0.6, 0.7)])
    expect(points).toEqual([
      { atMs: Date.parse(market.openedAt), yesPrice: 0.5 },
      { atMs: Date.parse(market.openedAt) + 5 * 60_000, yesPrice: 0.6 },
      { atMs: Date.parse(market.openedAt) + 9 * 60_000, yesPrice: 0.7 },
    ])
  })

  it('draws an untraded market flat at its price', () => {
    expect(pricePoints(market, [])).toEqual([{ atMs: Date.parse(market.openedAt), yesPrice: 0.7 }])
  })

  it('starts a chart of only the latest trades at the first of them, not at the opening', () => {
    const points = pricePoints(market, [trade(60, 0.62, 0.66), trade(61, 0.66, 0.7)], { fromOpening: false })
    expect(points[0]).toEqual({ atMs: Date.parse(market.openedAt) + 60 * 60_000, yesPrice: 0.62 })
    expect(points.at(-1)!.yesPrice).toBe(0.7)
  })
})
