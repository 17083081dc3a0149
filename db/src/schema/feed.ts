import { bigint, index, pgTable, real, text, timestamp } from 'drizzle-orm/pg-core'

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
    /** Which ranking produced it, e.g. `interim-v1`; recorded so a snapshot explains itself. */
    ranking: text('ranking').notNull(),
    postIds: bigint('post_ids', { mode: 'number' }).array().notNull(),
    scores: real('scores').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('feed_snapshot_feed_id_idx').on(t.feed, t.id.desc())],
)
