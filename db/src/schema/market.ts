import { sql } from 'drizzle-orm'
import {
  bigint,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { account } from './ledger'
import type { PostEmbed, PostFacet } from './post'

export const MARKET_STATUSES = ['open', 'closed', 'settled', 'void'] as const
export type MarketStatus = (typeof MARKET_STATUSES)[number]
export const OUTCOMES = ['yes', 'no'] as const
export const TRADE_SIDES = ['buy', 'sell'] as const

const quoted = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '))

/**
 * One binary LMSR market per post: "if this post is sampled, will the jury endorse it?". Its escrow is the account
 * with kind = 'market' and market_id = id. `post_uri` has no foreign key: a curator may open a market on a post the
 * indexer has not seen (yet).
 */
export const market = pgTable(
  'market',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    postUri: text('post_uri').notNull(),
    /** Liquidity b, micro-credits. */
    liquidityMicro: bigint('liquidity_micro', { mode: 'bigint' }).notNull(),
    /** Outstanding shares, micro; always the sum of every position's shares (tests check it). */
    qYesMicro: bigint('q_yes_micro', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    qNoMicro: bigint('q_no_micro', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    status: text('status', { enum: MARKET_STATUSES }).notNull().default('open'),
    /** Set when settled with a verdict: the outcome whose shares pay 1 credit. */
    resolvedOutcome: text('resolved_outcome', { enum: OUTCOMES }),
    /** What the treasury escrowed at opening (b ln 2 rounded up) and what the opener paid. */
    subsidyMicro: bigint('subsidy_micro', { mode: 'bigint' }).notNull(),
    feeMicro: bigint('fee_micro', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    /** The curator who opened it; null when the candidate policy did. */
    createdBy: text('created_by'),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    closesAt: timestamp('closes_at', { withTimezone: true }).notNull(),
    settledAt: timestamp('settled_at', { withTimezone: true }),
    /** Maintained by trades, so ranking and the exploration slots read them without counting. */
    tradeCount: integer('trade_count').notNull().default(0),
    traderCount: integer('trader_count').notNull().default(0),
    volumeMicro: bigint('volume_micro', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    lastTradeAt: timestamp('last_trade_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('market_post_uri_key').on(t.postUri),
    check('market_status_check', sql`${t.status} in (${quoted(MARKET_STATUSES)})`),
    check('market_liquidity_positive', sql`${t.liquidityMicro} > 0`),
    check('market_q_nonnegative', sql`${t.qYesMicro} >= 0 and ${t.qNoMicro} >= 0`),
    check(
      'market_resolution_check',
      sql`(${t.status} = 'settled') = (${t.resolvedOutcome} is not null) and ${t.resolvedOutcome} in ('yes', 'no')`,
    ),
    index('market_open_closes_at_idx')
      .on(t.closesAt)
      .where(sql`${t.status} = 'open'`),
  ],
)

/**
 * The post as it stood when its market opened, kept until the market settles: what the jury judges. A bet is on a
 * post's content, so its author deleting the post, rewriting it at the same address, or deactivating their account
 * once it has had its time in the feed must not take it away from the jury (a post the jury cannot see has no
 * quorum, and a void refunds every bet: capture for free). Only the ballot shows it; every public page follows the
 * post's live state, and settlement deletes the row.
 */
export const marketPostCopy = pgTable('market_post_copy', {
  marketId: bigint('market_id', { mode: 'number' })
    .primaryKey()
    .references(() => market.id),
  cid: text('cid').notNull(),
  text: text('text').notNull(),
  facets: jsonb('facets').$type<PostFacet[]>().notNull(),
  embed: jsonb('embed').$type<PostEmbed | null>(),
  replyParent: text('reply_parent'),
  quoteUri: text('quote_uri'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
})

/** A curator's holding in one market. Net spend (spent - received) is what a void refunds. */
export const position = pgTable(
  'position',
  {
    marketId: bigint('market_id', { mode: 'number' })
      .notNull()
      .references(() => market.id),
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => account.id),
    yesSharesMicro: bigint('yes_shares_micro', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    noSharesMicro: bigint('no_shares_micro', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    /** Micro-credits paid on buys, and received from sells, over the position's life. */
    spentMicro: bigint('spent_micro', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    receivedMicro: bigint('received_micro', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    netSpendMicro: bigint('net_spend_micro', { mode: 'bigint' })
      .notNull()
      .generatedAlwaysAs(sql`spent_micro - received_micro`),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.marketId, t.accountId] }),
    check('position_shares_nonnegative', sql`${t.yesSharesMicro} >= 0 and ${t.noSharesMicro} >= 0`),
    index('position_account_idx').on(t.accountId),
  ],
)

/**
 * One fill. Prices before and after are stored (as YES prices) so charts and calibration never recompute; the
 * request fingerprint lets a retried idempotency key return this row, or be refused when its body differs.
 */
export const trade = pgTable(
  'trade',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    marketId: bigint('market_id', { mode: 'number' })
      .notNull()
      .references(() => market.id),
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => account.id),
    side: text('side', { enum: TRADE_SIDES }).notNull(),
    outcome: text('outcome', { enum: OUTCOMES }).notNull(),
    sharesMicro: bigint('shares_micro', { mode: 'bigint' }).notNull(),
    /** Cost of a buy, proceeds of a sell. */
    moneyMicro: bigint('money_micro', { mode: 'bigint' }).notNull(),
    yesPriceBefore: doublePrecision('yes_price_before').notNull(),
    yesPriceAfter: doublePrecision('yes_price_after').notNull(),
    qYesAfterMicro: bigint('q_yes_after_micro', { mode: 'bigint' }).notNull(),
    qNoAfterMicro: bigint('q_no_after_micro', { mode: 'bigint' }).notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    requestFingerprint: text('request_fingerprint').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    check('trade_side_check', sql`${t.side} in ('buy', 'sell')`),
    check('trade_outcome_check', sql`${t.outcome} in ('yes', 'no')`),
    check('trade_amounts_positive', sql`${t.sharesMicro} > 0 and ${t.moneyMicro} > 0`),
    // Unique per account, and an account is one DID: so unique per (did, key).
    uniqueIndex('trade_account_idempotency_key').on(t.accountId, t.idempotencyKey),
    index('trade_market_id_idx').on(t.marketId, t.id),
  ],
)
