import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
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
import { market } from './market'

/**
 * The jury layer: the Semaphore group of verified humans (commitments only: who a member is lives in admission's
 * private `juror_binding`, never here), its versioned roots, the rounds that sample closed markets, and the
 * anonymous ballots. Everything in these tables except `jury_round_secret` (before its reveal) is published with
 * the round's export.
 */

export const ROUND_STATUSES = ['committed', 'frozen', 'voting', 'closed'] as const
export type RoundStatus = (typeof ROUND_STATUSES)[number]
export const VERDICTS = ['endorse', 'reject', 'void'] as const
export type Verdict = (typeof VERDICTS)[number]

const quoted = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '))
/** A field element or hash written as a canonical decimal (no leading zeros), as Semaphore prints them. */
const DECIMAL = '^(0|[1-9][0-9]{0,77})$'
const HEX32 = '^0x[0-9a-f]{64}$'

/**
 * The group's head, one row (id = 1). Every member addition or removal locks it, so leaves get consecutive indexes
 * and each change produces exactly one new root version. `size` counts leaves, removed ones included (a removed
 * member's leaf stays in place, set to 0, as Semaphore's `removeMember` does), so `version >= size`.
 */
export const juryGroup = pgTable(
  'jury_group',
  {
    id: integer('id').primaryKey(),
    version: integer('version').notNull(),
    size: integer('size').notNull(),
    /** The LeanIMT root at `version`; null while the group is empty (a LeanIMT has no root then). */
    root: text('root'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    check('jury_group_singleton', sql`${t.id} = 1`),
    check('jury_group_version_covers_size', sql`${t.version} >= ${t.size}`),
    check('jury_group_root_present', sql`(${t.size} = 0) = (${t.root} is null)`),
  ],
)

/**
 * One leaf per member, in insertion order: the tree is exactly these commitments by `leaf_index`, except that a
 * leaf removed at root version v (`removed_version`) is 0 in every version from v on.
 */
export const juryMember = pgTable(
  'jury_member',
  {
    leafIndex: integer('leaf_index').primaryKey(),
    /** The Semaphore identity commitment, decimal. */
    commitment: text('commitment').notNull(),
    admittedAt: timestamp('admitted_at', { withTimezone: true }).notNull(),
    /** The root version whose tree first has this leaf zeroed (the member was revoked); null while a member. */
    removedVersion: integer('removed_version'),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('jury_member_commitment_key').on(t.commitment),
    check('jury_member_removed_together', sql`(${t.removedVersion} is null) = (${t.removedAt} is null)`),
    check(
      'jury_member_removed_after_added',
      sql`${t.removedVersion} is null or ${t.removedVersion} > ${t.leafIndex}`,
    ),
    check('jury_member_commitment_decimal', sql`${t.commitment} ~ ${sql.raw(`'${DECIMAL}'`)}`),
    check('jury_member_leaf_index_nonnegative', sql`${t.leafIndex} >= 0`),
  ],
)

/**
 * Every root the group has had. Version n is the tree of the first `size` leaves (leaf indexes 0..size-1), with the
 * leaves removed at versions <= n set to 0; a round that froze version n rebuilds it from those commitments.
 */
export const juryGroupRoot = pgTable(
  'jury_group_root',
  {
    version: integer('version').primaryKey(),
    root: text('root').notNull(),
    size: integer('size').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    check('jury_group_root_version_covers_size', sql`${t.version} >= ${t.size} and ${t.size} > 0`),
    check('jury_group_root_decimal', sql`${t.root} ~ ${sql.raw(`'${DECIMAL}'`)}`),
    index('jury_group_root_root_idx').on(t.root),
  ],
)

/**
 * A jury round. `committed`: opened, the seed commitment published, its window collecting closed markets.
 * `frozen`: the window is over and the eligible set recorded with its commitment (`eligible_hash`); then the
 * beacon block is chosen, and the round waits for it. `voting`: the seed revealed,
 * mixed with the beacon, the sample drawn; ballots accepted until `voting_ends_at`. `closed`: tallied, verdicts
 * recorded, the export's Merkle root fixed. `settled_at` is set once the settlement hook has run for it.
 */
export const juryRound = pgTable(
  'jury_round',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    status: text('status', { enum: ROUND_STATUSES }).notNull().default('committed'),
    /** Semaphore scope: sha256("curia/round/v1/<id>") >> 8, decimal. */
    scope: text('scope').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    /** Markets whose trading closed in [window_starts_at, window_ends_at) are eligible. */
    windowStartsAt: timestamp('window_starts_at', { withTimezone: true }).notNull(),
    windowEndsAt: timestamp('window_ends_at', { withTimezone: true }).notNull(),
    /** How long ballots are accepted once the sample is drawn. */
    votingMs: bigint('voting_ms', { mode: 'number' }).notNull(),
    /** The group root frozen at opening: the only root this round's proofs may use. Version 0 = empty group. */
    rootVersion: integer('root_version').notNull(),
    root: text('root'),
    /** Sampling and tally parameters, fixed at opening (published with the export). */
    params: jsonb('params').notNull(),
    /** 0x sha256 of the 32-byte seed. */
    seedCommitment: text('seed_commitment').notNull(),
    /** The beacon chosen at opening: `{ kind: 'operator' }` or `{ kind: 'block', ... }` (block fixed at freeze). */
    beacon: jsonb('beacon').notNull(),
    frozenAt: timestamp('frozen_at', { withTimezone: true }),
    /** Revealed seed (0x, 32 bytes) and the mixed seed it produced with the beacon. */
    seed: text('seed'),
    mixedSeed: text('mixed_seed'),
    revealedAt: timestamp('revealed_at', { withTimezone: true }),
    votingEndsAt: timestamp('voting_ends_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /**
     * 0x sha256 commitment to the eligible list (`eligibleSetHash`: market id, post and exposure of each), fixed
     * and shown publicly at freeze, before the beacon block is chosen (and anchored on-chain first when anchoring
     * is configured). Null before freeze, and in rounds frozen before the commitment existed.
     */
    eligibleHash: text('eligible_hash'),
    /** 0x Merkle root of the round's canonical export, fixed at close (for anchoring on-chain). */
    exportRoot: text('export_root'),
    /** When the jury worker found `export_root` anchored on-chain (sent or already there); null: not anchored. */
    exportAnchoredAt: timestamp('export_anchored_at', { withTimezone: true }),
    settledAt: timestamp('settled_at', { withTimezone: true }),
  },
  (t) => [
    check('jury_round_status_check', sql`${t.status} in (${quoted(ROUND_STATUSES)})`),
    check('jury_round_window_check', sql`${t.windowStartsAt} < ${t.windowEndsAt}`),
    check('jury_round_seed_commitment_hex', sql`${t.seedCommitment} ~ ${sql.raw(`'${HEX32}'`)}`),
    check('jury_round_root_present', sql`(${t.rootVersion} = 0) = (${t.root} is null)`),
    check(
      'jury_round_progress',
      sql`(${t.status} = 'committed') = (${t.frozenAt} is null)
          and (${t.status} in ('committed', 'frozen')) = (${t.seed} is null)
          and (${t.seed} is null) = (${t.mixedSeed} is null)
          and (${t.seed} is null) = (${t.votingEndsAt} is null)
          and (${t.status} = 'closed') = (${t.closedAt} is not null)
          and (${t.status} = 'closed') = (${t.exportRoot} is not null)
          and (${t.settledAt} is null or ${t.status} = 'closed')`,
    ),
    check(
      'jury_round_eligible_hash_hex',
      sql`${t.eligibleHash} is null or ${t.eligibleHash} ~ ${sql.raw(`'${HEX32}'`)}`,
    ),
    // Not "present once frozen": rounds frozen before the commitment existed have none.
    check(
      'jury_round_eligible_hash_after_freeze',
      sql`${t.status} <> 'committed' or ${t.eligibleHash} is null`,
    ),
    check('jury_round_anchored_when_closed', sql`${t.exportAnchoredAt} is null or ${t.status} = 'closed'`),
    uniqueIndex('jury_round_window_starts_at_key').on(t.windowStartsAt),
    index('jury_round_status_idx').on(t.status),
  ],
)

/**
 * The operator's secret seed, kept apart from `jury_round` so no query of rounds can leak it before the reveal
 * (which copies it into `jury_round.seed`).
 */
export const juryRoundSecret = pgTable('jury_round_secret', {
  roundId: bigint('round_id', { mode: 'number' })
    .primaryKey()
    .references(() => juryRound.id),
  seed: text('seed').notNull(),
})

/**
 * The round's eligible markets, frozen with their exposure; the sample and, after close, each sampled market's
 * tally and verdict. A market is judged in at most one round.
 */
export const juryRoundMarket = pgTable(
  'jury_round_market',
  {
    roundId: bigint('round_id', { mode: 'number' })
      .notNull()
      .references(() => juryRound.id),
    marketId: bigint('market_id', { mode: 'number' })
      .notNull()
      .references(() => market.id),
    postUri: text('post_uri').notNull(),
    /** Impressions of the post (feed_exposure) when eligibility froze. */
    exposure: bigint('exposure', { mode: 'number' }).notNull(),
    /** Set at the reveal: the inclusion probability and whether the draw fell under it. */
    probability: doublePrecision('probability'),
    sampled: boolean('sampled'),
    /** Set at close, for sampled markets. */
    endorseVotes: integer('endorse_votes'),
    rejectVotes: integer('reject_votes'),
    abstainVotes: integer('abstain_votes'),
    verdict: text('verdict', { enum: VERDICTS }),
  },
  (t) => [
    primaryKey({ columns: [t.roundId, t.marketId] }),
    uniqueIndex('jury_round_market_market_key').on(t.marketId),
    check('jury_round_market_exposure_nonnegative', sql`${t.exposure} >= 0`),
    check('jury_round_market_verdict_check', sql`${t.verdict} in (${quoted(VERDICTS)})`),
    check('jury_round_market_verdict_sampled', sql`${t.verdict} is null or ${t.sampled}`),
  ],
)

/**
 * One anonymous ballot: the Semaphore proof as sent, its nullifier and the canonical content whose sha256 is the
 * proof's message. No account, session, address or arrival time is stored (a time would let anyone holding access
 * logs link a ballot to a connection). The primary key (round, nullifier) is what makes the first ballot stand:
 * two racing copies cannot both insert.
 */
export const juryBallot = pgTable(
  'jury_ballot',
  {
    roundId: bigint('round_id', { mode: 'number' })
      .notNull()
      .references(() => juryRound.id),
    nullifier: text('nullifier').notNull(),
    proof: jsonb('proof').notNull(),
    content: text('content').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.roundId, t.nullifier] }),
    check('jury_ballot_nullifier_decimal', sql`${t.nullifier} ~ ${sql.raw(`'${DECIMAL}'`)}`),
  ],
)
