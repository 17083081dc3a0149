import { sql } from 'drizzle-orm'
import { bigint, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/** A facet reduced to what Curia renders: byte offsets into the UTF-8 text and what the span points to. */
export type PostFacet =
  | { kind: 'link'; byteStart: number; byteEnd: number; uri: string }
  | { kind: 'mention'; byteStart: number; byteEnd: number; did: string }
  | { kind: 'tag'; byteStart: number; byteEnd: number; tag: string }

export type PostImage = { cid: string; alt: string; aspectRatio?: { width: number; height: number } }

/** An embed reduced to what Curia renders; blobs are kept as CIDs and turned into URLs at presentation. */
export type PostEmbed =
  | { kind: 'images'; images: PostImage[] }
  | { kind: 'external'; uri: string; title: string; description: string; thumbCid?: string }
  | { kind: 'record'; uri: string }
  | { kind: 'recordWithMedia'; uri: string; media: PostEmbed }
  | { kind: 'video'; cid: string; alt: string; aspectRatio?: { width: number; height: number } }

/**
 * An author as the network last described them. `status` is null while the account is active, else the status
 * its last account event gave (`takendown`, `suspended`, `deleted`, `deactivated`, ...): an inactive account's
 * posts are kept (it may come back) but never served. `status_changed_at` lets the feed's cache find the posts to
 * blank out.
 */
export const author = pgTable(
  'author',
  {
    did: text('did').primaryKey(),
    handle: text('handle'),
    displayName: text('display_name'),
    avatarCid: text('avatar_cid'),
    status: text('status'),
    statusChangedAt: timestamp('status_changed_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * When Curia last tried to read this author from the network itself (DID document, verified handle, profile
     * record; curation/src/service/author-profiles.ts), because the stream only carries a profile or a handle when
     * it changes; null: never. `resolve_failures` counts the attempts that failed since the last success (0: the
     * last one succeeded), for the retry's backoff.
     */
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolveFailures: integer('resolve_failures').notNull().default(0),
  },
  (t) => [
    index('author_status_changed_at_idx')
      .on(t.statusChangedAt)
      .where(sql`${t.status} is not null`),
    // The failed lookups waiting for their retry: a handful of rows among every author the stream ever described.
    index('author_lookup_retry_idx')
      .on(t.resolvedAt)
      .where(sql`${t.resolveFailures} > 0`),
  ],
)

/**
 * A candidate post. Deletion is a tombstone on the row (content wiped, `deleted_at` set, engagement removed), which
 * keeps its surrogate id for feed snapshots and tells the feed caches what went away. The stream's last op wins: a
 * post created again at the same URI after its delete (putRecord) is live again with the new content and date.
 */
export const post = pgTable(
  'post',
  {
    uri: text('uri').primaryKey(),
    /** Compact surrogate key: feed snapshots store these instead of URIs. */
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity().notNull().unique(),
    cid: text('cid').notNull(),
    authorDid: text('author_did').notNull(),
    text: text('text').notNull(),
    langs: text('langs')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    facets: jsonb('facets').$type<PostFacet[]>().notNull().default([]),
    embed: jsonb('embed').$type<PostEmbed | null>(),
    replyRoot: text('reply_root'),
    replyParent: text('reply_parent'),
    quoteUri: text('quote_uri'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    indexedAt: timestamp('indexed_at', { withTimezone: true }).notNull().defaultNow(),
    likeCount: integer('like_count').notNull().default(0),
    repostCount: integer('repost_count').notNull().default(0),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  // No index on author_did: nothing queries posts by author yet (authors are joined from post to author), and
  // maintaining one cost about an eighth of the database's CPU per indexed post (bench/ingest.ts). Add it with
  // the first query that needs it.
  (t) => [
    index('post_live_created_at_idx')
      .on(t.createdAt.desc())
      .where(sql`${t.deletedAt} is null`),
    // Tombstones by deletion time, for the retention prune (curation/src/service/retention.ts) and the feed cache's
    // "deleted since" check, which otherwise read the whole table. Partial: a live post's insert or count update
    // never touches it, and a tombstoning update already writes new entries in every index of the row (deleted_at is
    // in the live index's predicate, so that update is never HOT).
    index('post_deleted_at_idx')
      .on(t.deletedAt)
      .where(sql`${t.deletedAt} is not null`),
  ],
)

/**
 * One like or repost of an indexed post. Kept (not just counted) because a delete event carries only the
 * engagement record's URI: without the row we could not tell which post's count to decrement, or whether the
 * create was already counted when the stream replays. An unliked row stays as a tombstone (`deleted_at` set); a
 * like created again at the same URI makes it live and counted again. The rows of a deleted post are removed with
 * it (no like is kept for a post that is not live). Live engagement is `deleted_at is null`.
 */
export const engagement = pgTable(
  'engagement',
  {
    uri: text('uri').primaryKey(),
    kind: text('kind', { enum: ['like', 'repost'] }).notNull(),
    subjectUri: text('subject_uri').notNull(),
    authorDid: text('author_did').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [index('engagement_subject_uri_idx').on(t.subjectUri)],
)
