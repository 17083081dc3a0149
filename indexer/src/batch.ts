import type { EngagementRow, IndexOp, ListItemRow, PostRow } from '@curia/curation/records/types'

/**
 * A batch's writes, coalesced so each key is written once and the result is what applying the ops one by one, in
 * order, would leave. Pure.
 *
 * Deletion wins over everything else for a key, whatever the order inside the batch: a deleted post or like stays
 * deleted for good (its tombstone is what makes a replayed create harmless), so a create after a delete of the same
 * URI changes nothing either way. List items are the exception: their rows are deleted outright (nothing counts
 * them, and their record keys are never reused), so for them the last op of the batch wins, as it would one by one.
 */
export interface BatchPlan {
  /** Candidate posts: inserted, or updated in place when already live. */
  postUpserts: PostRow[]
  /** Non-candidate updates: applied only to a live row that already exists (a post someone added by hand). */
  postUpdates: PostRow[]
  postDeletes: string[]
  engagementCreates: EngagementRow[]
  engagementDeletes: string[]
  profiles: { did: string; displayName: string | null; avatarCid: string | null }[]
  handles: { did: string; handle: string }[]
  /** The latest account status per DID in the batch (null: active). */
  accountStatuses: { did: string; status: string | null }[]
  listItemUpserts: ListItemRow[]
  listItemDeletes: string[]
}

export function planBatch(ops: readonly IndexOp[]): BatchPlan {
  const posts = new Map<string, { row: PostRow; candidate: boolean } | 'deleted'>()
  const engagements = new Map<string, EngagementRow | 'deleted'>()
  const profiles = new Map<string, BatchPlan['profiles'][number]>()
  const handles = new Map<string, BatchPlan['handles'][number]>()
  const statuses = new Map<string, BatchPlan['accountStatuses'][number]>()
  const listItems = new Map<string, ListItemRow | 'deleted'>()

  for (const op of ops) {
    switch (op.op) {
      case 'post_upsert': {
        const prior = posts.get(op.row.uri)
        if (prior === 'deleted') break
        // The newest content wins; a post that was a candidate when created stays one through later edits.
        posts.set(op.row.uri, { row: op.row, candidate: op.candidate || (prior?.candidate ?? false) })
        break
      }
      case 'post_delete':
        posts.set(op.uri, 'deleted')
        break
      case 'engagement_create':
        if (!engagements.has(op.row.uri)) engagements.set(op.row.uri, op.row)
        break
      case 'engagement_delete':
        engagements.set(op.uri, 'deleted')
        break
      case 'profile':
        profiles.delete(op.did) // re-insert so the map keeps the latest's position
        profiles.set(op.did, { did: op.did, displayName: op.displayName, avatarCid: op.avatarCid })
        break
      case 'handle':
        handles.delete(op.did)
        handles.set(op.did, { did: op.did, handle: op.handle })
        break
      case 'account_status':
        statuses.delete(op.did)
        statuses.set(op.did, { did: op.did, status: op.status })
        break
      case 'list_item_upsert':
        listItems.set(op.row.uri, op.row)
        break
      case 'list_item_delete':
        listItems.set(op.uri, 'deleted')
        break
    }
  }

  const plan: BatchPlan = {
    postUpserts: [],
    postUpdates: [],
    postDeletes: [],
    engagementCreates: [],
    engagementDeletes: [],
    profiles: [...profiles.values()],
    handles: [...handles.values()],
    accountStatuses: [...statuses.values()],
    listItemUpserts: [],
    listItemDeletes: [],
  }
  for (const [uri, item] of listItems) {
    if (item === 'deleted') plan.listItemDeletes.push(uri)
    else plan.listItemUpserts.push(item)
  }
  for (const [uri, post] of posts) {
    if (post === 'deleted') plan.postDeletes.push(uri)
    else if (post.candidate) plan.postUpserts.push(post.row)
    else plan.postUpdates.push(post.row)
  }
  for (const [uri, engagement] of engagements) {
    if (engagement === 'deleted') plan.engagementDeletes.push(uri)
    // A like of a post deleted in this same batch would be counted and then removed with the post: skip the work.
    else if (posts.get(engagement.subjectUri) !== 'deleted') plan.engagementCreates.push(engagement)
  }
  return plan
}

export function isEmptyPlan(plan: BatchPlan): boolean {
  return (
    plan.postUpserts.length +
      plan.postUpdates.length +
      plan.postDeletes.length +
      plan.engagementCreates.length +
      plan.engagementDeletes.length +
      plan.profiles.length +
      plan.handles.length +
      plan.accountStatuses.length +
      plan.listItemUpserts.length +
      plan.listItemDeletes.length ===
    0
  )
}
