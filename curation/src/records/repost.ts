import type { RecordContext } from './common'
import { mapEngagementRecord } from './engagement'
import type { MapResult } from './types'

export const REPOST_COLLECTION = 'app.bsky.feed.repost'

/** app.bsky.feed.repost -> an engagement row of kind `repost`. Pure. */
export function mapRepostRecord(record: unknown, ctx: RecordContext): MapResult {
  return mapEngagementRecord('repost', REPOST_COLLECTION, record, ctx)
}
