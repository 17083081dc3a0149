import { isDid, skip } from './common'
import type { MapResult } from './types'

/** RFC 1035-ish labels, at least two, the last not numeric, as atproto handles are; 253 characters at most. */
const HANDLE = /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/

/**
 * What atproto puts in place of a handle that failed verification (`com.atproto.sync.subscribeRepos#identity`,
 * resolvers): a well-formed name (isHandle accepts it) that is nobody's handle.
 */
export const HANDLE_INVALID = 'handle.invalid'

export function isHandle(value: string): boolean {
  return value.length <= 253 && HANDLE.test(value)
}

/** A DID as a person may type one (a DID cannot end with a colon). */
export function isDidLike(value: string): boolean {
  return isDid(value) && !value.endsWith(':')
}

/** An account as a person types it: a DID, or a handle with or without its `@` (lower-cased). Pure. */
export function parseAccountRef(
  input: unknown,
): { ok: true; ref: { kind: 'did' | 'handle'; value: string } } | { ok: false; message: string } {
  const text = typeof input === 'string' ? input.trim() : ''
  if (text === '') return { ok: false, message: 'Name an account: a handle (alice.bsky.social) or a DID.' }
  if (isDidLike(text)) return { ok: true, ref: { kind: 'did', value: text } }
  const handle = text.replace(/^@/, '').toLowerCase()
  if (isHandle(handle)) return { ok: true, ref: { kind: 'handle', value: handle } }
  return { ok: false, message: `${text.slice(0, 100)} is neither a handle (alice.bsky.social) nor a DID.` }
}

/**
 * An identity event -> the author's current handle. Pure. The sources verify the handle both ways before it gets
 * here (indexer/src/source/identity.ts). An event without a handle (the source could not verify one), or with
 * `handle.invalid`, changes nothing: the last verified handle is a better label than none.
 */
export function mapIdentityEvent(did: string, handle: string | undefined): MapResult {
  if (!isDid(did))
    return skip('invalid_identifier', `identity event for ${JSON.stringify(did).slice(0, 200)}`)
  if (handle === undefined || handle.toLowerCase() === HANDLE_INVALID) return { kind: 'ignored' }
  if (!isHandle(handle)) {
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
