import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { market } from './market'

/** How a market ended: an outcome whose shares pay 1 credit each, or void (every net spend refunded). */
export const SETTLEMENT_RESOLUTIONS = ['yes', 'no', 'void'] as const
export type SettlementResolution = (typeof SETTLEMENT_RESOLUTIONS)[number]

/** Why: the jury's verdict, a sampled market the jury left without quorum, or a market the sample passed over. */
export const SETTLEMENT_CAUSES = ['verdict', 'no_quorum', 'unsampled'] as const
export type SettlementCause = (typeof SETTLEMENT_CAUSES)[number]

const quoted = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '))

/**
 * One row per settled market, written in the same transaction that moves the money and the market's status. The
 * primary key is the second guard against paying twice (the first is the market row's lock and status), and the
 * CHECK is conservation: what the escrow held plus what it clawed back is exactly what it paid out plus what went
 * back to the treasury.
 */
export const marketSettlement = pgTable(
  'market_settlement',
  {
    marketId: bigint('market_id', { mode: 'number' })
      .primaryKey()
      .references(() => market.id),
    resolution: text('resolution', { enum: SETTLEMENT_RESOLUTIONS }).notNull(),
    cause: text('cause', { enum: SETTLEMENT_CAUSES }).notNull(),
    /** The jury round whose verdict or sample decided it; null when settled from a plain verdict. */
    roundId: bigint('round_id', { mode: 'number' }),
    /** Micro-credits in the escrow before settlement. */
    escrowMicro: bigint('escrow_micro', { mode: 'bigint' }).notNull(),
    /** Paid to curators: winning shares, or positive net spends refunded. */
    paidMicro: bigint('paid_micro', { mode: 'bigint' }).notNull(),
    /** Void only: trading profits (negative net spends) taken back from the curators' balances. */
    clawedBackMicro: bigint('clawed_back_micro', { mode: 'bigint' }).notNull(),
    /** Void only: profits that could not be taken back because the curator's balance was short. */
    uncollectedMicro: bigint('uncollected_micro', { mode: 'bigint' }).notNull(),
    /** Void only: refunds owed but not paid (the pro rata cut when the escrow cannot refund everyone in full). */
    haircutMicro: bigint('haircut_micro', { mode: 'bigint' }).notNull(),
    /** Returned to the treasury: the market maker's remainder. */
    remainderMicro: bigint('remainder_micro', { mode: 'bigint' }).notNull(),
    positions: integer('positions').notNull(),
    settledAt: timestamp('settled_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    check('market_settlement_resolution_check', sql`${t.resolution} in (${quoted(SETTLEMENT_RESOLUTIONS)})`),
    check('market_settlement_cause_check', sql`${t.cause} in (${quoted(SETTLEMENT_CAUSES)})`),
    check(
      'market_settlement_cause_resolution_check',
      sql`(${t.cause} = 'verdict') = (${t.resolution} in ('yes', 'no'))`,
    ),
    check(
      'market_settlement_conserved',
      sql`${t.escrowMicro} + ${t.clawedBackMicro} = ${t.paidMicro} + ${t.remainderMicro}`,
    ),
    check(
      'market_settlement_amounts_nonnegative',
      sql`${t.escrowMicro} >= 0 and ${t.paidMicro} >= 0 and ${t.clawedBackMicro} >= 0 and ${t.uncollectedMicro} >= 0
          and ${t.haircutMicro} >= 0 and ${t.remainderMicro} >= 0`,
    ),
    index('market_settlement_round_idx').on(t.roundId),
  ],
)

/**
 * What settlement owed and moved for every position of a settled market (positions that net to nothing included,
 * so "every position has exactly one row" is checkable). `paid_micro` is signed: positive into the curator's
 * account, negative out of it (a void's clawback). Profit on a settled position is `paid_micro - net spend`.
 *
 * No foreign keys, on purpose: rows are written only by settlement, from the positions it has just read under the
 * market's lock, and the settled-books audit pairs every row with its position. Settling a round writes a row per
 * position (a million in the benchmark), and the two referential checks per row were most of that insert's cost.
 */
export const positionSettlement = pgTable(
  'position_settlement',
  {
    marketId: bigint('market_id', { mode: 'number' }).notNull(),
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    /** What the rule owes: the winning shares, or the net spend (negative for a trading profit to give back). */
    owedMicro: bigint('owed_micro', { mode: 'bigint' }).notNull(),
    /** What moved: equals owed except for a void's uncollected clawback or pro rata refund cut. */
    paidMicro: bigint('paid_micro', { mode: 'bigint' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.marketId, t.accountId] }),
    index('position_settlement_account_idx').on(t.accountId),
    // A payout is never more than owed; a clawback never takes more than owed.
    check(
      'position_settlement_bounded',
      sql`(${t.owedMicro} >= 0 and ${t.paidMicro} between 0 and ${t.owedMicro})
          or (${t.owedMicro} < 0 and ${t.paidMicro} between ${t.owedMicro} and 0)`,
    ),
  ],
)
