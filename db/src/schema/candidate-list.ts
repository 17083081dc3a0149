import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * The candidate lists whose items were read in full from their owner's repo (the indexer's backfill). From then on
 * the stream keeps `candidate_list_item` exact as of the indexer's cursor, so a restart that resumes from the cursor
 * replays membership changes in order instead of reading the list again; a list without a row here (newly
 * configured, or a start with no cursor to resume from) is read again. Rows of lists no longer configured are
 * dropped at start, with their items.
 */
export const candidateList = pgTable('candidate_list', {
  uri: text('uri').primaryKey(),
  loadedAt: timestamp('loaded_at', { withTimezone: true }).notNull().defaultNow(),
})

/**
 * Members of the candidate lists (`CURIA_CANDIDATE_LISTS`): one row per `app.bsky.graph.listitem` record of a
 * configured list, keyed by the listitem's own at-URI, because a delete event carries only that URI. Written by
 * the indexer in the same transaction as the rest of its batch (and by its start-up backfill, idempotently);
 * items of lists that are not configured are never stored. A post whose author is a `subject_did` here when it is
 * indexed is a candidate, as a listed author's is; leaving a list does not touch posts already indexed.
 */
export const candidateListItem = pgTable(
  'candidate_list_item',
  {
    uri: text('uri').primaryKey(),
    listUri: text('list_uri').notNull(),
    subjectDid: text('subject_did').notNull(),
    indexedAt: timestamp('indexed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('candidate_list_item_list_uri_idx').on(t.listUri)],
)
