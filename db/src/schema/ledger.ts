import { sql } from 'drizzle-orm'
import { bigint, check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

/**
 * Who can hold credits. The mint is the source of every credit: its balance is minus everything ever minted, so
 * "all balances == credits minted" becomes "the sum over every account is 0", which one query can check.
 */
export const ACCOUNT_KINDS = ['curator', 'market', 'treasury', 'mint'] as const
export type AccountKind = (typeof ACCOUNT_KINDS)[number]

/**
 * Why credits moved. Closed set: an audit can explain every entry. Settlement and the verified-human faucet reasons
 * are listed now so their services need no schema change.
 */
export const LEDGER_REASONS = [
  'treasury_funding', // mint -> treasury, at setup (and any later operator top-up)
  'starting_grant', // mint -> curator, once per DID
  'human_grant', // mint -> curator, once per verified human (reference: the faucet nullifier)
  'market_fee', // curator -> treasury, when a curator opens a market
  'market_subsidy', // treasury -> market escrow, b ln 2 at opening
  'trade_buy', // curator -> market escrow
  'trade_sell', // market escrow -> curator
  'settlement_payout', // market escrow -> curator, winning shares
  'settlement_refund', // market escrow -> curator, void-and-refund
  'settlement_remainder', // market escrow -> treasury, what the market maker keeps
] as const
export type LedgerReason = (typeof LEDGER_REASONS)[number]

/** Reasons that happen at most once per reference; a unique index makes a race lose instead of paying twice. */
export const ONCE_PER_REFERENCE_REASONS = [
  'treasury_funding',
  'starting_grant',
  'human_grant',
  'market_fee',
  'market_subsidy',
] as const satisfies readonly LedgerReason[]

const quoted = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '))

export const account = pgTable(
  'account',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text('kind', { enum: ACCOUNT_KINDS }).notNull(),
    /** The curator's DID (kind = curator only). */
    did: text('did'),
    /** The market this escrow belongs to (kind = market only). No foreign key: market.ts already points here. */
    marketId: bigint('market_id', { mode: 'number' }),
    /** Micro-credits. Only ever changed together with a ledger entry, in the same transaction. */
    balanceMicro: bigint('balance_micro', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('account_kind_check', sql`${t.kind} in (${quoted(ACCOUNT_KINDS)})`),
    // The whole point of the mint: it alone may go below zero.
    check('account_balance_nonnegative', sql`${t.kind} = 'mint' or ${t.balanceMicro} >= 0`),
    check(
      'account_owner_check',
      sql`(${t.kind} = 'curator') = (${t.did} is not null) and (${t.kind} = 'market') = (${t.marketId} is not null)`,
    ),
    uniqueIndex('account_curator_did_key')
      .on(t.did)
      .where(sql`${t.kind} = 'curator'`),
    uniqueIndex('account_market_id_key')
      .on(t.marketId)
      .where(sql`${t.kind} = 'market'`),
    // One treasury, one mint.
    uniqueIndex('account_singleton_kind_key')
      .on(t.kind)
      .where(sql`${t.kind} in ('treasury', 'mint')`),
  ],
)

/** One movement of credits. Append-only: a correction is a new entry, never an edit. */
export const ledgerEntry = pgTable(
  'ledger_entry',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    fromAccount: bigint('from_account', { mode: 'number' })
      .notNull()
      .references(() => account.id),
    toAccount: bigint('to_account', { mode: 'number' })
      .notNull()
      .references(() => account.id),
    amountMicro: bigint('amount_micro', { mode: 'bigint' }).notNull(),
    reason: text('reason', { enum: LEDGER_REASONS }).notNull(),
    /** What caused it: `trade:<id>`, `market:<id>`, the DID for a starting grant, a nullifier, `setup`. */
    reference: text('reference').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('ledger_entry_amount_positive', sql`${t.amountMicro} > 0`),
    check('ledger_entry_distinct_accounts', sql`${t.fromAccount} <> ${t.toAccount}`),
    check('ledger_entry_reason_check', sql`${t.reason} in (${quoted(LEDGER_REASONS)})`),
    uniqueIndex('ledger_entry_once_key')
      .on(t.reason, t.reference)
      .where(sql`${t.reason} in (${quoted(ONCE_PER_REFERENCE_REASONS)})`),
    index('ledger_entry_from_idx').on(t.fromAccount),
    index('ledger_entry_to_idx').on(t.toAccount),
  ],
)
