/**
 * What opening a market on a post costs and when its trading closes. Pure: the post's creation time and the clock
 * are arguments.
 */
import { CurationError } from '../errors'
import { maxLossMicro } from './lmsr'
import type { MarketParams } from './params'

export interface MarketOpeningPlan {
  liquidityMicro: bigint
  /** b ln 2 rounded up: the market maker's worst-case loss, escrowed from the treasury. */
  subsidyMicro: bigint
  /** Paid by a curator who opens the market; zero when the candidate policy does. */
  feeMicro: bigint
  closesAtMs: number
}

/**
 * Trading closes `windowMs` after the post was created, so a market on an old post cannot be opened to trade on what
 * is already known. A claimed creation time in the future (clocks and clients lie) counts as now; an unknown post
 * (not indexed yet) counts from the opening.
 */
export function planMarketOpening(opts: {
  postCreatedAtMs: number | undefined
  openedByCurator: boolean
  nowMs: number
  params: Pick<MarketParams, 'liquidityMicro' | 'windowMs' | 'openFeeMicro'>
}): MarketOpeningPlan {
  const { params, nowMs } = opts
  const startMs = Math.min(opts.postCreatedAtMs ?? nowMs, nowMs)
  const closesAtMs = startMs + params.windowMs
  if (closesAtMs <= nowMs) {
    throw new CurationError(
      'market_closed',
      `This post is older than the ${Math.round(params.windowMs / 3_600_000)}-hour trading window; its market cannot open.`,
    )
  }
  return {
    liquidityMicro: params.liquidityMicro,
    subsidyMicro: maxLossMicro(params.liquidityMicro),
    feeMicro: opts.openedByCurator ? params.openFeeMicro : 0n,
    closesAtMs,
  }
}
