import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  applyTrade,
  costFunctionMicro,
  costToBuy,
  maxLossMicro,
  price,
  proceedsOfSell,
  sharesForSpend,
  MICRO,
  type MarketState,
  type Outcome,
} from '../src/market/lmsr'

const outcome = fc.constantFrom<Outcome>('yes', 'no')
/** b from 1 to 10,000 credits; outstanding shares up to 50 b either side. */
const state = fc.bigInt({ min: 1n * MICRO, max: 10_000n * MICRO }).chain((b) =>
  fc.record({
    b: fc.constant(b),
    qYes: fc.bigInt({ min: 0n, max: 50n * b }),
    qNo: fc.bigInt({ min: 0n, max: 50n * b }),
  }),
)
const amount = fc.bigInt({ min: 1n, max: 100_000n * MICRO })

describe('LMSR market math', () => {
  it('prices are in (0,1) and sum to 1', () => {
    fc.assert(
      fc.property(state, (s) => {
        const y = price(s, 'yes')
        const n = price(s, 'no')
        expect(y).toBeGreaterThan(0)
        expect(y).toBeLessThan(1)
        expect(y + n).toBeCloseTo(1, 11)
      }),
    )
    expect(price({ b: 100n * MICRO, qYes: 0n, qNo: 0n }, 'yes')).toBe(0.5)
  })

  it('buying moves the price toward the outcome bought', () => {
    fc.assert(
      fc.property(state, outcome, amount, (s, o, spend) => {
        const shares = sharesForSpend(s, o, spend)
        fc.pre(shares > 0n)
        expect(price(applyTrade(s, o, shares), o)).toBeGreaterThanOrEqual(price(s, o))
      }),
    )
  })

  it('buying in two steps costs the same as in one, up to the rounding that favours the house', () => {
    fc.assert(
      fc.property(
        state,
        outcome,
        fc.bigInt({ min: 1n, max: 10_000n * MICRO }),
        fc.bigInt({ min: 1n, max: 10_000n * MICRO }),
        (s, o, a, b) => {
          const one = costToBuy(s, o, a + b)
          const two = costToBuy(s, o, a) + costToBuy(applyTrade(s, o, a), o, b)
          expect(two).toBeGreaterThanOrEqual(one - 1n)
          expect(two - one).toBeLessThanOrEqual(2n)
        },
      ),
    )
  })

  it("the market maker's loss never exceeds b ln 2, whatever trades happen", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n * MICRO, max: 1_000n * MICRO }),
        fc.array(fc.tuple(outcome, fc.bigInt({ min: 1n, max: 5_000n * MICRO })), { maxLength: 30 }),
        (b, trades) => {
          let s: MarketState = { b, qYes: 0n, qNo: 0n }
          let collected = 0n
          for (const [o, spend] of trades) {
            const shares = sharesForSpend(s, o, spend)
            collected += costToBuy(s, o, shares)
            s = applyTrade(s, o, shares)
          }
          const worstPayout = s.qYes > s.qNo ? s.qYes : s.qNo
          expect(collected - worstPayout).toBeGreaterThanOrEqual(-maxLossMicro(b))
        },
      ),
    )
  })

  it('buy-then-sell never profits', () => {
    fc.assert(
      fc.property(state, outcome, amount, (s, o, spend) => {
        const shares = sharesForSpend(s, o, spend)
        const back = proceedsOfSell(applyTrade(s, o, shares), o, shares)
        expect(back).toBeLessThanOrEqual(spend)
      }),
    )
  })

  it('rounding never favours the trader', () => {
    fc.assert(
      fc.property(state, outcome, amount, (s, o, x) => {
        const exactCost = costFunctionMicro(applyTrade(s, o, x)) - costFunctionMicro(s)
        // The float reference itself carries error (about 1e-16 of C(q)); the integer must clear it by that margin.
        const slack = 1e-15 * Math.abs(costFunctionMicro(s)) + 1e-9
        expect(Number(costToBuy(s, o, x))).toBeGreaterThanOrEqual(exactCost - slack)
        const shares = sharesForSpend(s, o, x)
        expect(costToBuy(s, o, shares)).toBeLessThanOrEqual(x)
        const held = applyTrade(s, o, x)
        const exactProceeds = costFunctionMicro(held) - costFunctionMicro(s)
        expect(Number(proceedsOfSell(held, o, x))).toBeLessThanOrEqual(
          exactProceeds + 1e-15 * Math.abs(costFunctionMicro(held)) + 1e-9,
        )
      }),
    )
  })

  it('matches hand-computed values at an even market', () => {
    const s: MarketState = { b: 100n * MICRO, qYes: 0n, qNo: 0n }
    // 100 ln((e^(1) + 1) / 2) = 62.0114506958... credits for 100 YES shares
    expect(costToBuy(s, 'yes', 100n * MICRO)).toBe(62_011_451n)
    expect(maxLossMicro(100n * MICRO)).toBe(69_314_719n)
    expect(sharesForSpend(s, 'yes', 62_011_451n)).toBeLessThanOrEqual(100n * MICRO)
    expect(sharesForSpend(s, 'yes', 62_011_451n)).toBeGreaterThan(100n * MICRO - 3n)
  })
})
