import type { RecordContext } from './common'
import { mapEngagementRecord } from './engagement'
import type { MapResult } from './types'

export const LIKE_COLLECTION = 'app.bsky.feed.like'

/** app.bsky.feed.like -> an engagement row of kind `like`. Pure. */
export function mapLikeRecord(record: unknown, ctx: RecordContext): MapResult {
  return mapEngagementRecord('like', LIKE_COLLECTION, record, ctx)
}
