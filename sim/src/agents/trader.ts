/**
 * How an agent turns "I think YES is worth `target`" into an order for curation's `decideTrade`, using only the
 * LMSR's own quote functions: sell the opposite holding first, else buy toward the target, within a budget and the
 * position cap. The order carries a slippage bound (a buy never pays more than the target on average; a sell never
 * gets less than the target's price for what it sells), as a real client would send.
 *
 * Pure: no I/O, no randomness.
 */
import { costToBuy, type MarketState } from '@curia/curation/market/lmsr'
import type { TradeOrder, TradeRules, TraderView } from '@curia/curation/market/trade'
import { clamp, logit } from '../stats'

/** Orders under this many micro-credits are not worth a curator's click. */
export const MIN_ORDER_MICRO = 1_000_000n

export interface PlanInput {
  marketId: number
  state: MarketState
  trader: TraderView
  /** The YES price the agent wants to reach. */
  target: number
  /**
   * The lead (qYes - qNo) / b the target is measured against: the market's own by default; an attacker aiming at
   * the ranking passes the robust lead (the market without its top trader).
   */
  lead?: number
  /** Most micro-credits to spend on this order. */
  budgetMicro: bigint
  rules: TradeRules
  /** Trade only if the price is at least this far from the target. */
  edge: number
  /**
   * A buy's highest average price. Default: the target itself (a curator never pays more than it thinks a share
   * is worth). An attacker aiming at the robust price pays whatever the raw price is.
   */
  maxAveragePrice?: number
}

export function marketLead(state: MarketState): number {
  return Number(state.qYes - state.qNo) / Number(state.b)
}

/** The order that moves toward `target`, or undefined when there is nothing worth doing. */
export function planOrder(input: PlanInput): TradeOrder | undefined {
  const { state, trader, rules, marketId } = input
  const target = clamp(input.target, 0.001, 0.999)
  const lead = input.lead ?? marketLead(state)
  const current = 1 / (1 + Math.exp(-lead))
  if (Math.abs(target - current) <= input.edge) return undefined
  const wantYes = target > current
  const b = Number(state.b)
  // Micro-shares that move the lead to the target's: each YES share bought (or NO share sold) adds 1/b to it.
  const sharesToTarget = BigInt(Math.floor(Math.abs(logit(target) - lead) * b))
  if (sharesToTarget <= 0n) return undefined

  const opposite = wantYes ? trader.noSharesMicro : trader.yesSharesMicro
  if (opposite > 0n) {
    const shares = opposite < sharesToTarget ? opposite : sharesToTarget
    // Every share sold fetches at least the target's price of the side sold (the price only falls toward it).
    const floorPrice = wantYes ? 1 - target : target
    const proceedsMicro = BigInt(Math.floor(Number(shares) * floorPrice * 0.999))
    return {
      marketId,
      side: 'sell',
      outcome: wantYes ? 'no' : 'yes',
      amountMicro: shares,
      limit: { kind: 'min_proceeds', proceedsMicro },
    }
  }

  const outcome = wantYes ? 'yes' : 'no'
  const held = wantYes ? trader.yesSharesMicro : trader.noSharesMicro
  const room = rules.positionCapMicro - held
  if (room <= 0n) return undefined
  const capped = sharesToTarget >= room
  const shares = capped ? room : sharesToTarget
  // At the cap, one micro-credit less than the room's cost keeps the fill strictly under the cap.
  let spend = costToBuy(state, outcome, shares) - (capped ? 1n : 0n)
  const budget = input.budgetMicro < trader.balanceMicro ? input.budgetMicro : trader.balanceMicro
  if (spend > budget) spend = budget
  if (spend < MIN_ORDER_MICRO) return undefined
  return {
    marketId,
    side: 'buy',
    outcome,
    amountMicro: spend,
    limit: { kind: 'max_average_price', price: input.maxAveragePrice ?? (wantYes ? target : 1 - target) },
  }
}
