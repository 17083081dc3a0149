import { z } from 'zod'
import { creditsToMicro } from './amount'
import { MICRO } from './lmsr'

/** The market layer's knobs. Services take these as arguments; only `parseMarketParams` reads an environment. */
export interface MarketParams {
  /**
   * LMSR liquidity b, micro-credits. The treasury escrows b ln 2 per market (about 69 credits at b = 100); a buy
   * of b shares from even odds moves the price to about 0.73.
   */
  liquidityMicro: bigint
  /** Trading closes this long after the post was created (or the market opened, if later it is unknown). */
  windowMs: number
  /** What a curator pays the treasury to open a market on a post the candidate policy did not pick. */
  openFeeMicro: bigint
  /** Most micro-shares of one outcome one account may hold in one market (anti-whale). */
  positionCapMicro: bigint
  /** Ceiling for any amount in a request; anything above is a typo or an attack, not a trade. */
  maxAmountMicro: bigint
}

export interface LedgerParams {
  /** Granted once per DID at first sign-in. */
  startingGrantMicro: bigint
  /** Minted into the treasury once at setup; it funds every market's subsidy. */
  treasuryFundingMicro: bigint
  /**
   * The verified-human faucet: granted once per human (a Semaphore proof against the jury group, scope "faucet") to
   * one curator DID of their choice, on top of the starting grant. 0 disables the faucet.
   */
  humanGrantMicro: bigint
}

const HOUR_MS = 3_600_000

export const DEFAULT_MARKET_PARAMS: MarketParams = {
  // The simulator's recommendation (sim/report/REPORT.md): deep enough that a farm of starting grants cannot push a
  // price far, at twice the treasury's subsidy of b = 1,000.
  liquidityMicro: 2_000n * MICRO,
  windowMs: 48 * HOUR_MS,
  openFeeMicro: 5n * MICRO,
  positionCapMicro: 3_000n * MICRO,
  maxAmountMicro: 1_000_000n * MICRO,
}

export const DEFAULT_LEDGER_PARAMS: LedgerParams = {
  startingGrantMicro: 1_000n * MICRO,
  treasuryFundingMicro: 100_000_000n * MICRO,
  // The simulator's recommendation (sim/src/recommend.ts, sim/report/REPORT.md): 10,000 in all for a verified
  // human, so the honest side outweighs a farm of fresh DIDs holding only starting grants.
  humanGrantMicro: 9_000n * MICRO,
}

const credits = (fallback: bigint, minMicro: bigint) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback
      try {
        const micro = creditsToMicro(v, 'setting')
        if (micro >= minMicro) return micro
        ctx.addIssue({ code: 'custom', message: 'must be more than zero' })
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message })
      }
      return z.NEVER
    })

const env = z.object({
  CURIA_MARKET_LIQUIDITY_CREDITS: credits(DEFAULT_MARKET_PARAMS.liquidityMicro, 1n),
  CURIA_MARKET_WINDOW_HOURS: z.coerce
    .number()
    .positive()
    .default(DEFAULT_MARKET_PARAMS.windowMs / HOUR_MS),
  CURIA_MARKET_OPEN_FEE_CREDITS: credits(DEFAULT_MARKET_PARAMS.openFeeMicro, 0n),
  CURIA_MARKET_POSITION_CAP_SHARES: credits(DEFAULT_MARKET_PARAMS.positionCapMicro, 1n),
  CURIA_TRADE_MAX_CREDITS: credits(DEFAULT_MARKET_PARAMS.maxAmountMicro, 1n),
  CURIA_STARTING_GRANT_CREDITS: credits(DEFAULT_LEDGER_PARAMS.startingGrantMicro, 0n),
  CURIA_TREASURY_FUNDING_CREDITS: credits(DEFAULT_LEDGER_PARAMS.treasuryFundingMicro, 0n),
  CURIA_HUMAN_GRANT_CREDITS: credits(DEFAULT_LEDGER_PARAMS.humanGrantMicro, 0n),
})

/**
 * Reads the market layer's variables from an environment-shaped record (the process's config.ts passes
 * `process.env`). Amounts are written in credits, decimals allowed: `CURIA_MARKET_LIQUIDITY_CREDITS=250`.
 */
export function parseMarketParams(source: Record<string, string | undefined>): {
  market: MarketParams
  ledger: LedgerParams
} {
  const e = env.parse(source)
  return {
    market: {
      liquidityMicro: e.CURIA_MARKET_LIQUIDITY_CREDITS,
      windowMs: e.CURIA_MARKET_WINDOW_HOURS * HOUR_MS,
      openFeeMicro: e.CURIA_MARKET_OPEN_FEE_CREDITS,
      positionCapMicro: e.CURIA_MARKET_POSITION_CAP_SHARES,
      maxAmountMicro: e.CURIA_TRADE_MAX_CREDITS,
    },
    ledger: {
      startingGrantMicro: e.CURIA_STARTING_GRANT_CREDITS,
      treasuryFundingMicro: e.CURIA_TREASURY_FUNDING_CREDITS,
      humanGrantMicro: e.CURIA_HUMAN_GRANT_CREDITS,
    },
  }
}
