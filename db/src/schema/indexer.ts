import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * Where each event source resumes. Written in the same transaction as the batch it follows, so it never moves
 * past an event whose writes did not commit.
 */
export const indexerCursor = pgTable('indexer_cursor', {
  source: text('source').primaryKey(),
  cursor: bigint('cursor', { mode: 'bigint' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})
