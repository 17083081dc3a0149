/**
 * Settlement of one market, as the simulator uses it (MECHANISM.md "Settlement"): sampled with a verdict, each
 * winning share pays 1 credit from the escrow and the market maker's remainder returns to the treasury; void or
 * not sampled, every trader gets back their net spend.
 *
 * ADAPTER. The production settlement core (curation/src/settlement/**) was being written while this simulator was;
 * `fallbackSettlementCore` follows the rule above and the void policy the settlement schema records
 * (db/src/schema/settlement.ts): a trading profit (negative net spend) is clawed back up to the trader's balance,
 * then positive net spends are refunded, pro rata (rounded down) if the escrow cannot cover them all; whatever is
 * left goes to the treasury. Swap `settlementCore` for the real function when it lands.
 */
export type Resolution = 'yes' | 'no' | 'void'

export interface SettlementPosition {
  account: string
  yesSharesMicro: bigint
  noSharesMicro: bigint
  spentMicro: bigint
  receivedMicro: bigint
  /** The account's balance now (a clawback takes at most this). */
  balanceMicro: bigint
}

export interface SettlementPlan {
  /** Credits into each account (negative: clawed back out of it). */
  transfers: { account: string; amountMicro: bigint }[]
  /** What returns to the treasury from the escrow. */
  remainderMicro: bigint
  paidMicro: bigint
  clawedBackMicro: bigint
  haircutMicro: bigint
}

export interface SettlementCore {
  settle(
    escrowMicro: bigint,
    positions: readonly SettlementPosition[],
    resolution: Resolution,
  ): SettlementPlan
}

export const fallbackSettlementCore: SettlementCore = {
  settle(escrowMicro, positions, resolution) {
    const transfers: SettlementPlan['transfers'] = []
    if (resolution !== 'void') {
      let paid = 0n
      for (const p of positions) {
        const shares = resolution === 'yes' ? p.yesSharesMicro : p.noSharesMicro
        // A micro-share pays a micro-credit: 1 share (10^6 micro) pays 1 credit (10^6 micro).
        const amount = shares
        if (amount > 0n) transfers.push({ account: p.account, amountMicro: amount })
        paid += amount
      }
      if (paid > escrowMicro) throw new Error(`escrow ${escrowMicro} cannot pay ${paid} winning shares`)
      return {
        transfers,
        remainderMicro: escrowMicro - paid,
        paidMicro: paid,
        clawedBackMicro: 0n,
        haircutMicro: 0n,
      }
    }
    let clawed = 0n
    let owed = 0n
    for (const p of positions) {
      const net = p.spentMicro - p.receivedMicro
      if (net < 0n) {
        const take = -net < p.balanceMicro ? -net : p.balanceMicro
        if (take > 0n) transfers.push({ account: p.account, amountMicro: -take })
        clawed += take
      } else owed += net
    }
    const pot = escrowMicro + clawed
    let paid = 0n
    for (const p of positions) {
      const net = p.spentMicro - p.receivedMicro
      if (net <= 0n) continue
      const amount = owed <= pot ? net : (net * pot) / owed
      if (amount > 0n) transfers.push({ account: p.account, amountMicro: amount })
      paid += amount
    }
    return {
      transfers,
      remainderMicro: pot - paid,
      paidMicro: paid,
      clawedBackMicro: clawed,
      haircutMicro: owed - paid,
    }
  },
}

export const settlementCore: SettlementCore = fallbackSettlementCore
export const SETTLEMENT_CORE_SOURCE: 'fallback' | 'curation' = 'fallback'
