import type { CandidatePolicy } from '@curia/curation/candidate'
import type { AccountEvent, CommitEvent, IdentityEvent } from '../source/types'
import { isDid, isRecordKey, skip, type RecordContext } from '@curia/curation/records/common'
import { mapAccountEvent, mapIdentityEvent } from '@curia/curation/records/identity'
import { mapLikeRecord } from '@curia/curation/records/like'
import { mapListItemDelete, mapListItemRecord } from '@curia/curation/records/listitem'
import { mapPostRecord } from '@curia/curation/records/post'
import { mapProfileRecord } from '@curia/curation/records/profile'
import { mapRepostRecord } from '@curia/curation/records/repost'
import type { Collection, MapResult } from '@curia/curation/records/types'

export * from '@curia/curation/records/types'
export { clampCreatedAt, cleanText, RECORD_LIMITS, MAX_CLOCK_SKEW_MS } from '@curia/curation/records/common'

/**
 * One source event -> at most one write. Pure: the dispatch from collection to its `records/<collection>.ts`.
 * Collections not in `collections` are `ignored` (the firehose cannot filter upstream).
 */
export function mapEvent(
  event: CommitEvent | IdentityEvent | AccountEvent,
  policy: CandidatePolicy,
  collections: ReadonlySet<Collection>,
): MapResult {
  if (event.kind === 'identity') return mapIdentityEvent(event.did, event.handle)
  if (event.kind === 'account') return mapAccountEvent(event.did, event.active, event.status)

  if (!collections.has(event.collection as Collection)) return { kind: 'ignored' }
  if (!isDid(event.did))
    return skip('invalid_identifier', `commit from ${JSON.stringify(event.did).slice(0, 200)}`)
  if (!isRecordKey(event.rkey)) {
    return skip(
      'invalid_identifier',
      `${event.did}/${event.collection}: bad record key ${JSON.stringify(event.rkey).slice(0, 200)}`,
    )
  }
  const uri = `at://${event.did}/${event.collection}/${event.rkey}`
  const ctx: RecordContext = { did: event.did, rkey: event.rkey, uri, eventTimeMs: event.timeMs }
  const collection = event.collection as Collection

  if (event.operation === 'delete') {
    switch (collection) {
      case 'app.bsky.feed.post':
        return { kind: 'op', op: { op: 'post_delete', uri } }
      case 'app.bsky.feed.like':
      case 'app.bsky.feed.repost':
        return { kind: 'op', op: { op: 'engagement_delete', uri } }
      case 'app.bsky.actor.profile':
        return mapProfileRecord(undefined, 'delete', ctx)
      case 'app.bsky.graph.listitem':
        return mapListItemDelete(ctx, policy.lists)
    }
  }

  switch (collection) {
    case 'app.bsky.feed.post':
      return mapPostRecord(event.record, event.cid, event.operation, ctx, policy)
    case 'app.bsky.feed.like':
      // A like or repost is never edited by clients; an update would re-point it, which no count can follow.
      return event.operation === 'create' ? mapLikeRecord(event.record, ctx) : { kind: 'ignored' }
    case 'app.bsky.feed.repost':
      return event.operation === 'create' ? mapRepostRecord(event.record, ctx) : { kind: 'ignored' }
    case 'app.bsky.actor.profile':
      return mapProfileRecord(event.record, event.operation, ctx)
    case 'app.bsky.graph.listitem':
      return mapListItemRecord(event.record, event.operation, ctx, policy.lists)
  }
}
