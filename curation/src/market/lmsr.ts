/**
 * Hanson's logarithmic market scoring rule for one binary market (MECHANISM.md "Market layer").
 *
 * Units: shares and credits are integers in micro units (1 share pays 1 credit = 1,000,000 micro-credits when its
 * outcome wins). Floats live only inside these functions; every amount returned is an integer rounded against the
 * trader (costs up, shares and proceeds down), so the house never leaks a fraction.
 *
 * Cost function, with q = outstanding shares and b the liquidity:
 *   C(qY, qN) = b ln(e^(qY/b) + e^(qN/b)) = qN + b softplus((qY - qN)/b),   softplus(z) = ln(1 + e^z)
 * so a trade's cost depends only on d = (q_o - q_other)/b for the outcome o bought:
 *   buy x shares:      b [softplus(d + x/b) - softplus(d)]
 *   sell x shares:     b [softplus(d) - softplus(d - x/b)]
 *   shares for spend S: x = b [softplus^-1(softplus(d) + S/b) - d],   softplus^-1(t) = t + ln(1 - e^-t)
 *   price(o) = logistic(d)
 * The market maker's worst-case loss is b ln 2 (Hanson 2003, "Combinatorial information market design").
 * Pure: no I/O, no clock.
 */
export type Outcome = 'yes' | 'no'

export const MICRO = 1_000_000n
/**
 * Float error in the cost differences below is far under a thousandth of a micro-credit for any market Curia
 * runs; rounding with this margin keeps every result on the house's side of the exact value.
 */
const ROUNDING_MARGIN_MICRO = 1e-3

export interface MarketState {
  /** Outstanding YES shares, micro. */
  qYes: bigint
  /** Outstanding NO shares, micro. */
  qNo: bigint
  /** Liquidity parameter b, micro-credits. */
  b: bigint
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))
}

function softplusInverse(t: number): number {
  // ln(e^t - 1), stable for small and large t (t > 0 always holds here).
  return t > 30 ? t + Math.log1p(-Math.exp(-t)) : Math.log(Math.expm1(t))
}

/** d for outcome o: (q_o - q_other) / b, in float units of b. */
function lead(state: MarketState, outcome: Outcome): number {
  const diff = outcome === 'yes' ? state.qYes - state.qNo : state.qNo - state.qYes
  return Number(diff) / Number(state.b)
}

function roundUp(microFloat: number): bigint {
  return BigInt(Math.ceil(microFloat + ROUNDING_MARGIN_MICRO))
}

function roundDown(microFloat: number): bigint {
  const v = Math.floor(microFloat - ROUNDING_MARGIN_MICRO)
  return BigInt(Math.max(0, v))
}

/** Prices are kept this far from 0 and 1: beyond a lead of ~36 b a float logistic would round to exactly 1. */
const PRICE_EPSILON = 1e-12

/** The instantaneous probability the market assigns to `outcome`, in (0, 1). */
export function price(state: MarketState, outcome: Outcome): number {
  const p = 1 / (1 + Math.exp(-lead(state, outcome)))
  return Math.min(1 - PRICE_EPSILON, Math.max(PRICE_EPSILON, p))
}

/** The market maker's worst-case loss for liquidity b: b ln 2, rounded up (what the treasury must escrow). */
export function maxLossMicro(b: bigint): bigint {
  return roundUp(Number(b) * Math.LN2)
}

/** Micro-credits a trader pays to buy `shares` micro-shares of `outcome`: rounded up. */
export function costToBuy(state: MarketState, outcome: Outcome, shares: bigint): bigint {
  if (shares <= 0n) return 0n
  const b = Number(state.b)
  const d = lead(state, outcome)
  return roundUp(b * (softplus(d + Number(shares) / b) - softplus(d)))
}

/** Micro-credits a trader receives for selling `shares` micro-shares of `outcome`: rounded down. */
export function proceedsOfSell(state: MarketState, outcome: Outcome, shares: bigint): bigint {
  if (shares <= 0n) return 0n
  const b = Number(state.b)
  const d = lead(state, outcome)
  return roundDown(b * (softplus(d) - softplus(d - Number(shares) / b)))
}

/**
 * Micro-shares of `outcome` that `spend` micro-credits buy: the closed form, rounded down, then checked against
 * `costToBuy` so the trader never receives a share the spend did not cover.
 */
export function sharesForSpend(state: MarketState, outcome: Outcome, spend: bigint): bigint {
  if (spend <= 0n) return 0n
  const b = Number(state.b)
  const d = lead(state, outcome)
  const t = softplus(d) + Number(spend) / b
  let shares = roundDown(b * (softplusInverse(t) - d))
  while (shares > 0n && costToBuy(state, outcome, shares) > spend) shares -= 1n
  return shares
}

/** The state after `delta` micro-shares of `outcome` are issued (positive, a buy) or redeemed (negative, a sell). */
export function applyTrade(state: MarketState, outcome: Outcome, delta: bigint): MarketState {
  return outcome === 'yes' ? { ...state, qYes: state.qYes + delta } : { ...state, qNo: state.qNo + delta }
}

/** C(q) in micro-credits as a float: for accounting checks in tests and audits, never for moving money. */
export function costFunctionMicro(state: MarketState): number {
  const b = Number(state.b)
  const qY = Number(state.qYes)
  const qN = Number(state.qNo)
  return qN + b * softplus((qY - qN) / b)
}
