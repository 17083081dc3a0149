/**
 * Settlement of one market, as the simulator calls it: production code from curation/src/settlement/payout.ts
 * (a verdict pays each winning share 1 credit and returns the remainder to the treasury; void or unsampled undoes
 * the market: net spends refunded, trading profits clawed back as far as balances go, shortfalls absorbed by the
 * subsidy and then pro rata). This file only maps the simulator's account names to the numeric ids it expects.
 */
import {
  planSettlement,
  resolveVerdict,
  type Resolution,
  type SettlementPlan,
} from '@curia/curation/settlement/payout'

export type { Resolution }
export { resolveVerdict }

export interface SettlementPosition {
  account: string
  yesSharesMicro: bigint
  noSharesMicro: bigint
  spentMicro: bigint
  receivedMicro: bigint
  balanceMicro: bigint
}

export interface SimSettlement {
  /** Signed: positive into the account, negative (a clawback) out of it. */
  transfers: { account: string; amountMicro: bigint }[]
  plan: SettlementPlan
}

export function settleMarket(
  marketId: number,
  escrowMicro: bigint,
  positions: readonly SettlementPosition[],
  resolution: Resolution,
): SimSettlement {
  const balances = new Map<number, bigint>()
  const book = {
    marketId,
    escrowMicro,
    positions: positions.map((p, i) => {
      balances.set(i + 1, p.balanceMicro)
      return {
        accountId: i + 1,
        yesSharesMicro: p.yesSharesMicro,
        noSharesMicro: p.noSharesMicro,
        netSpendMicro: p.spentMicro - p.receivedMicro,
      }
    }),
  }
  const plan = planSettlement(book, resolution, balances)
  return {
    plan,
    transfers: plan.positions
      .filter((p) => p.paidMicro !== 0n)
      .map((p) => ({ account: positions[p.accountId - 1]!.account, amountMicro: p.paidMicro })),
  }
}

export const SETTLEMENT_CORE_SOURCE = 'curation/src/settlement/payout.ts'
