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
