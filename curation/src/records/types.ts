import type { PostEmbed, PostFacet } from '@curia/db'

export const SUPPORTED_COLLECTIONS = [
  'app.bsky.feed.post',
  'app.bsky.feed.like',
  'app.bsky.feed.repost',
  'app.bsky.actor.profile',
  /** Only items of the candidate lists are kept, and only asked for when lists are configured. */
  'app.bsky.graph.listitem',
] as const
export type Collection = (typeof SUPPORTED_COLLECTIONS)[number]

export function isSupportedCollection(value: string): value is Collection {
  return (SUPPORTED_COLLECTIONS as readonly string[]).includes(value)
}

/**
 * Why an event was dropped. Every drop is counted under one of these and logged (rate-limited); nothing is dropped
 * silently. Posts that are not candidates are not drops: they are `filtered`, counted apart.
 */
export const SKIP_REASONS = [
  /** Not JSON, or JSON without the fields the protocol promises. */
  'malformed_frame',
  /** A frame larger than any legitimate event. */
  'oversized_frame',
  /**
   * A commit whose signature or Merkle proof did not verify, or an event whose did:web host never answered
   * (firehose only).
   */
  'unverified_commit',
  /** A record its lexicon rejects (wrong types, text too long, bad datetime...). */
  'invalid_record',
  /** A record the lexicon allows but whose unbounded fields (alt text, link card, facets) exceed our limits. */
  'oversized_record',
  /** An event whose repo, collection or record key is not well formed. */
  'invalid_identifier',
  /** A batch the database refused for a reason other than being unreachable; bisected down to this event. */
  'write_rejected',
] as const
export type SkipReason = (typeof SKIP_REASONS)[number]

/** A post as stored: text cleaned, facets and embed normalized, `createdAt` an ISO string already clamped. */
export interface PostRow {
  uri: string
  cid: string
  authorDid: string
  text: string
  langs: string[]
  facets: PostFacet[]
  embed: PostEmbed | null
  replyRoot: string | null
  replyParent: string | null
  quoteUri: string | null
  createdAt: string
}

export type EngagementKind = 'like' | 'repost'

export interface EngagementRow {
  uri: string
  kind: EngagementKind
  subjectUri: string
  authorDid: string
  createdAt: string
}

/** A member of a candidate list: the `app.bsky.graph.listitem` record that puts `subjectDid` on `listUri`. */
export interface ListItemRow {
  uri: string
  listUri: string
  subjectDid: string
}

/**
 * One write the indexer wants, in stream order. Writes are idempotent by key (post and engagement URI, author DID),
 * which is what lets a replayed stream be applied again harmlessly.
 */
export type IndexOp =
  /** `candidate` posts are inserted or updated; others only update a row that already exists (added by hand). */
  | { op: 'post_upsert'; row: PostRow; candidate: boolean }
  | { op: 'post_delete'; uri: string }
  | { op: 'engagement_create'; row: EngagementRow }
  | { op: 'engagement_delete'; uri: string }
  | { op: 'profile'; did: string; displayName: string | null; avatarCid: string | null }
  | { op: 'handle'; did: string; handle: string }
  /** `status` null: the account is active again; otherwise why it is not (its posts stop being served). */
  | { op: 'account_status'; did: string; status: string | null }
  /** An item of a candidate list: its subject's posts are candidates from now on. */
  | { op: 'list_item_upsert'; row: ListItemRow }
  /** An item that is gone (or no longer on a candidate list): a delete by URI, a no-op for unknown items. */
  | { op: 'list_item_delete'; uri: string }

/** What mapping one event produced: a write, a counted drop, or nothing the index keeps. */
export type MapResult =
  | { kind: 'op'; op: IndexOp }
  | { kind: 'skip'; reason: SkipReason; detail: string }
  | { kind: 'filtered' }
  | { kind: 'ignored' }
