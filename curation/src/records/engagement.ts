import {
  clampCreatedAt,
  isObject,
  isPostUri,
  skip,
  validateClampedRecord,
  type RecordContext,
} from './common'
import type { EngagementKind, MapResult } from './types'

/**
 * app.bsky.feed.like and app.bsky.feed.repost share a shape (a strong ref to the subject): one mapping for both.
 * Pure. Likes of anything but a post (feeds, lists, labelers) are `ignored`: only posts get markets. Whether the
 * subject is indexed is the database's question, asked in the same statement that counts the like.
 */
export function mapEngagementRecord(
  kind: EngagementKind,
  collection: string,
  record: unknown,
  ctx: RecordContext,
): MapResult {
  if (!isObject(record)) return skip('invalid_record', `${ctx.uri}: record is not an object`)
  const createdAt = clampCreatedAt(record.createdAt, ctx.eventTimeMs)
  const invalid = validateClampedRecord(collection, record, createdAt.iso)
  if (invalid !== undefined) return skip('invalid_record', `${ctx.uri}: ${invalid}`)
  const subjectUri = (record.subject as { uri: string }).uri
  if (!isPostUri(subjectUri)) return { kind: 'ignored' }
  return {
    kind: 'op',
    op: {
      op: 'engagement_create',
      row: { uri: ctx.uri, kind, subjectUri, authorDid: ctx.did, createdAt: createdAt.iso },
    },
  }
}
