import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { CurationError, isCurationError, type CurationErrorCode } from '../src/errors'
import { creditsToMicro, formatMicro, parseAmountMicro, parseCreditsToMicro } from '../src/market/amount'
import { costToBuy, maxLossMicro, price, sharesForSpend, MICRO, type Outcome } from '../src/market/lmsr'
import { planMarketOpening } from '../src/market/opening'
import { DEFAULT_LEDGER_PARAMS, DEFAULT_MARKET_PARAMS, parseMarketParams } from '../src/market/params'
import {
  decideBatch,
  decideTrade,
  heldProceeds,
  limitForQuote,
  orderFingerprint,
  positionKey,
  quoteTrade,
  validateOrder,
  type BatchOrder,
  type MarketView,
  type PositionView,
  type TradeOrder,
  type TradeRules,
  type TraderView,
} from '../src/market/trade'

const B = 100n * MICRO
const rules: TradeRules = { positionCapMicro: 300n * MICRO, maxAmountMicro: 1_000_000n * MICRO }
const NOW = 1_000_000
const openMarket = (qYes = 0n, qNo = 0n): MarketView => ({
  id: 1,
  status: 'open',
  closesAtMs: NOW + 1,
  state: { b: B, qYes, qNo },
})
const rich: TraderView = { balanceMicro: 1_000n * MICRO, yesSharesMicro: 0n, noSharesMicro: 0n }
const order = (o: Partial<TradeOrder> = {}): TradeOrder => ({
  marketId: 1,
  side: 'buy',
  outcome: 'yes',
  amountMicro: 10n * MICRO,
  limit: { kind: 'max_average_price', price: 1 },
  ...o,
})

function refusal(fn: () => unknown): CurationErrorCode | 'none' {
  try {
    fn()
    return 'none'
  } catch (err) {
    if (err instanceof CurationError) return err.code
    throw err
  }
}

describe('amounts', () => {
  it('accepts integers in micro units as bigint, safe number or digit string', () => {
    expect(parseAmountMicro(5n, 'amount', 10n)).toBe(5n)
    expect(parseAmountMicro(7, 'amount', 10n)).toBe(7n)
    expect(parseAmountMicro(' 9 ', 'amount', 10n)).toBe(9n)
  })

  it('refuses zero, negative, fractional, non-numeric and absurd amounts with bad_amount', () => {
    const bad: unknown[] = [
      0n,
      0,
      '0',
      -1n,
      -1,
      '-1',
      1.5,
      '1.5',
      NaN,
      Infinity,
      -Infinity,
      '',
      ' ',
      'abc',
      '1e6',
      '0x10',
      '١٢',
      null,
      undefined,
      {},
      [],
      true,
      2 ** 53,
      '9'.repeat(40),
      11n,
    ]
    for (const value of bad)
      expect(
        refusal(() => parseAmountMicro(value, 'amount', 10n)),
        String(value),
      ).toBe('bad_amount')
  })

  it('parses credits with up to six decimals and formats them back', () => {
    expect(parseCreditsToMicro('12.5', 'amount', 10n ** 15n)).toBe(12_500_000n)
    expect(parseCreditsToMicro('0.000001', 'amount', 10n ** 15n)).toBe(1n)
    expect(parseCreditsToMicro('3', 'amount', 10n ** 15n)).toBe(3n * MICRO)
    // A decimal comma, as a phone's decimal keyboard types it in much of the world, reads as a point.
    expect(parseCreditsToMicro('12,5', 'amount', 10n ** 15n)).toBe(12_500_000n)
    expect(parseCreditsToMicro(' 0,000001 ', 'amount', 10n ** 15n)).toBe(1n)
    expect(parseCreditsToMicro('1000,25', 'amount', 10n ** 15n)).toBe(1_000_250_000n)
    // "1,000" is a thousand or one depending on who typed it: refused, saying both readings.
    expect(() => parseCreditsToMicro('1,000', 'amount', 10n ** 15n)).toThrow(/1000 or 1\.000/)
    for (const text of [
      '0',
      '0.0000001',
      '0,0000001',
      '1.',
      '1,',
      '.5',
      ',5',
      '-1',
      '1e3',
      '1,000',
      '12,500',
      '1,000.5',
      '1.000,5',
      '1,000,000',
      '1,2,3',
      'ten',
      '',
    ] as const) {
      expect(
        refusal(() => parseCreditsToMicro(text, 'amount', 10n ** 15n)),
        text,
      ).toBe('bad_amount')
    }
    expect(creditsToMicro('0', 'fee')).toBe(0n)
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 18n }), (micro) => {
        expect(parseCreditsToMicro(formatMicro(micro), 'amount', 10n ** 18n)).toBe(micro)
      }),
    )
    expect(formatMicro(-1_500_000n)).toBe('-1.5')
  })
})

describe('validateOrder', () => {
  const input = {
    marketId: 1,
    side: 'buy',
    outcome: 'yes',
    amountMicro: '5000000',
    limit: { kind: 'min_shares', sharesMicro: 0n },
  }

  it('turns a well-formed request into an order', () => {
    expect(validateOrder(input, rules)).toEqual({
      marketId: 1,
      side: 'buy',
      outcome: 'yes',
      amountMicro: 5_000_000n,
      limit: { kind: 'min_shares', sharesMicro: 0n },
    })
  })

  it('refuses malformed requests with a code', () => {
    const cases: [Record<string, unknown>, CurationErrorCode][] = [
      [{ marketId: 0 }, 'unknown_market'],
      [{ marketId: 1.5 }, 'unknown_market'],
      [{ marketId: '1' }, 'unknown_market'],
      [{ side: 'short' }, 'bad_request'],
      [{ outcome: 'YES' }, 'bad_request'],
      [{ amountMicro: 0 }, 'bad_amount'],
      [{ limit: undefined }, 'bad_request'],
      [{ limit: { kind: 'min_proceeds', proceedsMicro: 1n } }, 'bad_request'],
      [{ limit: { kind: 'max_average_price', price: 0 } }, 'bad_amount'],
      [{ limit: { kind: 'max_average_price', price: NaN } }, 'bad_amount'],
      [{ limit: { kind: 'max_average_price', price: '0.5' } }, 'bad_amount'],
      [{ side: 'sell', limit: { kind: 'max_average_price', price: 0.5 } }, 'bad_request'],
      [{ side: 'sell', limit: { kind: 'min_proceeds', proceedsMicro: -1 } }, 'bad_amount'],
    ]
    for (const [over, code] of cases) {
      expect(
        refusal(() => validateOrder({ ...input, ...over }, rules)),
        JSON.stringify(over, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
      ).toBe(code)
    }
  })

  it('fingerprints the body: equal orders match, any difference does not', () => {
    const a = validateOrder(input, rules)
    expect(orderFingerprint(a)).toBe(
      orderFingerprint(validateOrder({ ...input, amountMicro: 5_000_000n }, rules)),
    )
    const others = [
      { ...a, marketId: 2 },
      { ...a, outcome: 'no' as const },
      { ...a, amountMicro: 5_000_001n },
      { ...a, limit: { kind: 'min_shares' as const, sharesMicro: 1n } },
      { ...a, limit: { kind: 'max_average_price' as const, price: 0.5 } },
    ]
    for (const o of others) expect(orderFingerprint(o)).not.toBe(orderFingerprint(a))
  })
})

describe('decideTrade', () => {
  it('refuses on a closed, settled or void market, and at the close time', () => {
    expect(refusal(() => decideTrade({ ...openMarket(), status: 'closed' }, rich, order(), rules, NOW))).toBe(
      'market_closed',
    )
    expect(refusal(() => decideTrade({ ...openMarket(), status: 'void' }, rich, order(), rules, NOW))).toBe(
      'market_closed',
    )
    expect(refusal(() => decideTrade(openMarket(), rich, order(), rules, NOW + 1))).toBe('market_closed')
    expect(refusal(() => decideTrade(openMarket(), rich, order(), rules, NOW))).toBe('none')
  })

  it('refuses a buy beyond the balance, past the cap, or worse than its limit', () => {
    const poor = { ...rich, balanceMicro: 9n * MICRO }
    expect(refusal(() => decideTrade(openMarket(), poor, order(), rules, NOW))).toBe('insufficient_balance')
    const capped = { ...rules, positionCapMicro: 5n * MICRO }
    expect(refusal(() => decideTrade(openMarket(), rich, order(), capped, NOW))).toBe('position_cap')
    // The cap is per outcome: NO shares held do not count against YES.
    const holdsNo = { ...rich, noSharesMicro: 300n * MICRO }
    expect(refusal(() => decideTrade(openMarket(), holdsNo, order(), rules, NOW))).toBe('none')
    expect(
      refusal(() =>
        decideTrade(
          openMarket(),
          rich,
          order({ limit: { kind: 'max_average_price', price: 0.5 } }),
          rules,
          NOW,
        ),
      ),
    ).toBe('slippage_exceeded')
    expect(
      refusal(() =>
        decideTrade(
          openMarket(),
          rich,
          order({ limit: { kind: 'min_shares', sharesMicro: 20n * MICRO } }),
          rules,
          NOW,
        ),
      ),
    ).toBe('slippage_exceeded')
  })

  it('fills exactly at the quoted bound', () => {
    const state = openMarket().state
    const shares = sharesForSpend(state, 'yes', 10n * MICRO)
    const cost = costToBuy(state, 'yes', shares)
    const avg = Number(cost) / Number(shares)
    const fill = decideTrade(
      openMarket(),
      rich,
      order({ limit: { kind: 'max_average_price', price: avg } }),
      rules,
      NOW,
    )
    expect(fill).toMatchObject({ sharesMicro: shares, moneyMicro: cost })
    expect(
      decideTrade(
        openMarket(),
        rich,
        order({ limit: { kind: 'min_shares', sharesMicro: shares } }),
        rules,
        NOW,
      ).sharesMicro,
    ).toBe(shares)
  })

  it('property: a quote is honoured on the state it was made on, and never filled worse after the price moves', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 300n * MICRO }),
        fc.bigInt({ min: 0n, max: 300n * MICRO }),
        fc.constantFrom<Outcome>('yes', 'no'),
        fc.bigInt({ min: 10n, max: 500n * MICRO }),
        fc.bigInt({ min: -200n * MICRO, max: 200n * MICRO }),
        (qYes, qNo, outcome, spend, move) => {
          const wallet = { ...rich, balanceMicro: 10_000n * MICRO }
          const noCap = { ...rules, positionCapMicro: 10n ** 15n }
          const quoted = decideTrade(
            openMarket(qYes, qNo),
            wallet,
            order({ outcome, amountMicro: spend }),
            noCap,
            NOW,
          )
          const avg = Number(quoted.moneyMicro) / Number(quoted.sharesMicro)
          const limits = [
            { kind: 'max_average_price' as const, price: Math.min(1, avg) },
            { kind: 'min_shares' as const, sharesMicro: quoted.sharesMicro },
          ]
          for (const limit of limits) {
            expect(
              decideTrade(
                openMarket(qYes, qNo),
                wallet,
                order({ outcome, amountMicro: spend, limit }),
                noCap,
                NOW,
              ),
            ).toEqual(quoted)
            // Someone else trades first: the order fills no worse than the quote, or is refused.
            const moved = openMarket(qYes + (move > 0n ? move : 0n), qNo + (move < 0n ? -move : 0n))
            let fill
            try {
              fill = decideTrade(moved, wallet, order({ outcome, amountMicro: spend, limit }), noCap, NOW)
            } catch (err) {
              expect(isCurationError(err, 'slippage_exceeded')).toBe(true)
              continue
            }
            if (limit.kind === 'min_shares')
              expect(fill.sharesMicro).toBeGreaterThanOrEqual(quoted.sharesMicro)
            else
              expect(Number(fill.moneyMicro) / Number(fill.sharesMicro)).toBeLessThanOrEqual(
                avg * (1 + 1e-14),
              )
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('quotes without a bound, and turns a quote into the bound to send', () => {
    const base = { marketId: 1, side: 'buy' as const, outcome: 'yes' as const, amountMicro: 10n * MICRO }
    const quote = quoteTrade(openMarket(), rich, base, rules, NOW)
    const exact = limitForQuote(quote, 0)
    expect(decideTrade(openMarket(), rich, { ...base, limit: exact }, rules, NOW)).toEqual(quote)
    // After a move against the buyer, 0% refuses and 5% still fills.
    const moved = openMarket(5n * MICRO)
    expect(refusal(() => decideTrade(moved, rich, { ...base, limit: exact }, rules, NOW))).toBe(
      'slippage_exceeded',
    )
    expect(
      refusal(() => decideTrade(moved, rich, { ...base, limit: limitForQuote(quote, 0.05) }, rules, NOW)),
    ).toBe('none')
    const holder = { ...rich, yesSharesMicro: 10n * MICRO }
    const sell = { ...base, side: 'sell' as const, amountMicro: 10n * MICRO }
    const sq = quoteTrade(openMarket(10n * MICRO), holder, sell, rules, NOW)
    expect(limitForQuote(sq, 0)).toEqual({ kind: 'min_proceeds', proceedsMicro: sq.moneyMicro })
    expect(limitForQuote(sq, 0.1)).toEqual({
      kind: 'min_proceeds',
      proceedsMicro: BigInt(Math.floor(Number(sq.moneyMicro) * 0.9)),
    })
    expect(limitForQuote({ side: 'buy', sharesMicro: 10n, moneyMicro: 10n }, 0.5)).toEqual({
      kind: 'max_average_price',
      price: 1,
    })
  })

  it('sells only what is held', () => {
    const holder = { ...rich, yesSharesMicro: 5n * MICRO }
    const sell = order({
      side: 'sell',
      amountMicro: 6n * MICRO,
      limit: { kind: 'min_proceeds', proceedsMicro: 0n },
    })
    expect(refusal(() => decideTrade(openMarket(5n * MICRO), holder, sell, rules, NOW))).toBe(
      'insufficient_balance',
    )
    const fill = decideTrade(openMarket(5n * MICRO), holder, { ...sell, amountMicro: 5n * MICRO }, rules, NOW)
    expect(fill.traderAfter.yesSharesMicro).toBe(0n)
    expect(fill.stateAfter.qYes).toBe(0n)
    expect(fill.traderAfter.balanceMicro).toBe(rich.balanceMicro + fill.moneyMicro)
  })

  it('property: a buy never charges more than offered, and moves the price toward the outcome bought', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 500n * MICRO }),
        fc.bigInt({ min: 0n, max: 500n * MICRO }),
        fc.constantFrom<Outcome>('yes', 'no'),
        fc.bigInt({ min: 1n, max: 1_000n * MICRO }),
        (qYes, qNo, outcome, spend) => {
          let fill
          try {
            fill = decideTrade(
              openMarket(qYes, qNo),
              { ...rich, balanceMicro: 10_000n * MICRO },
              order({ outcome, amountMicro: spend }),
              { ...rules, positionCapMicro: 10n ** 15n },
              NOW,
            )
          } catch (err) {
            expect(isCurationError(err, 'bad_amount')).toBe(true)
            return
          }
          expect(fill.moneyMicro).toBeGreaterThan(0n)
          expect(fill.moneyMicro).toBeLessThanOrEqual(spend)
          expect(fill.sharesMicro).toBeGreaterThan(0n)
          expect(price(fill.stateAfter, outcome)).toBeGreaterThanOrEqual(
            price(openMarket(qYes, qNo).state, outcome),
          )
        },
      ),
    )
  })
})

describe('decideBatch', () => {
  const traders = ['did:plc:a', 'did:plc:b', 'did:plc:c']
  type Step = {
    trader: string
    market: number
    side: 'buy' | 'sell'
    outcome: Outcome
    amount: bigint
    key: number
  }
  const step: fc.Arbitrary<Step> = fc.record({
    trader: fc.constantFrom(...traders),
    market: fc.constantFrom(1, 2),
    side: fc.constantFrom<'buy' | 'sell'>('buy', 'buy', 'sell'),
    outcome: fc.constantFrom<Outcome>('yes', 'no'),
    amount: fc.bigInt({ min: 1n, max: 120n * MICRO }),
    key: fc.integer({ min: 0, max: 40 }),
  })

  function snapshot() {
    const markets = new Map<number, MarketView>([
      [1, openMarket()],
      [2, { ...openMarket(), id: 2, state: { b: 50n * MICRO, qYes: 0n, qNo: 0n } }],
    ])
    const balances = new Map(traders.map((t) => [t, 400n * MICRO]))
    return { markets, balances, positions: new Map<string, PositionView>(), prior: new Map() }
  }

  function toOrders(steps: Step[]): BatchOrder[] {
    return steps.map((s) => ({
      did: s.trader,
      idempotencyKey: `k${s.key}`,
      nowMs: NOW,
      order: order({
        marketId: s.market,
        side: s.side,
        outcome: s.outcome,
        amountMicro: s.amount,
        limit:
          s.side === 'buy'
            ? { kind: 'max_average_price', price: 1 }
            : { kind: 'min_proceeds', proceedsMicro: 0n },
      }),
    }))
  }

  it('property: equals deciding each order alone in sequence, conserves money, keeps each escrow solvent, and never lets a balance fall below the proceeds it holds', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const snap = snapshot()
        const orders = toOrders(steps)
        const out = decideBatch(snap, orders, rules)

        // Replay one by one with decideTrade, tracking state by hand.
        const markets = new Map([...snap.markets].map(([id, m]) => [id, m.state]))
        const balances = new Map(snap.balances)
        const holdings = new Map<string, { yes: bigint; no: bigint; spent: bigint; received: bigint }>()
        // Proceeds held by a trader in every market but `marketId`, from the hand-kept positions.
        const heldElsewhere = (did: string, marketId: number) =>
          [...holdings]
            .filter(([key]) => key.endsWith(` ${did}`) && key !== positionKey(marketId, did))
            .reduce(
              (sum, [, h]) => sum + heldProceeds({ spentMicro: h.spent, receivedMicro: h.received }),
              0n,
            )
        const seen = new Map<string, string>()
        orders.forEach((o, i) => {
          const d = out.decisions[i]!
          const k = `${o.did}\n${o.idempotencyKey}`
          const fp = orderFingerprint(o.order)
          if (seen.has(k)) {
            expect(d.kind).toBe(seen.get(k) === fp ? 'same_as' : 'refused')
            return
          }
          const h = holdings.get(positionKey(o.order.marketId, o.did)) ?? {
            yes: 0n,
            no: 0n,
            spent: 0n,
            received: 0n,
          }
          const view = { ...snap.markets.get(o.order.marketId)!, state: markets.get(o.order.marketId)! }
          const trader = {
            balanceMicro: balances.get(o.did)!,
            yesSharesMicro: h.yes,
            noSharesMicro: h.no,
            spentMicro: h.spent,
            receivedMicro: h.received,
            heldElsewhereMicro: heldElsewhere(o.did, o.order.marketId),
          }
          let fill
          try {
            fill = decideTrade(view, trader, o.order, rules, NOW)
          } catch (err) {
            expect(d).toEqual({ kind: 'refused', error: err })
            return
          }
          expect(d.kind).toBe('fill')
          expect(d.kind === 'fill' && d.fill).toEqual(fill)
          seen.set(k, fp)
          markets.set(o.order.marketId, fill.stateAfter)
          balances.set(o.did, fill.traderAfter.balanceMicro)
          holdings.set(positionKey(o.order.marketId, o.did), {
            yes: fill.traderAfter.yesSharesMicro,
            no: fill.traderAfter.noSharesMicro,
            spent: fill.traderAfter.spentMicro!,
            received: fill.traderAfter.receivedMicro!,
          })
          // What a void would claw back is always in the balance.
          expect(fill.traderAfter.balanceMicro).toBeGreaterThanOrEqual(
            heldElsewhere(o.did, o.order.marketId) + heldProceeds(fill.traderAfter),
          )
        })

        let traderSum = 0n
        for (const [did, delta] of out.balanceDeltas) {
          expect(snap.balances.get(did)! + delta).toBe(balances.get(did))
          expect(snap.balances.get(did)! + delta).toBeGreaterThanOrEqual(0n)
          traderSum += delta
        }
        let escrowSum = 0n
        for (const [id, effect] of out.markets) {
          expect(effect.stateAfter).toEqual(markets.get(id))
          escrowSum += effect.escrowDeltaMicro
          // The LMSR bound: subsidy + what traders paid in covers the larger side in full.
          const escrow = maxLossMicro(snap.markets.get(id)!.state.b) + effect.escrowDeltaMicro
          expect(escrow).toBeGreaterThanOrEqual(
            effect.stateAfter.qYes > effect.stateAfter.qNo ? effect.stateAfter.qYes : effect.stateAfter.qNo,
          )
          let yes = 0n
          let no = 0n
          for (const [key, p] of out.positions) {
            if (!key.startsWith(`${id} `)) continue
            yes += p.yesSharesMicro
            no += p.noSharesMicro
          }
          expect([yes, no]).toEqual([effect.stateAfter.qYes, effect.stateAfter.qNo])
        }
        expect(traderSum + escrowSum).toBe(0n)
      }),
      { numRuns: 300 },
    )
  })

  it('holds a profit taken out of a market until it settles: not for buying elsewhere, but for buying there', () => {
    // Market 1: spent 20, received 50, so 30 is held; the balance is 100.
    const position = {
      yesSharesMicro: 0n,
      noSharesMicro: 0n,
      spentMicro: 20n * MICRO,
      receivedMicro: 50n * MICRO,
    }
    const snap = (held: bigint | undefined) => ({
      ...snapshot(),
      balances: new Map([['did:plc:a', 100n * MICRO]]),
      positions: new Map([[positionKey(1, 'did:plc:a'), position]]),
      ...(held === undefined ? {} : { held: new Map([['did:plc:a', held]]) }),
    })
    const buy = (marketId: number, credits: bigint): BatchOrder => ({
      did: 'did:plc:a',
      idempotencyKey: `k${marketId}-${credits}`,
      nowMs: NOW,
      order: order({
        marketId,
        amountMicro: credits * MICRO,
        limit: { kind: 'max_average_price', price: 1 },
      }),
    })
    const [tooMuch, enough, there] = decideBatch(
      snap(30n * MICRO),
      [buy(2, 71n), buy(2, 70n), buy(1, 30n)],
      rules,
    ).decisions
    expect(tooMuch).toMatchObject({ kind: 'refused', error: { code: 'insufficient_balance' } })
    expect(tooMuch!.kind === 'refused' && tooMuch!.error.message).toBe(
      'You have 100 credits, 30 of them sale proceeds held until their markets settle; you can spend 70 here, and this buy needs 71.',
    )
    expect(enough).toMatchObject({ kind: 'fill' })
    // After the 70 elsewhere, 30 are left, all held for market 1, where buying spends them (nothing is held after).
    expect(there).toMatchObject({ kind: 'fill' })
    // Once market 1 is settled nothing is held, and the whole balance buys anywhere.
    expect(decideBatch(snap(undefined), [buy(2, 100n)], rules).decisions[0]).toMatchObject({ kind: 'fill' })
    expect(heldProceeds(position)).toBe(30n * MICRO)
    expect(heldProceeds({ spentMicro: 50n, receivedMicro: 20n })).toBe(0n)
  })

  it('replays a stored trade under the same key and body, refuses another body, and refuses unknown markets', () => {
    const snap = snapshot()
    const stored = order({ amountMicro: 7n * MICRO })
    const prior = new Map([[`did:plc:a\nk1`, { fingerprint: orderFingerprint(stored), receipt: 'R1' }]])
    const out = decideBatch(
      { ...snap, prior },
      [
        { did: 'did:plc:a', idempotencyKey: 'k1', nowMs: NOW, order: stored },
        { did: 'did:plc:a', idempotencyKey: 'k1', nowMs: NOW, order: order({ amountMicro: 8n * MICRO }) },
        { did: 'did:plc:b', idempotencyKey: 'k1', nowMs: NOW, order: stored },
        { did: 'did:plc:b', idempotencyKey: 'k2', nowMs: NOW, order: order({ marketId: 99 }) },
      ],
      rules,
    )
    expect(out.decisions.map((d) => d.kind)).toEqual(['replay', 'refused', 'fill', 'refused'])
    expect(out.decisions[0]).toEqual({ kind: 'replay', receipt: 'R1' })
    expect(out.decisions[1]!.kind === 'refused' && out.decisions[1]!.error.code).toBe('idempotency_conflict')
    expect(out.decisions[3]!.kind === 'refused' && out.decisions[3]!.error.code).toBe('unknown_market')
    expect(out.markets.get(1)).toMatchObject({ trades: 1, newTraders: 1 })
  })
})

describe('market opening', () => {
  const params = { liquidityMicro: B, windowMs: 48 * 3_600_000, openFeeMicro: 5n * MICRO }
  it('closes the window after the post, escrows b ln 2, and charges curators the fee', () => {
    const plan = planMarketOpening({
      postCreatedAtMs: NOW - 3_600_000,
      openedByCurator: true,
      nowMs: NOW,
      params,
    })
    expect(plan).toEqual({
      liquidityMicro: B,
      subsidyMicro: maxLossMicro(B),
      feeMicro: 5n * MICRO,
      closesAtMs: NOW - 3_600_000 + params.windowMs,
    })
    expect(plan.subsidyMicro).toBe(69_314_719n) // 100 ln 2 credits, rounded up
    expect(
      planMarketOpening({ postCreatedAtMs: undefined, openedByCurator: false, nowMs: NOW, params }),
    ).toMatchObject({
      feeMicro: 0n,
      closesAtMs: NOW + params.windowMs,
    })
    // A creation time in the future counts as now.
    expect(
      planMarketOpening({
        postCreatedAtMs: NOW + 10 * params.windowMs,
        openedByCurator: false,
        nowMs: NOW,
        params,
      }).closesAtMs,
    ).toBe(NOW + params.windowMs)
    expect(
      refusal(() =>
        planMarketOpening({
          postCreatedAtMs: NOW - params.windowMs,
          openedByCurator: false,
          nowMs: NOW,
          params,
        }),
      ),
    ).toBe('market_closed')
  })
})

describe('parseMarketParams', () => {
  it('has working defaults and reads credits with decimals', () => {
    expect(parseMarketParams({})).toEqual({ market: DEFAULT_MARKET_PARAMS, ledger: DEFAULT_LEDGER_PARAMS })
    const p = parseMarketParams({
      CURIA_MARKET_LIQUIDITY_CREDITS: '250.5',
      CURIA_MARKET_WINDOW_HOURS: '24',
      CURIA_MARKET_OPEN_FEE_CREDITS: '0',
      CURIA_STARTING_GRANT_CREDITS: '50',
    })
    expect(p.market).toMatchObject({
      liquidityMicro: 250_500_000n,
      windowMs: 24 * 3_600_000,
      openFeeMicro: 0n,
    })
    expect(p.ledger.startingGrantMicro).toBe(50n * MICRO)
    expect(() => parseMarketParams({ CURIA_MARKET_LIQUIDITY_CREDITS: '0' })).toThrow()
    expect(() => parseMarketParams({ CURIA_MARKET_POSITION_CAP_SHARES: 'lots' })).toThrow()
  })
})
