/**
 * The simulator's books: the same double-entry shape as curation's ledger (MECHANISM.md "Units and accounting"),
 * in memory. Integer micro-credits only. The mint's balance is minus everything ever minted, so "all accounts sum
 * to zero" is the same statement as "balances + escrows + treasury == minted"; `checkConservation` asserts both,
 * exactly, and that no account but the mint is negative. Every run calls it after every simulated hour.
 */
export type AccountId = string

export const MINT: AccountId = 'mint'
export const TREASURY: AccountId = 'treasury'
export const escrowOf = (marketId: number): AccountId => `escrow:${marketId}`

export type EntryReason =
  | 'grant'
  | 'treasury_funding'
  | 'market_subsidy'
  | 'trade'
  | 'settlement_payout'
  | 'settlement_refund'
  | 'settlement_remainder'

export class ConservationError extends Error {
  override name = 'ConservationError'
}

export class SimLedger {
  private readonly balances = new Map<AccountId, bigint>([
    [MINT, 0n],
    [TREASURY, 0n],
  ])
  private mintedMicro = 0n
  entries = 0
  checks = 0

  balance(id: AccountId): bigint {
    return this.balances.get(id) ?? 0n
  }

  get minted(): bigint {
    return this.mintedMicro
  }

  /** Mints `amount` into `to` (grants, the treasury's funding). */
  mint(to: AccountId, amount: bigint, reason: 'grant' | 'treasury_funding'): void {
    this.move(MINT, to, amount, reason)
    this.mintedMicro += amount
  }

  move(from: AccountId, to: AccountId, amount: bigint, _reason: EntryReason): void {
    if (amount < 0n) throw new ConservationError(`negative movement ${amount} ${from} -> ${to}`)
    if (amount === 0n) return
    const fromBalance = this.balance(from)
    if (from !== MINT && fromBalance < amount) {
      throw new ConservationError(`${from} has ${fromBalance}, cannot move ${amount} to ${to}`)
    }
    this.balances.set(from, fromBalance - amount)
    this.balances.set(to, this.balance(to) + amount)
    this.entries++
  }

  /** Sum of every account but the mint, by kind; throws unless it equals what was minted, to the micro-credit. */
  checkConservation(): { curatorsMicro: bigint; escrowsMicro: bigint; treasuryMicro: bigint } {
    this.checks++
    let curatorsMicro = 0n
    let escrowsMicro = 0n
    let all = 0n
    for (const [id, v] of this.balances) {
      all += v
      if (id === MINT) continue
      if (v < 0n) throw new ConservationError(`${id} is negative: ${v}`)
      if (id === TREASURY) continue
      if (id.startsWith('escrow:')) escrowsMicro += v
      else curatorsMicro += v
    }
    const treasuryMicro = this.balance(TREASURY)
    if (all !== 0n || curatorsMicro + escrowsMicro + treasuryMicro !== this.mintedMicro) {
      throw new ConservationError(
        `credits not conserved: balances ${curatorsMicro} + escrows ${escrowsMicro} + treasury ${treasuryMicro} != minted ${this.mintedMicro}`,
      )
    }
    return { curatorsMicro, escrowsMicro, treasuryMicro }
  }
}
