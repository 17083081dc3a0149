/**
 * Deciding trades: given a market's state, a trader's balance and position, and a request, either the fill (shares,
 * money, prices before and after, every state after) or a refusal with a code. The service calls exactly this under
 * its row locks, with what it just read, so a quote a client computed with the same functions is honoured or refused,
 * never silently worse (MECHANISM.md "Market layer").
 *
 * Pure: no I/O, no clock (`nowMs` is an argument), no randomness.
 */
import { CurationError } from '../errors'
import { formatMicro, parseAmountMicro, parseNonNegativeMicro } from './amount'
import {
  applyTrade,
  costToBuy,
  price,
  proceedsOfSell,
  sharesForSpend,
  type MarketState,
  type Outcome,
} from './lmsr'

export type TradeSide = 'buy' | 'sell'
export type MarketStatus = 'open' | 'closed' | 'settled' | 'void'

/**
 * The worst fill the trader accepts. A buy names the most it will pay per share on average (in credits per share,
 * i.e. a probability in (0, 1]) or the fewest micro-shares its spend must buy; a sell names the fewest micro-credits
 * it must receive.
 */
export type TradeLimit =
  | { kind: 'max_average_price'; price: number }
  | { kind: 'min_shares'; sharesMicro: bigint }
  | { kind: 'min_proceeds'; proceedsMicro: bigint }

/**
 * A validated order. `amountMicro` is micro-credits to spend for a buy and micro-shares to sell for a sell.
 */
export interface TradeOrder {
  marketId: number
  side: TradeSide
  outcome: Outcome
  amountMicro: bigint
  limit: TradeLimit
}

/** What a caller may send: amounts as bigint, integer number or digit string (forms), checked by `validateOrder`. */
export interface TradeOrderInput {
  marketId: unknown
  side: unknown
  outcome: unknown
  amountMicro: unknown
  limit: unknown
}

export interface MarketView {
  id: number
  status: MarketStatus
  closesAtMs: number
  state: MarketState
}

/** One account's balance and its holding in the market being traded. */
export interface TraderView {
  balanceMicro: bigint
  yesSharesMicro: bigint
  noSharesMicro: bigint
  /** What the account has spent on and received from this market (absent: nothing). */
  spentMicro?: bigint
  receivedMicro?: bigint
  /** Sale proceeds held for the account's other unsettled markets (`heldProceeds`); absent: none. */
  heldElsewhereMicro?: bigint
}

/**
 * The part of a position's sale proceeds that is held until its market settles: what it received beyond what it
 * spent. If the market is voided, that profit is clawed back (settlement/README.md); held, it is always there to
 * claw back, so a void never falls short and never cuts the other traders' refunds. It stays in the account's
 * balance and counts toward nothing it buys in other markets; buying more in the same market spends it first. Once
 * the market is settled on a verdict the proceeds are the account's without condition.
 */
export function heldProceeds(position: { spentMicro?: bigint; receivedMicro?: bigint }): bigint {
  const profit = (position.receivedMicro ?? 0n) - (position.spentMicro ?? 0n)
  return profit > 0n ? profit : 0n
}

/**
 * `TraderView.heldElsewhereMicro` from the account's held total (every unsettled market, this one included, as the
 * services read it) and its position in the market being traded.
 */
export function heldElsewhere(
  heldTotalMicro: bigint,
  position: { spentMicro?: bigint; receivedMicro?: bigint },
): bigint {
  return heldTotalMicro - heldProceeds(position)
}

export interface TradeRules {
  positionCapMicro: bigint
  maxAmountMicro: bigint
}

export interface Fill {
  side: TradeSide
  outcome: Outcome
  sharesMicro: bigint
  /** Cost of a buy (what the trader pays), proceeds of a sell (what it receives). */
  moneyMicro: bigint
  yesPriceBefore: number
  yesPriceAfter: number
  stateAfter: MarketState
  traderAfter: TraderView
}

/** Refuses anything but a well-formed order. Amount errors are `bad_amount`; a malformed shape is `bad_request`. */
export function validateOrder(input: TradeOrderInput, rules: Pick<TradeRules, 'maxAmountMicro'>): TradeOrder {
  const { marketId, side, outcome } = input
  if (typeof marketId !== 'number' || !Number.isSafeInteger(marketId) || marketId <= 0) {
    throw new CurationError('unknown_market', 'No such market.')
  }
  if (side !== 'buy' && side !== 'sell') throw new CurationError('bad_request', 'A trade is a buy or a sell.')
  if (outcome !== 'yes' && outcome !== 'no')
    throw new CurationError('bad_request', 'The outcome is YES or NO.')
  const amountMicro = parseAmountMicro(
    input.amountMicro,
    side === 'buy' ? 'amount to spend' : 'number of shares',
    rules.maxAmountMicro,
  )
  return {
    marketId,
    side,
    outcome,
    amountMicro,
    limit: validateLimit(side, input.limit, rules.maxAmountMicro),
  }
}

/** A spend buys more shares than micro-credits (price < 1); any minimum past this is a typo. */
const MAX_SHARES_BOUND_MICRO = 2n ** 62n

function validateLimit(side: TradeSide, limit: unknown, maxMicro: bigint): TradeLimit {
  const l = (typeof limit === 'object' && limit !== null ? limit : {}) as Record<string, unknown>
  if (side === 'buy' && l.kind === 'max_average_price') {
    const p = l.price
    if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0 || p > 1) {
      throw new CurationError(
        'bad_amount',
        'The highest average price must be between 0 and 1 credit per share.',
      )
    }
    return { kind: 'max_average_price', price: p }
  }
  if (side === 'buy' && l.kind === 'min_shares') {
    return {
      kind: 'min_shares',
      sharesMicro: parseNonNegativeMicro(l.sharesMicro, 'minimum shares', MAX_SHARES_BOUND_MICRO),
    }
  }
  if (side === 'sell' && l.kind === 'min_proceeds') {
    return {
      kind: 'min_proceeds',
      proceedsMicro: parseNonNegativeMicro(l.proceedsMicro, 'minimum proceeds', maxMicro),
    }
  }
  throw new CurationError(
    'bad_request',
    side === 'buy'
      ? 'A buy needs a slippage bound: a highest average price or a least number of shares.'
      : 'A sell needs a slippage bound: the least proceeds.',
  )
}

/**
 * The request's identity for idempotency: the same key with this same fingerprint is a retry, with another one a
 * conflict. Canonical text, so it is stable across processes and versions.
 */
export function orderFingerprint(order: TradeOrder): string {
  const limit =
    order.limit.kind === 'max_average_price'
      ? `max_average_price=${order.limit.price}`
      : order.limit.kind === 'min_shares'
        ? `min_shares=${order.limit.sharesMicro}`
        : `min_proceeds=${order.limit.proceedsMicro}`
  return `v1 market=${order.marketId} ${order.side} ${order.outcome} amount=${order.amountMicro} ${limit}`
}

export function isTradingOpen(market: Pick<MarketView, 'status' | 'closesAtMs'>, nowMs: number): boolean {
  return market.status === 'open' && nowMs < market.closesAtMs
}

/** Prices a valid order against the market and the trader; throws a CurationError when it must be refused. */
export function decideTrade(
  market: MarketView,
  trader: TraderView,
  order: TradeOrder,
  rules: TradeRules,
  nowMs: number,
): Fill {
  if (!isTradingOpen(market, nowMs)) {
    throw new CurationError(
      'market_closed',
      market.status === 'open' ? 'Trading on this post has closed.' : `This market is ${market.status}.`,
    )
  }
  return order.side === 'buy' ? decideBuy(market, trader, order, rules) : decideSell(market, trader, order)
}

/**
 * A preview: what the order would fill at now, with no slippage bound (the same code the service runs under lock).
 * Pair it with `limitForQuote` to send the order with a bound the trader agreed to.
 */
export function quoteTrade(
  market: MarketView,
  trader: TraderView,
  order: Omit<TradeOrder, 'limit'>,
  rules: TradeRules,
  nowMs: number,
): Fill {
  const limit: TradeLimit =
    order.side === 'buy'
      ? { kind: 'max_average_price', price: 1 }
      : { kind: 'min_proceeds', proceedsMicro: 0n }
  return decideTrade(market, trader, { ...order, limit }, rules, nowMs)
}

/**
 * The bound for sending a quoted order: its average price raised by `tolerance` (a fraction, e.g. 0.01) for a
 * buy, its proceeds lowered by it for a sell. Zero tolerance honours exactly the quote or refuses.
 */
export function limitForQuote(
  fill: Pick<Fill, 'side' | 'sharesMicro' | 'moneyMicro'>,
  tolerance: number,
): TradeLimit {
  const t = Number.isFinite(tolerance) ? Math.min(Math.max(tolerance, 0), 1) : 0
  if (fill.side === 'buy') {
    const average = Number(fill.moneyMicro) / Number(fill.sharesMicro)
    return { kind: 'max_average_price', price: Math.min(1, average * (1 + t)) }
  }
  const floor = BigInt(Math.floor(Number(fill.moneyMicro) * (1 - t)))
  return { kind: 'min_proceeds', proceedsMicro: floor < 0n ? 0n : floor }
}

function held(trader: TraderView, outcome: Outcome): bigint {
  return outcome === 'yes' ? trader.yesSharesMicro : trader.noSharesMicro
}

function withHolding(
  trader: TraderView,
  outcome: Outcome,
  shares: bigint,
  money: { balanceMicro: bigint; spentMicro: bigint; receivedMicro: bigint },
): TraderView {
  const rest = { ...money, heldElsewhereMicro: trader.heldElsewhereMicro ?? 0n }
  return outcome === 'yes'
    ? { ...rest, yesSharesMicro: shares, noSharesMicro: trader.noSharesMicro }
    : { ...rest, yesSharesMicro: trader.yesSharesMicro, noSharesMicro: shares }
}

/**
 * What a buy in this market may cost: the balance less the proceeds held for other markets. Proceeds held for this
 * one are spent first by buying here (the buy lowers the profit a void would claw back by as much).
 */
function buyingPower(trader: TraderView): bigint {
  return trader.balanceMicro - (trader.heldElsewhereMicro ?? 0n)
}

function insufficientForBuy(trader: TraderView, spend: bigint): CurationError {
  const held = trader.heldElsewhereMicro ?? 0n
  return new CurationError(
    'insufficient_balance',
    held > 0n
      ? `You have ${formatMicro(trader.balanceMicro)} credits, ${formatMicro(held)} of them sale proceeds held until their markets settle; you can spend ${formatMicro(buyingPower(trader) > 0n ? buyingPower(trader) : 0n)} here, and this buy needs ${formatMicro(spend)}.`
      : `You have ${formatMicro(trader.balanceMicro)} credits; this buy needs ${formatMicro(spend)}.`,
  )
}

function decideBuy(market: MarketView, trader: TraderView, order: TradeOrder, rules: TradeRules): Fill {
  const { state } = market
  const { outcome, amountMicro: spend } = order
  if (spend > buyingPower(trader)) throw insufficientForBuy(trader, spend)
  const shares = sharesForSpend(state, outcome, spend)
  // The trader pays what the shares cost, never more than it offered; the sub-micro-share remainder stays with it.
  const cost = costToBuy(state, outcome, shares)
  if (shares <= 0n || cost <= 0n) {
    throw new CurationError('bad_amount', 'This amount is too small to buy any share.')
  }
  const holding = held(trader, outcome) + shares
  if (holding > rules.positionCapMicro) {
    const room = rules.positionCapMicro - held(trader, outcome)
    throw new CurationError(
      'position_cap',
      room > 0n
        ? `One account may hold at most ${formatMicro(rules.positionCapMicro)} ${outcome.toUpperCase()} shares in a market; you can buy ${formatMicro(room)} more (for about ${formatMicro(costToBuy(state, outcome, room))} credits).`
        : `One account may hold at most ${formatMicro(rules.positionCapMicro)} ${outcome.toUpperCase()} shares in a market, and you hold them.`,
    )
  }
  const limit = order.limit
  if (limit.kind === 'max_average_price') {
    // cost / shares <= price. The limit is a float, typically a quote's own cost / shares, which float division
    // rounded to the nearest double: allow that representation error (1e-14 relative, a hundredth of a micro-credit
    // on the largest trade) so an exact quote is honoured, and nothing more.
    if (Number(cost) > limit.price * Number(shares) * (1 + 1e-14)) {
      const [average, most] = averageAboveLimit(cost, shares, limit.price)
      throw new CurationError(
        'slippage_exceeded',
        `The price moved: the average would be ${average} credits per share, above your limit of ${most}.`,
      )
    }
  } else if (limit.kind === 'min_shares' && shares < limit.sharesMicro) {
    throw new CurationError(
      'slippage_exceeded',
      `The price moved: this would buy ${formatMicro(shares)} shares, fewer than your minimum of ${formatMicro(limit.sharesMicro)}.`,
    )
  }
  const money = {
    balanceMicro: trader.balanceMicro - cost,
    spentMicro: (trader.spentMicro ?? 0n) + cost,
    receivedMicro: trader.receivedMicro ?? 0n,
  }
  // What stays held after the buy must still be there: only books written before proceeds were held can fail this.
  if (money.balanceMicro < (trader.heldElsewhereMicro ?? 0n) + heldProceeds(money)) {
    throw insufficientForBuy(trader, spend)
  }
  const stateAfter = applyTrade(state, outcome, shares)
  return {
    side: 'buy',
    outcome,
    sharesMicro: shares,
    moneyMicro: cost,
    yesPriceBefore: price(state, 'yes'),
    yesPriceAfter: price(stateAfter, 'yes'),
    stateAfter,
    traderAfter: withHolding(trader, outcome, holding, money),
  }
}

function decideSell(market: MarketView, trader: TraderView, order: TradeOrder): Fill {
  const { state } = market
  const { outcome, amountMicro: shares } = order
  const holding = held(trader, outcome)
  if (shares > holding) {
    throw new CurationError(
      'insufficient_balance',
      `You hold ${formatMicro(holding)} ${outcome.toUpperCase()} shares in this market; you cannot sell ${formatMicro(shares)}.`,
    )
  }
  const proceeds = proceedsOfSell(state, outcome, shares)
  if (proceeds <= 0n) throw new CurationError('bad_amount', 'This is too few shares to sell for anything.')
  if (order.limit.kind === 'min_proceeds' && proceeds < order.limit.proceedsMicro) {
    throw new CurationError(
      'slippage_exceeded',
      `The price moved: this sale would pay ${formatMicro(proceeds)} credits, less than your minimum of ${formatMicro(order.limit.proceedsMicro)}.`,
    )
  }
  const stateAfter = applyTrade(state, outcome, -shares)
  return {
    side: 'sell',
    outcome,
    sharesMicro: shares,
    moneyMicro: proceeds,
    yesPriceBefore: price(state, 'yes'),
    yesPriceAfter: price(stateAfter, 'yes'),
    stateAfter,
    traderAfter: withHolding(trader, outcome, holding - shares, {
      balanceMicro: trader.balanceMicro + proceeds,
      spentMicro: trader.spentMicro ?? 0n,
      receivedMicro: (trader.receivedMicro ?? 0n) + proceeds,
    }),
  }
}

/**
 * A refused buy's average price and the limit it broke, to 4 decimals, or as many more as it takes to tell them
 * apart (the limit is a float the client chose, often a quote's own cost / shares).
 */
function averageAboveLimit(cost: bigint, shares: bigint, limit: number): [string, string] {
  const average = Number(cost) / Number(shares)
  for (let decimals = 4; decimals <= 10; decimals++) {
    const [a, l] = [average.toFixed(decimals), limit.toFixed(decimals)]
    if (a !== l) return [a, l]
  }
  return [String(average), String(limit)]
}

// ---------------------------------------------------------------------------------------------------------------
// Batches: several orders decided in sequence against one snapshot, each seeing the state the previous ones left.
// The service uses this to settle a burst of orders on a hot market in one transaction (one lock, one commit).
// ---------------------------------------------------------------------------------------------------------------

export interface BatchOrder {
  did: string
  idempotencyKey: string
  order: TradeOrder
  /** When the order was placed: trading closes at the market's `closesAtMs`. */
  nowMs: number
}

/** A trade already stored under the same (did, key), as the service read it. */
export interface PriorTrade<R> {
  fingerprint: string
  receipt: R
}

export interface PositionView {
  yesSharesMicro: bigint
  noSharesMicro: bigint
  spentMicro: bigint
  receivedMicro: bigint
}

export interface BatchSnapshot<R> {
  markets: ReadonlyMap<number, MarketView>
  /** Balances by DID; a DID without an account has none. */
  balances: ReadonlyMap<string, bigint>
  /**
   * Sale proceeds held by DID: `heldProceeds` summed over the account's positions in unsettled markets, these
   * markets' included. Absent: none.
   */
  held?: ReadonlyMap<string, bigint>
  /** Positions by `positionKey(marketId, did)`. */
  positions: ReadonlyMap<string, PositionView>
  /** Stored trades by `idempotencyIndex(did, key)`. */
  prior: ReadonlyMap<string, PriorTrade<R>>
}

export type BatchDecision<R> =
  | { kind: 'fill'; fill: Fill; marketId: number; isNewTrader: boolean; fingerprint: string }
  | { kind: 'replay'; receipt: R }
  /** A second order in this batch with the key and body of an earlier filled one: it gets that one's receipt. */
  | { kind: 'same_as'; index: number }
  | { kind: 'refused'; error: CurationError }

export interface MarketEffect {
  stateAfter: MarketState
  trades: number
  newTraders: number
  volumeMicro: bigint
  /** Net credits into the escrow: buys' costs minus sells' proceeds. */
  escrowDeltaMicro: bigint
}

export interface BatchOutcome<R> {
  decisions: BatchDecision<R>[]
  markets: Map<number, MarketEffect>
  /** Net change of each trader's balance. */
  balanceDeltas: Map<string, bigint>
  /** Each touched position's state after the batch, by `positionKey`. */
  positions: Map<string, PositionView>
}

export const positionKey = (marketId: number, did: string) => `${marketId} ${did}`
export const idempotencyIndex = (did: string, key: string) => `${did}\n${key}`

const EMPTY_POSITION: PositionView = {
  yesSharesMicro: 0n,
  noSharesMicro: 0n,
  spentMicro: 0n,
  receivedMicro: 0n,
}

/**
 * Decides `orders` in order. Idempotency comes first: a key already stored with the same body replays that trade,
 * with another body it is refused; within the batch the same holds against earlier fills.
 */
export function decideBatch<R>(
  snapshot: BatchSnapshot<R>,
  orders: readonly BatchOrder[],
  rules: TradeRules,
): BatchOutcome<R> {
  const markets = new Map<number, MarketEffect>()
  const balances = new Map(snapshot.balances)
  const held = new Map(snapshot.held ?? [])
  const balanceDeltas = new Map<string, bigint>()
  const positions = new Map<string, PositionView>()
  const filledKeys = new Map<string, { fingerprint: string; index: number }>()
  const decisions: BatchDecision<R>[] = []

  orders.forEach(({ did, idempotencyKey, order, nowMs }, index) => {
    const idx = idempotencyIndex(did, idempotencyKey)
    const fingerprint = orderFingerprint(order)
    const prior = snapshot.prior.get(idx) ?? filledKeys.get(idx)
    if (prior) {
      if (prior.fingerprint !== fingerprint) {
        decisions.push({
          kind: 'refused',
          error: new CurationError(
            'idempotency_conflict',
            'This request reuses the idempotency key of a different trade; send a new key for a new trade.',
          ),
        })
      } else {
        decisions.push(
          'receipt' in prior
            ? { kind: 'replay', receipt: prior.receipt }
            : { kind: 'same_as', index: prior.index },
        )
      }
      return
    }
    const view = snapshot.markets.get(order.marketId)
    if (!view) {
      decisions.push({ kind: 'refused', error: new CurationError('unknown_market', 'No such market.') })
      return
    }
    const effect = markets.get(order.marketId)
    const market = effect ? { ...view, state: effect.stateAfter } : view
    const pKey = positionKey(order.marketId, did)
    const before = positions.get(pKey) ?? snapshot.positions.get(pKey)
    const position = before ?? EMPTY_POSITION
    const balanceMicro = balances.get(did) ?? 0n
    const heldElsewhereMicro = heldElsewhere(held.get(did) ?? 0n, position)
    let fill: Fill
    try {
      fill = decideTrade(market, { balanceMicro, ...position, heldElsewhereMicro }, order, rules, nowMs)
    } catch (err) {
      if (err instanceof CurationError) {
        decisions.push({ kind: 'refused', error: err })
        return
      }
      throw err
    }
    const buy = fill.side === 'buy'
    const delta = buy ? -fill.moneyMicro : fill.moneyMicro
    balances.set(did, balanceMicro + delta)
    balanceDeltas.set(did, (balanceDeltas.get(did) ?? 0n) + delta)
    const after = {
      yesSharesMicro: fill.traderAfter.yesSharesMicro,
      noSharesMicro: fill.traderAfter.noSharesMicro,
      spentMicro: position.spentMicro + (buy ? fill.moneyMicro : 0n),
      receivedMicro: position.receivedMicro + (buy ? 0n : fill.moneyMicro),
    }
    positions.set(pKey, after)
    held.set(did, heldElsewhereMicro + heldProceeds(after))
    const isNewTrader = before === undefined
    markets.set(order.marketId, {
      stateAfter: fill.stateAfter,
      trades: (effect?.trades ?? 0) + 1,
      newTraders: (effect?.newTraders ?? 0) + (isNewTrader ? 1 : 0),
      volumeMicro: (effect?.volumeMicro ?? 0n) + fill.moneyMicro,
      escrowDeltaMicro: (effect?.escrowDeltaMicro ?? 0n) - delta,
    })
    filledKeys.set(idx, { fingerprint, index })
    decisions.push({ kind: 'fill', fill, marketId: order.marketId, isNewTrader, fingerprint })
  })
  return { decisions, markets, balanceDeltas, positions }
}
