/**
 * One market's book in memory, traded only through curation's pure `decideTrade` (the function the trade service
 * runs under its row locks), so every fill, refusal, rounding and cap here is the production one.
 */
import { CurationError } from '@curia/curation/errors'
import type { MarketState } from '@curia/curation/market/lmsr'
import {
  decideTrade,
  heldElsewhere,
  heldProceeds,
  type Fill,
  type MarketStatus,
  type MarketView,
  type TradeOrder,
  type TradeRules,
  type TraderView,
} from '@curia/curation/market/trade'
import type { RankableMarket } from '@curia/curation/ranking/market-rank'
import { escrowOf, type AccountId, type SimLedger } from './ledger'

export interface Position {
  yesSharesMicro: bigint
  noSharesMicro: bigint
  spentMicro: bigint
  receivedMicro: bigint
}

export interface Book {
  id: number
  postId: number
  createdAtMs: number
  closesAtMs: number
  status: MarketStatus
  state: MarketState
  /** Insertion order is first-trade order: the tie-break for the top trader, as account ids are in the database. */
  positions: Map<AccountId, Position>
  tradeCount: number
}

export type TradeResult = { kind: 'fill'; fill: Fill } | { kind: 'refused'; error: CurationError }

export function openBook(opts: {
  id: number
  postId: number
  createdAtMs: number
  closesAtMs: number
  liquidityMicro: bigint
}): Book {
  return {
    id: opts.id,
    postId: opts.postId,
    createdAtMs: opts.createdAtMs,
    closesAtMs: opts.closesAtMs,
    status: 'open',
    state: { qYes: 0n, qNo: 0n, b: opts.liquidityMicro },
    positions: new Map(),
    tradeCount: 0,
  }
}

export function viewOf(book: Book): MarketView {
  return { id: book.id, status: book.status, closesAtMs: book.closesAtMs, state: book.state }
}

/**
 * The account as `decideTrade` sees it in this book. `held` is the account's sale proceeds held in all its unsettled
 * books (`heldProceeds`, kept by `trade` and released by the caller at settlement), as the trade service reads it.
 */
export function traderOf(
  book: Book,
  account: AccountId,
  ledger: SimLedger,
  held: ReadonlyMap<AccountId, bigint> = new Map(),
): TraderView {
  const p = book.positions.get(account)
  const position = { spentMicro: p?.spentMicro ?? 0n, receivedMicro: p?.receivedMicro ?? 0n }
  return {
    balanceMicro: ledger.balance(account),
    yesSharesMicro: p?.yesSharesMicro ?? 0n,
    noSharesMicro: p?.noSharesMicro ?? 0n,
    ...position,
    heldElsewhereMicro: heldElsewhere(held.get(account) ?? 0n, position),
  }
}

/** Decides `order` with the production rules and, on a fill, moves the money and updates the book. */
export function trade(
  book: Book,
  account: AccountId,
  order: TradeOrder,
  rules: TradeRules,
  ledger: SimLedger,
  nowMs: number,
  held: Map<AccountId, bigint> = new Map(),
): TradeResult {
  let fill: Fill
  try {
    fill = decideTrade(viewOf(book), traderOf(book, account, ledger, held), order, rules, nowMs)
  } catch (err) {
    if (err instanceof CurationError) return { kind: 'refused', error: err }
    throw err
  }
  const buy = fill.side === 'buy'
  if (buy) ledger.move(account, escrowOf(book.id), fill.moneyMicro, 'trade')
  else ledger.move(escrowOf(book.id), account, fill.moneyMicro, 'trade')
  const before = book.positions.get(account)
  const after = {
    yesSharesMicro: fill.traderAfter.yesSharesMicro,
    noSharesMicro: fill.traderAfter.noSharesMicro,
    spentMicro: (before?.spentMicro ?? 0n) + (buy ? fill.moneyMicro : 0n),
    receivedMicro: (before?.receivedMicro ?? 0n) + (buy ? 0n : fill.moneyMicro),
  }
  book.positions.set(account, after)
  const heldChange = heldProceeds(after) - (before ? heldProceeds(before) : 0n)
  if (heldChange !== 0n) held.set(account, (held.get(account) ?? 0n) + heldChange)
  book.state = fill.stateAfter
  book.tradeCount++
  return { kind: 'fill', fill }
}

/** The account with the largest net position |yes - no|, ties to the earliest trader (rank-feed.ts's query). */
export function topTrader(book: Book): Position | undefined {
  let top: Position | undefined
  let topNet = -1n
  for (const p of book.positions.values()) {
    const d = p.yesSharesMicro - p.noSharesMicro
    const net = d < 0n ? -d : d
    if (net > topNet) {
      top = p
      topNet = net
    }
  }
  return top
}

export type LeaveOut = 'largest' | 'each-side' | 'winsorize'

/**
 * The largest net position's excess over the next largest on the same side: what the ranking ignores when the top
 * account is cut down to the runner-up's size instead of removed.
 */
export function excessOverRunnerUp(book: Book): Pick<Position, 'yesSharesMicro' | 'noSharesMicro'> {
  let first = 0n
  let second = 0n
  let firstSign = 0
  const nets = [...book.positions.values()].map((p) => p.yesSharesMicro - p.noSharesMicro)
  for (const d of nets) {
    const a = d < 0n ? -d : d
    if (a > first) first = a
  }
  const top = nets.find((d) => (d < 0n ? -d : d) === first) ?? 0n
  firstSign = top > 0n ? 1 : top < 0n ? -1 : 0
  let seenTop = false
  for (const d of nets) {
    if (!seenTop && d === top) {
      seenTop = true
      continue
    }
    if (firstSign > 0 && d > second) second = d
    if (firstSign < 0 && -d > second) second = -d
  }
  const excess = first - second
  return firstSign > 0
    ? { yesSharesMicro: excess, noSharesMicro: 0n }
    : { yesSharesMicro: 0n, noSharesMicro: firstSign < 0 ? excess : 0n }
}

/** The largest net-YES and the largest net-NO positions (either may be missing). */
export function topOnEachSide(book: Book): { yes?: Position; no?: Position } {
  let yes: Position | undefined
  let no: Position | undefined
  let yesNet = 0n
  let noNet = 0n
  for (const p of book.positions.values()) {
    const d = p.yesSharesMicro - p.noSharesMicro
    if (d > yesNet) {
      yes = p
      yesNet = d
    } else if (-d > noNet) {
      no = p
      noNet = -d
    }
  }
  return { yes, no }
}

/**
 * What the ranking service reads for a market (rank-feed.ts), from the book. With `leaveOut: 'each-side'` the
 * "top" handed to the production `robustPrice` is the sum of the largest net-YES and net-NO positions, so the same
 * function leaves both out.
 */
export function toRankable(book: Book, leaveOut: LeaveOut = 'largest'): RankableMarket {
  const none = { yesMicro: 0n, noMicro: 0n }
  const asPosition = (p: Pick<Position, 'yesSharesMicro' | 'noSharesMicro'> | undefined) =>
    p ? { yesMicro: p.yesSharesMicro, noMicro: p.noSharesMicro } : none
  let topLong = none
  let topShort = none
  if (leaveOut === 'largest') topLong = asPosition(topTrader(book))
  else if (leaveOut === 'winsorize') topLong = asPosition(excessOverRunnerUp(book))
  else {
    const { yes, no } = topOnEachSide(book)
    topLong = asPosition(yes)
    topShort = asPosition(no)
  }
  return {
    postId: book.postId,
    createdAtMs: book.createdAtMs,
    qYesMicro: book.state.qYes,
    qNoMicro: book.state.qNo,
    liquidityMicro: book.state.b,
    traderCount: book.positions.size,
    tradeCount: book.tradeCount,
    topLong,
    topShort,
  }
}
