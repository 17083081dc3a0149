import { isObject, parseRecordUri, skip, validateRecord, type RecordContext } from './common'
import type { MapResult } from './types'

export const LIST_ITEM_COLLECTION = 'app.bsky.graph.listitem'

/**
 * app.bsky.graph.listitem -> a member of a candidate list. Pure.
 *
 * `lists` is the configured candidate lists; the network's other list items (moderation lists, starter packs,
 * everyone else's curation) are `ignored` before validation. An item lives in its list owner's repo, so an update
 * that moves an item off a candidate list, made in a candidate list owner's repo, becomes a delete.
 */
export function mapListItemRecord(
  record: unknown,
  operation: 'create' | 'update',
  ctx: RecordContext,
  lists: ReadonlySet<string>,
): MapResult {
  if (!isObject(record)) return skip('invalid_record', `${ctx.uri}: record is not an object`)
  if (typeof record.list !== 'string' || !lists.has(record.list)) {
    return operation === 'update' ? mapListItemDelete(ctx, lists) : { kind: 'ignored' }
  }
  // Only the list's owner puts people on it: an item naming the list from another repo means nothing (Bluesky's
  // AppView ignores it too), so it is not a drop either.
  if (parseRecordUri(record.list)?.did !== ctx.did) return { kind: 'ignored' }
  const invalid = validateRecord(LIST_ITEM_COLLECTION, record)
  if (invalid !== undefined) return skip('invalid_record', `${ctx.uri}: ${invalid}`)
  return {
    kind: 'op',
    op: {
      op: 'list_item_upsert',
      row: { uri: ctx.uri, listUri: record.list, subjectDid: record.subject as string },
    },
  }
}

/**
 * A deleted listitem: the event names only its URI, not its list, so any delete in the repo of a candidate list's
 * owner is passed on (deleting an unknown URI changes nothing); deletes anywhere else are `ignored`.
 */
export function mapListItemDelete(ctx: RecordContext, lists: ReadonlySet<string>): MapResult {
  const prefix = `at://${ctx.did}/`
  for (const list of lists) {
    if (list.startsWith(prefix)) return { kind: 'op', op: { op: 'list_item_delete', uri: ctx.uri } }
  }
  return { kind: 'ignored' }
}
