import { isDid, skip } from './common'
import type { MapResult } from './types'

/** RFC 1035-ish labels, at least two, as atproto handles are; the source has already vouched for the binding. */
const HANDLE = /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/

/**
 * An identity event -> the author's current handle. Pure. An event without a handle (the source could not verify
 * one) changes nothing: the last verified handle is a better label than none.
 */
export function mapIdentityEvent(did: string, handle: string | undefined): MapResult {
  if (!isDid(did))
    return skip('invalid_identifier', `identity event for ${JSON.stringify(did).slice(0, 200)}`)
  if (handle === undefined) return { kind: 'ignored' }
  if (handle.length > 253 || !HANDLE.test(handle)) {
    return skip(
      'invalid_identifier',
      `identity event for ${did}: bad handle ${JSON.stringify(handle).slice(0, 300)}`,
    )
  }
  return { kind: 'op', op: { op: 'handle', did, handle: handle.toLowerCase() } }
}

/** Statuses are short lower-case words (`takendown`, `suspended`, `deleted`, `deactivated`, ...); the set is open. */
const STATUS = /^[a-z][a-z_-]{0,63}$/

/**
 * An account event -> the author's status. Pure. An inactive account (taken down, suspended, deleted, deactivated)
 * keeps its posts in the index, since it may come back, but the feed stops serving them; an active one clears the
 * status. An inactive event without a status (the protocol allows it) is recorded as `inactive`.
 */
export function mapAccountEvent(did: string, active: boolean, status: string | undefined): MapResult {
  if (!isDid(did)) return skip('invalid_identifier', `account event for ${JSON.stringify(did).slice(0, 200)}`)
  if (active) return { kind: 'op', op: { op: 'account_status', did, status: null } }
  if (status !== undefined && !STATUS.test(status)) {
    return skip(
      'malformed_frame',
      `account event for ${did}: bad status ${JSON.stringify(status).slice(0, 100)}`,
    )
  }
  return { kind: 'op', op: { op: 'account_status', did, status: status ?? 'inactive' } }
}
