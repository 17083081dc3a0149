import { sql } from 'drizzle-orm'
import { bigint, index, integer, pgTable, real, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * A frozen ranking. Pagination cursors point into one snapshot (snapshot id + offset), so a reader paging
 * through the feed sees no duplicates and no gaps while newer snapshots are published.
 */
export const feedSnapshot = pgTable(
  'feed_snapshot',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The feed's record key (one generator can serve several feeds). */
    feed: text('feed').notNull(),
    /** Which ranking produced it, e.g. `market-v1`; recorded so a snapshot explains itself. */
    ranking: text('ranking').notNull(),
    postIds: bigint('post_ids', { mode: 'number' }).array().notNull(),
    scores: real('scores').array().notNull(),
    /** Ranks (offsets into post_ids) filled by exploration slots rather than by score. */
    explorationRanks: integer('exploration_ranks')
      .array()
      .notNull()
      .default(sql`'{}'::integer[]`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('feed_snapshot_feed_id_idx').on(t.feed, t.id.desc())],
)

/**
 * How many times the feed has served each post (to Bluesky clients through getFeedSkeleton and to Curia's own
 * reader). Exposure drives the jury's sampling: the more a post was pushed up the feed, the likelier it is judged.
 * Kept apart from the market row so counting impressions never contends with trades for its lock.
 */
export const feedExposure = pgTable('feed_exposure', {
  postId: bigint('post_id', { mode: 'number' }).primaryKey(),
  impressions: bigint('impressions', { mode: 'number' }).notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})
