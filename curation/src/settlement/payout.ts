/**
 * What settling a market pays, takes back and returns to the treasury (MECHANISM.md "Settlement"; the void rule is
 * argued in ./README.md).
 *
 * - A verdict (yes / no): each winning micro-share pays one micro-credit from the escrow; what is left is the
 *   market maker's remainder and goes to the treasury. LMSR guarantees the escrow covers the winning side; if the
 *   books say otherwise, settlement refuses rather than pay a partial amount.
 * - Void (no quorum, or not sampled): the market is undone. Every position's net spend (spent - received) is
 *   returned: positive ones are refunded, negative ones (trading profits taken out of the escrow) are clawed back,
 *   up to what the account holds. If clawbacks fall short by more than the treasury's subsidy, the positive refunds
 *   are cut pro rata (largest remainder, so the cut is exact to the micro-credit).
 *
 * Conservation, for every market: escrow + clawed back == paid + remainder, every amount an integer, every account
 * exactly once. Pure: no I/O; balances for the clawbacks are passed in and returned updated.
 */
import { CurationError } from '../errors'

export type Resolution = 'yes' | 'no' | 'void'

export interface PositionBook {
  accountId: number
  yesSharesMicro: bigint
  noSharesMicro: bigint
  /** Spent minus received over the position's life; negative when the account sold for more than it paid. */
  netSpendMicro: bigint
}

export interface MarketBook {
  marketId: number
  /** The escrow's balance now. */
  escrowMicro: bigint
  positions: readonly PositionBook[]
}

export interface PositionPayout {
  accountId: number
  /** What the rule owes: winning shares (verdict) or the net spend (void; negative = a profit to give back). */
  owedMicro: bigint
  /** What moves: positive into the account, negative out of it. */
  paidMicro: bigint
}

export interface SettlementPlan {
  marketId: number
  resolution: Resolution
  escrowMicro: bigint
  positions: PositionPayout[]
  /** Sum of the positive `paidMicro`. */
  paidMicro: bigint
  /** Minus the sum of the negative `paidMicro`. */
  clawedBackMicro: bigint
  /** Profits owed back that the accounts' balances could not cover. */
  uncollectedMicro: bigint
  /** Refunds owed and not paid (void with a shortfall). */
  haircutMicro: bigint
  /** To the treasury. */
  remainderMicro: bigint
}

/**
 * Plans one market's settlement. `balances` are the accounts' balances before it (only read for void clawbacks);
 * accounts missing from it are treated as holding nothing.
 */
export function planSettlement(
  book: MarketBook,
  resolution: Resolution,
  balances: ReadonlyMap<number, bigint>,
): SettlementPlan {
  assertBook(book)
  return resolution === 'void' ? planVoid(book, balances) : planVerdict(book, resolution)
}

/**
 * Plans several markets in order, threading the balances through, so an account's refund in one market can cover
 * its clawback in a later one exactly as if each market settled in its own transaction. Returns the balances after.
 */
export function planSettlements(
  items: readonly { book: MarketBook; resolution: Resolution }[],
  balances: ReadonlyMap<number, bigint>,
): { plans: SettlementPlan[]; balances: Map<number, bigint> } {
  const running = new Map(balances)
  const plans = items.map(({ book, resolution }) => {
    const plan = planSettlement(book, resolution, running)
    for (const p of plan.positions) {
      if (p.paidMicro !== 0n) running.set(p.accountId, (running.get(p.accountId) ?? 0n) + p.paidMicro)
    }
    return plan
  })
  return { plans, balances: running }
}

function planVerdict(book: MarketBook, outcome: 'yes' | 'no'): SettlementPlan {
  const positions = book.positions.map((p) => {
    const owed = outcome === 'yes' ? p.yesSharesMicro : p.noSharesMicro
    return { accountId: p.accountId, owedMicro: owed, paidMicro: owed }
  })
  const paid = sum(positions.map((p) => p.paidMicro))
  if (paid > book.escrowMicro) {
    // LMSR's bound (escrow >= the larger side) failed: the books are wrong somewhere. Paying less than a share is
    // worth would hide it; refusing leaves the market for an operator to look at.
    throw new CurationError(
      'settlement_invariant',
      `Market ${book.marketId}: the escrow holds ${book.escrowMicro} but the winning shares are ${paid}.`,
    )
  }
  return {
    marketId: book.marketId,
    resolution: outcome,
    escrowMicro: book.escrowMicro,
    positions,
    paidMicro: paid,
    clawedBackMicro: 0n,
    uncollectedMicro: 0n,
    haircutMicro: 0n,
    remainderMicro: book.escrowMicro - paid,
  }
}

function planVoid(book: MarketBook, balances: ReadonlyMap<number, bigint>): SettlementPlan {
  // Clawbacks first: they add to what the escrow can refund.
  let clawed = 0n
  let uncollected = 0n
  const clawbacks = new Map<number, bigint>()
  for (const p of book.positions) {
    if (p.netSpendMicro >= 0n) continue
    const owedBack = -p.netSpendMicro
    const held = balances.get(p.accountId) ?? 0n
    const take = held <= 0n ? 0n : held < owedBack ? held : owedBack
    clawbacks.set(p.accountId, take)
    clawed += take
    uncollected += owedBack - take
  }
  const available = book.escrowMicro + clawed
  const owedRefunds = sum(book.positions.map((p) => (p.netSpendMicro > 0n ? p.netSpendMicro : 0n)))
  const refunds = available >= owedRefunds ? undefined : proRata(book.positions, available, owedRefunds)

  const positions = book.positions.map((p): PositionPayout => {
    if (p.netSpendMicro < 0n) {
      return { accountId: p.accountId, owedMicro: p.netSpendMicro, paidMicro: -clawbacks.get(p.accountId)! }
    }
    const paid = refunds ? (refunds.get(p.accountId) ?? 0n) : p.netSpendMicro
    return { accountId: p.accountId, owedMicro: p.netSpendMicro, paidMicro: paid }
  })
  const paid = sum(positions.map((p) => (p.paidMicro > 0n ? p.paidMicro : 0n)))
  return {
    marketId: book.marketId,
    resolution: 'void',
    escrowMicro: book.escrowMicro,
    positions,
    paidMicro: paid,
    clawedBackMicro: clawed,
    uncollectedMicro: uncollected,
    haircutMicro: owedRefunds - paid,
    remainderMicro: available - paid,
  }
}

/**
 * Splits `available` over the positive net spends in proportion to them, exactly: each gets the floor of its share,
 * and the micro-credits the floors left over go one each to the largest fractional parts (ties to the lower account
 * id). Nothing is left for the treasury while refunds are cut.
 */
function proRata(
  positions: readonly PositionBook[],
  available: bigint,
  owedTotal: bigint,
): Map<number, bigint> {
  const shares = positions
    .filter((p) => p.netSpendMicro > 0n)
    .map((p) => {
      const scaled = p.netSpendMicro * available
      return {
        accountId: p.accountId,
        floor: scaled / owedTotal,
        fraction: scaled % owedTotal,
      }
    })
  let left = available - sum(shares.map((s) => s.floor))
  const byFraction = [...shares].sort((a, b) =>
    a.fraction === b.fraction ? a.accountId - b.accountId : a.fraction > b.fraction ? -1 : 1,
  )
  const out = new Map(shares.map((s) => [s.accountId, s.floor]))
  for (const s of byFraction) {
    if (left === 0n) break
    out.set(s.accountId, s.floor + 1n)
    left -= 1n
  }
  return out
}

function assertBook(book: MarketBook): void {
  if (book.escrowMicro < 0n) {
    throw new CurationError('settlement_invariant', `Market ${book.marketId}: negative escrow.`)
  }
  const seen = new Set<number>()
  for (const p of book.positions) {
    if (seen.has(p.accountId)) {
      throw new CurationError(
        'settlement_invariant',
        `Market ${book.marketId}: account ${p.accountId} has two positions.`,
      )
    }
    seen.add(p.accountId)
    if (p.yesSharesMicro < 0n || p.noSharesMicro < 0n) {
      throw new CurationError(
        'settlement_invariant',
        `Market ${book.marketId}: account ${p.accountId} holds negative shares.`,
      )
    }
  }
}

function sum(values: readonly bigint[]): bigint {
  let total = 0n
  for (const v of values) total += v
  return total
}

/** The jury's word on a market, or the sample's silence. `yes` is an endorsement. */
export type Verdict = 'yes' | 'no' | 'void' | 'unsampled'
export type SettlementCause = 'verdict' | 'no_quorum' | 'unsampled'

/** A verdict settles on its outcome; no quorum and not sampled both void the market, recorded apart. */
export function resolveVerdict(verdict: Verdict): { resolution: Resolution; cause: SettlementCause } {
  switch (verdict) {
    case 'yes':
    case 'no':
      return { resolution: verdict, cause: 'verdict' }
    case 'void':
      return { resolution: 'void', cause: 'no_quorum' }
    case 'unsampled':
      return { resolution: 'void', cause: 'unsampled' }
  }
}

export function isVerdict(value: unknown): value is Verdict {
  return value === 'yes' || value === 'no' || value === 'void' || value === 'unsampled'
}
