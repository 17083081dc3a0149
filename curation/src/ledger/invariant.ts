/**
 * What the ledger audit reports, and how to read it. The invariant (MECHANISM.md "Units and accounting"): every
 * balance (curators, market escrows, treasury) sums to the credits ever minted. With the mint's balance at minus
 * everything minted that is "the sum over all accounts is 0", plus: no account but the mint below zero, every
 * balance equal to its entries in minus its entries out, and the market layer consistent with the money (each
 * market's outstanding shares equal its positions, each position equal its trades, each trade matched by its ledger
 * entry, and each unsettled escrow able to pay the winning side in full).
 *
 * Pure: the service gathers the numbers, this judges and prints them.
 */
import { formatMicro } from '../market/amount'

export interface AccountAnomaly {
  id: number
  kind: string
  owner: string | null
  balanceMicro: bigint
  /** Entries in minus entries out. */
  entriesMicro: bigint
}

export interface MarketAnomaly {
  marketId: number
  problem: string
}

export interface LedgerInvariantReport {
  accounts: number
  entries: number
  /** Sum over every account, the mint included: 0 when sound. */
  sumMicro: bigint
  /** Minus the mint's balance. */
  mintedMicro: bigint
  /** Sum of every balance but the mint's: equals `mintedMicro` when sound. */
  heldMicro: bigint
  negativeAccounts: AccountAnomaly[]
  /** Accounts whose balance differs from what their entries add up to. */
  mismatchedAccounts: AccountAnomaly[]
  marketAnomalies: MarketAnomaly[]
}

export function isLedgerSound(report: LedgerInvariantReport): boolean {
  return (
    report.sumMicro === 0n &&
    report.mintedMicro === report.heldMicro &&
    report.negativeAccounts.length === 0 &&
    report.mismatchedAccounts.length === 0 &&
    report.marketAnomalies.length === 0
  )
}

export function describeLedgerReport(report: LedgerInvariantReport): string {
  const lines = [
    `accounts ${report.accounts}, entries ${report.entries}`,
    `minted ${formatMicro(report.mintedMicro)} credits, held ${formatMicro(report.heldMicro)}, sum of all accounts ${formatMicro(report.sumMicro)}`,
  ]
  const account = (a: AccountAnomaly) =>
    `  account ${a.id} (${a.kind}${a.owner ? ` ${a.owner}` : ''}): balance ${formatMicro(a.balanceMicro)}, entries ${formatMicro(a.entriesMicro)}`
  if (report.negativeAccounts.length)
    lines.push('NEGATIVE balances:', ...report.negativeAccounts.map(account))
  if (report.mismatchedAccounts.length) {
    lines.push('balances that do NOT match their entries:', ...report.mismatchedAccounts.map(account))
  }
  if (report.marketAnomalies.length) {
    lines.push(
      'market anomalies:',
      ...report.marketAnomalies.map((m) => `  market ${m.marketId}: ${m.problem}`),
    )
  }
  lines.push(isLedgerSound(report) ? 'ledger OK' : 'ledger BROKEN')
  return lines.join('\n')
}
