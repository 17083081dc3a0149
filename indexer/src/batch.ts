import type { EngagementRow, IndexOp, ListItemRow, PostRow } from '@curia/curation/records/types'

/**
 * One phase of a batch's writes, coalesced so each key is written once. write.ts applies a phase's statements in a
 * fixed order: post upserts and updates, new likes and reposts, removed ones, deleted posts, authors, list items.
 */
export interface BatchPlan {
  /** Candidate posts: inserted, updated in place when live, or made live again when deleted (a re-creation). */
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

export function emptyPlan(): BatchPlan {
  return {
    postUpserts: [],
    postUpdates: [],
    postDeletes: [],
    engagementCreates: [],
    engagementDeletes: [],
    profiles: [],
    handles: [],
    accountStatuses: [],
    listItemUpserts: [],
    listItemDeletes: [],
  }
}

/**
 * A batch's ops -> the phases to apply in order, in one transaction: what applying the ops one at a time, in stream
 * order, would leave, so the result never depends on where batch boundaries fall. Pure.
 *
 * The rule per record is the stream's own: the last op wins. atproto delivers each repo's events in order, and a
 * record can be deleted and then created again at the same URI (putRecord), so a delete makes a post or like not
 * live and a later create makes it live again, with the new content and nothing of the old engagement; a replayed
 * create of a record still live changes nothing. A delete of something never indexed needs no trace: whatever
 * follows it wins anyway. (Replays from the cursor re-deliver a suffix of the stream, in order, so the deletes that
 * followed a replayed create are replayed after it too.)
 *
 * Within a phase, the fixed statement order gives the stream's order for every pair of ops on one key but two: a
 * create after a delete of the same URI, and a like or repost before the create of the post it is about (one
 * at a time, that like finds no post and is dropped). An op that would be one of those starts a new phase; nearly
 * every batch is one phase.
 */
export function planBatch(ops: readonly IndexOp[]): BatchPlan[] {
  const phases: BatchPlan[] = []
  let phase = new Phase()
  for (const op of ops) {
    if (phase.mustFollow(op)) {
      phases.push(phase.plan())
      phase = new Phase()
    }
    phase.add(op)
  }
  if (!phase.isEmpty()) phases.push(phase.plan())
  return phases
}

class Phase {
  private readonly posts = new Map<string, { row: PostRow; candidate: boolean } | 'deleted'>()
  private readonly engagements = new Map<string, EngagementRow | 'deleted'>()
  /** Posts liked or reposted in this phase: creating one of them after that must wait for the next phase. */
  private readonly engaged = new Set<string>()
  private readonly profiles = new Map<string, BatchPlan['profiles'][number]>()
  private readonly handles = new Map<string, BatchPlan['handles'][number]>()
  private readonly statuses = new Map<string, BatchPlan['accountStatuses'][number]>()
  private readonly listItems = new Map<string, ListItemRow | 'deleted'>()
  private ops = 0

  isEmpty(): boolean {
    return this.ops === 0
  }

  /** Whether `op`, applied in this phase's statement order, would not come after the ops already in it. */
  mustFollow(op: IndexOp): boolean {
    switch (op.op) {
      case 'post_upsert':
        // Only a candidate creates a row; a non-candidate update after a delete changes nothing either way.
        return op.candidate && (this.posts.get(op.row.uri) === 'deleted' || this.engaged.has(op.row.uri))
      case 'engagement_create': {
        const prior = this.engagements.get(op.row.uri)
        // Re-created after a delete; or created twice with different subjects (no delete between: not something
        // atproto produces, but one at a time the second would be a no-op, not a replacement).
        return prior === 'deleted' || (prior !== undefined && prior.subjectUri !== op.row.subjectUri)
      }
      default:
        return false
    }
  }

  add(op: IndexOp): void {
    this.ops++
    switch (op.op) {
      case 'post_upsert': {
        const prior = this.posts.get(op.row.uri)
        if (prior === 'deleted') break // a non-candidate update of a deleted post (see mustFollow)
        // The newest content wins; a post that was a candidate in the phase stays one through later edits. One
        // at a time, the first candidate op would have inserted the row, so its date is the row's.
        const candidate = op.candidate || (prior?.candidate ?? false)
        const row = prior?.candidate ? { ...op.row, createdAt: prior.row.createdAt } : op.row
        this.posts.set(op.row.uri, { row, candidate })
        break
      }
      case 'post_delete':
        this.posts.set(op.uri, 'deleted')
        break
      case 'engagement_create':
        if (!this.engagements.has(op.row.uri)) this.engagements.set(op.row.uri, op.row)
        this.engaged.add(op.row.subjectUri)
        break
      case 'engagement_delete':
        this.engagements.set(op.uri, 'deleted')
        break
      case 'profile':
        this.profiles.delete(op.did) // re-insert so the map keeps the latest's position
        this.profiles.set(op.did, { did: op.did, displayName: op.displayName, avatarCid: op.avatarCid })
        break
      case 'handle':
        this.handles.delete(op.did)
        this.handles.set(op.did, { did: op.did, handle: op.handle })
        break
      case 'account_status':
        this.statuses.delete(op.did)
        this.statuses.set(op.did, { did: op.did, status: op.status })
        break
      // List items are deleted outright (nothing counts them): the last op of the phase is exactly what one at a
      // time would leave.
      case 'list_item_upsert':
        this.listItems.set(op.row.uri, op.row)
        break
      case 'list_item_delete':
        this.listItems.set(op.uri, 'deleted')
        break
    }
  }

  plan(): BatchPlan {
    const plan = emptyPlan()
    plan.profiles = [...this.profiles.values()]
    plan.handles = [...this.handles.values()]
    plan.accountStatuses = [...this.statuses.values()]
    for (const [uri, item] of this.listItems) {
      if (item === 'deleted') plan.listItemDeletes.push(uri)
      else plan.listItemUpserts.push(item)
    }
    // Created then deleted in the phase: one at a time it would be inserted, then tombstoned. Deleting alone
    // leaves no row instead of a tombstone, which is the same for everything after it (a tombstone and no row are
    // both "not live", and a create makes either live).
    for (const [uri, post] of this.posts) {
      if (post === 'deleted') plan.postDeletes.push(uri)
      else if (post.candidate) plan.postUpserts.push(post.row)
      else plan.postUpdates.push(post.row)
    }
    for (const [uri, engagement] of this.engagements) {
      if (engagement === 'deleted') plan.engagementDeletes.push(uri)
      // A like of a post deleted in this phase would be counted and then removed with the post (or, after the
      // delete, find no post): skip the work.
      else if (this.posts.get(engagement.subjectUri) !== 'deleted') plan.engagementCreates.push(engagement)
    }
    return plan
  }
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
