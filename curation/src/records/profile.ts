import {
  RECORD_LIMITS,
  blobCid,
  cleanText,
  isObject,
  skip,
  validateRecord,
  type RecordContext,
} from './common'
import type { MapResult } from './types'

export const PROFILE_COLLECTION = 'app.bsky.actor.profile'

/**
 * app.bsky.actor.profile -> the author's display name and avatar. Pure. Only the `self` record is a profile; a
 * delete clears both fields (the account removed its profile).
 */
export function mapProfileRecord(
  record: unknown,
  operation: 'create' | 'update' | 'delete',
  ctx: RecordContext,
): MapResult {
  if (ctx.rkey !== 'self') return { kind: 'ignored' }
  if (operation === 'delete')
    return { kind: 'op', op: { op: 'profile', did: ctx.did, displayName: null, avatarCid: null } }
  if (!isObject(record)) return skip('invalid_record', `${ctx.uri}: record is not an object`)
  const invalid = validateRecord(PROFILE_COLLECTION, record)
  if (invalid !== undefined) return skip('invalid_record', `${ctx.uri}: ${invalid}`)
  const displayName = typeof record.displayName === 'string' ? cleanText(record.displayName) : null
  if (displayName !== null && displayName.length > RECORD_LIMITS.displayNameChars) {
    return skip(
      'oversized_record',
      `${ctx.uri}: displayName over ${RECORD_LIMITS.displayNameChars} characters`,
    )
  }
  return {
    kind: 'op',
    op: {
      op: 'profile',
      did: ctx.did,
      displayName: displayName || null,
      avatarCid: blobCid(record.avatar) ?? null,
    },
  }
}
