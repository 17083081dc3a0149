import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { isCurationError } from '../src/errors'
import {
  costToBuy,
  maxLossMicro,
  proceedsOfSell,
  sharesForSpend,
  MICRO,
  type MarketState,
  type Outcome,
} from '../src/market/lmsr'
import {
  planSettlement,
  planSettlements,
  resolveVerdict,
  type MarketBook,
  type PositionBook,
  type Resolution,
  type SettlementPlan,
} from '../src/settlement/payout'

/**
 * Books as the market layer makes them: an escrow that starts at b ln 2 and a random run of buys and sells by a
 * handful of accounts, priced by the same LMSR functions the trade service uses.
 */
const tradedBook = fc
  .record({
    b: fc.bigInt({ min: 1n * MICRO, max: 500n * MICRO }),
    trades: fc.array(
      fc.record({
        account: fc.integer({ min: 1, max: 6 }),
        outcome: fc.constantFrom<Outcome>('yes', 'no'),
        sell: fc.boolean(),
        amount: fc.bigInt({ min: 1n, max: 300n * MICRO }),
      }),
      { maxLength: 40 },
    ),
  })
  .map(({ b, trades }) => simulate(b, trades))

function simulate(
  b: bigint,
  trades: { account: number; outcome: Outcome; sell: boolean; amount: bigint }[],
): { book: MarketBook; state: MarketState } {
  let state: MarketState = { b, qYes: 0n, qNo: 0n }
  let escrow = maxLossMicro(b)
  const positions = new Map<number, PositionBook>()
  for (const t of trades) {
    const p = positions.get(t.account) ?? {
      accountId: t.account,
      yesSharesMicro: 0n,
      noSharesMicro: 0n,
      netSpendMicro: 0n,
    }
    const held = t.outcome === 'yes' ? p.yesSharesMicro : p.noSharesMicro
    if (t.sell) {
      const shares = held < t.amount ? held : t.amount
      if (shares === 0n) continue
      const proceeds = proceedsOfSell(state, t.outcome, shares)
      state =
        t.outcome === 'yes' ? { ...state, qYes: state.qYes - shares } : { ...state, qNo: state.qNo - shares }
      escrow -= proceeds
      positions.set(t.account, withShares(p, t.outcome, -shares, -proceeds))
    } else {
      const shares = sharesForSpend(state, t.outcome, t.amount)
      if (shares === 0n) continue
      const cost = costToBuy(state, t.outcome, shares)
      state =
        t.outcome === 'yes' ? { ...state, qYes: state.qYes + shares } : { ...state, qNo: state.qNo + shares }
      escrow += cost
      positions.set(t.account, withShares(p, t.outcome, shares, cost))
    }
  }
  return { book: { marketId: 1, escrowMicro: escrow, positions: [...positions.values()] }, state }
}

function withShares(p: PositionBook, outcome: Outcome, shares: bigint, money: bigint): PositionBook {
  return outcome === 'yes'
    ? { ...p, yesSharesMicro: p.yesSharesMicro + shares, netSpendMicro: p.netSpendMicro + money }
    : { ...p, noSharesMicro: p.noSharesMicro + shares, netSpendMicro: p.netSpendMicro + money }
}

/** Hand-made books: any escrow, any positions (the plan must conserve money whatever it is given). */
const arbitraryBook = fc
  .record({
    escrow: fc.bigInt({ min: 0n, max: 1_000n * MICRO }),
    positions: fc.uniqueArray(
      fc.record({
        accountId: fc.integer({ min: 1, max: 1_000 }),
        yesSharesMicro: fc.bigInt({ min: 0n, max: 500n * MICRO }),
        noSharesMicro: fc.bigInt({ min: 0n, max: 500n * MICRO }),
        netSpendMicro: fc.bigInt({ min: -500n * MICRO, max: 500n * MICRO }),
      }),
      { selector: (p) => p.accountId, maxLength: 30 },
    ),
  })
  .map(({ escrow, positions }): MarketBook => ({ marketId: 7, escrowMicro: escrow, positions }))

const balancesFor = (book: MarketBook, held: bigint[]) =>
  new Map(book.positions.map((p, i) => [p.accountId, held[i % Math.max(1, held.length)] ?? 0n]))

const balanceList = fc.array(fc.bigInt({ min: 0n, max: 1_000n * MICRO }), { minLength: 1, maxLength: 30 })

function expectConserved(book: MarketBook, plan: SettlementPlan, balances: ReadonlyMap<number, bigint>) {
  const signed = plan.positions.reduce((s, p) => s + p.paidMicro, 0n)
  // Conservation: the escrow ends empty; whatever it held went to curators or the treasury.
  expect(book.escrowMicro - signed - plan.remainderMicro).toBe(0n)
  expect(plan.escrowMicro + plan.clawedBackMicro).toBe(plan.paidMicro + plan.remainderMicro)
  expect(plan.remainderMicro).toBeGreaterThanOrEqual(0n)
  // Every account exactly once, and nobody paid beyond what it is owed nor charged beyond what it holds.
  expect(plan.positions.map((p) => p.accountId).sort((a, b) => a - b)).toEqual(
    book.positions.map((p) => p.accountId).sort((a, b) => a - b),
  )
  for (const p of plan.positions) {
    if (p.owedMicro >= 0n) {
      expect(p.paidMicro).toBeGreaterThanOrEqual(0n)
      expect(p.paidMicro).toBeLessThanOrEqual(p.owedMicro)
    } else {
      expect(p.paidMicro).toBeLessThanOrEqual(0n)
      expect(p.paidMicro).toBeGreaterThanOrEqual(p.owedMicro)
      expect(balances.get(p.accountId)! + p.paidMicro).toBeGreaterThanOrEqual(0n)
    }
  }
}

describe('settlement payouts (pure)', () => {
  it('a verdict pays each winning share one credit and returns the rest to the treasury', () => {
    fc.assert(
      fc.property(tradedBook, fc.constantFrom<Resolution>('yes', 'no'), ({ book, state }, outcome) => {
        const plan = planSettlement(book, outcome, new Map())
        expectConserved(book, plan, new Map())
        for (const p of plan.positions) {
          const pos = book.positions.find((x) => x.accountId === p.accountId)!
          expect(p.paidMicro).toBe(outcome === 'yes' ? pos.yesSharesMicro : pos.noSharesMicro)
        }
        expect(plan.paidMicro).toBe(outcome === 'yes' ? state.qYes : state.qNo)
        expect(plan.clawedBackMicro).toBe(0n)
      }),
    )
  })

  it('a void undoes the market: each net spend returned, exactly the subsidy back, when balances cover the profits', () => {
    fc.assert(
      fc.property(tradedBook, ({ book, state }) => {
        const rich = new Map(book.positions.map((p) => [p.accountId, 10n ** 15n]))
        const plan = planSettlement(book, 'void', rich)
        expectConserved(book, plan, rich)
        for (const p of plan.positions) expect(p.paidMicro).toBe(p.owedMicro)
        expect(plan.haircutMicro).toBe(0n)
        expect(plan.uncollectedMicro).toBe(0n)
        expect(plan.remainderMicro).toBe(maxLossMicro(state.b))
      }),
    )
  })

  it('conserves money on any book, any balances, any resolution', () => {
    fc.assert(
      fc.property(
        arbitraryBook,
        balanceList,
        fc.constantFrom<Resolution>('yes', 'no', 'void'),
        (book, held, resolution) => {
          const balances = balancesFor(book, held)
          let plan: SettlementPlan
          try {
            plan = planSettlement(book, resolution, balances)
          } catch (err) {
            // Only a verdict the escrow cannot cover is refused, and then nothing is planned at all.
            expect(isCurationError(err, 'settlement_invariant')).toBe(true)
            const winners = book.positions.reduce(
              (s, p) => s + (resolution === 'yes' ? p.yesSharesMicro : p.noSharesMicro),
              0n,
            )
            expect(resolution).not.toBe('void')
            expect(winners).toBeGreaterThan(book.escrowMicro)
            return
          }
          expectConserved(book, plan, balances)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('a void short of money cuts refunds pro rata, exactly, and the treasury takes nothing', () => {
    fc.assert(
      fc.property(arbitraryBook, balanceList, (book, held) => {
        const balances = balancesFor(book, held)
        const plan = planSettlement(book, 'void', balances)
        const owed = book.positions.reduce((s, p) => s + (p.netSpendMicro > 0n ? p.netSpendMicro : 0n), 0n)
        const available = book.escrowMicro + plan.clawedBackMicro
        fc.pre(available < owed)
        expect(plan.remainderMicro).toBe(0n)
        expect(plan.paidMicro).toBe(available)
        expect(plan.haircutMicro).toBe(owed - available)
        for (const p of plan.positions.filter((x) => x.owedMicro > 0n)) {
          // Within one micro-credit of the exact share.
          const exact = (p.owedMicro * available) / owed
          expect(p.paidMicro - exact).toBeGreaterThanOrEqual(0n)
          expect(p.paidMicro - exact).toBeLessThanOrEqual(1n)
        }
      }),
      { numRuns: 500 },
    )
  })

  it('claws back a profit only as far as the balance goes, and the subsidy absorbs the rest first', () => {
    const book: MarketBook = {
      marketId: 3,
      escrowMicro: 69_314_719n + 100n * MICRO - 150n * MICRO, // subsidy + (100 paid in) - (150 taken out)
      positions: [
        { accountId: 1, yesSharesMicro: 0n, noSharesMicro: 0n, netSpendMicro: -150n * MICRO },
        { accountId: 2, yesSharesMicro: 80n * MICRO, noSharesMicro: 0n, netSpendMicro: 100n * MICRO },
      ],
    }
    // The profit-taker holds 40 credits: 40 come back, 110 are uncollected; the subsidy (69.3) covers part of that.
    const plan = planSettlement(book, 'void', new Map([[1, 40n * MICRO]]))
    expect(plan.clawedBackMicro).toBe(40n * MICRO)
    expect(plan.uncollectedMicro).toBe(110n * MICRO)
    expect(plan.positions.find((p) => p.accountId === 1)!.paidMicro).toBe(-40n * MICRO)
    expect(plan.positions.find((p) => p.accountId === 2)!.paidMicro).toBe(59_314_719n)
    expect(plan.haircutMicro).toBe(100n * MICRO - 59_314_719n)
    expect(plan.remainderMicro).toBe(0n)
  })

  it('refuses a verdict the escrow cannot pay, and books with a duplicated account or negative shares', () => {
    const short: MarketBook = {
      marketId: 4,
      escrowMicro: 10n,
      positions: [{ accountId: 1, yesSharesMicro: 11n, noSharesMicro: 0n, netSpendMicro: 5n }],
    }
    expect(() => planSettlement(short, 'yes', new Map())).toThrow(/escrow holds 10/)
    expect(planSettlement(short, 'no', new Map()).remainderMicro).toBe(10n)
    const twice: MarketBook = { ...short, positions: [short.positions[0]!, short.positions[0]!] }
    expect(() => planSettlement(twice, 'void', new Map())).toThrow(/two positions/)
    const negative: MarketBook = {
      ...short,
      positions: [{ accountId: 1, yesSharesMicro: -1n, noSharesMicro: 0n, netSpendMicro: 0n }],
    }
    expect(() => planSettlement(negative, 'no', new Map())).toThrow(/negative shares/)
  })

  it('threads balances through a batch exactly as separate settlements would', () => {
    fc.assert(
      fc.property(fc.array(arbitraryBook, { maxLength: 6 }), balanceList, (books, held) => {
        const items = books.map((b, i) => ({
          book: { ...b, marketId: i + 1, escrowMicro: b.escrowMicro + 10n ** 12n },
          resolution: (['void', 'yes', 'no'] as const)[i % 3]!,
        }))
        const start = new Map<number, bigint>()
        for (const { book } of items)
          for (const p of book.positions) start.set(p.accountId, held[p.accountId % held.length]!)
        const batched = planSettlements(items, start)
        let running = new Map(start)
        items.forEach(({ book, resolution }, i) => {
          const one = planSettlement(book, resolution, running)
          expect(one).toEqual(batched.plans[i])
          running = new Map(running)
          for (const p of one.positions) running.set(p.accountId, running.get(p.accountId)! + p.paidMicro)
        })
        expect(batched.balances).toEqual(running)
        for (const v of batched.balances.values()) expect(v).toBeGreaterThanOrEqual(0n)
      }),
    )
  })

  it('maps verdicts to resolutions', () => {
    expect(resolveVerdict('yes')).toEqual({ resolution: 'yes', cause: 'verdict' })
    expect(resolveVerdict('no')).toEqual({ resolution: 'no', cause: 'verdict' })
    expect(resolveVerdict('void')).toEqual({ resolution: 'void', cause: 'no_quorum' })
    expect(resolveVerdict('unsampled')).toEqual({ resolution: 'void', cause: 'unsampled' })
  })
})
