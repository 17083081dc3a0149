'use server'

import { revalidatePath } from 'next/cache'
import {
  addToAllowlist,
  createOperatorInvites,
  removeFromAllowlist,
  revokeInviteBranch,
} from '@curia/curation/service/admission'
import type { AllowlistResult, OperatorInvitesResult, RevokeBranchResult } from '../../lib/operator-types'
import { refused, toRefusal } from '../action-guard'
import { getWebServices } from '../db'
import { getJuryWebConfig } from '../jury/config'
import { guardOperator } from './console'

/**
 * The operator page's actions: the same operations as `npm run jury -- ...`, for an operator signed in with
 * Bluesky. Each checks the origin, the session and that the session's DID is an operator's before anything else.
 */

const MAX_NOTE = 200

export async function revokeBranchAction(personKey: unknown): Promise<RevokeBranchResult> {
  const guard = await guardOperator()
  if ('status' in guard) return guard
  if (typeof personKey !== 'string' || personKey.length === 0 || personKey.length > 2048) {
    return refused('bad_request', 'Name the member whose branch to revoke.')
  }
  try {
    const database = await getWebServices().database
    const result = await revokeInviteBranch(database, { personKey, now: new Date() })
    console.log(`operator ${guard.did} revoked the branch of ${personKey}: ${JSON.stringify(result)}`)
    revalidatePath('/operator')
    return { status: 'revoked', ...result }
  } catch (err) {
    return toRefusal(err, 'revokeBranchAction')
  }
}

export async function allowAction(input: { did?: unknown; note?: unknown }): Promise<AllowlistResult> {
  const guard = await guardOperator()
  if ('status' in guard) return guard
  const did = typeof input.did === 'string' ? input.did.trim() : ''
  const note = typeof input.note === 'string' ? input.note.trim() : ''
  if (note.length > MAX_NOTE) return refused('bad_request', `Keep the note under ${MAX_NOTE} characters.`)
  try {
    const database = await getWebServices().database
    const { added } = await addToAllowlist(database, { did, now: new Date(), ...(note ? { note } : {}) })
    revalidatePath('/operator')
    return { status: added ? 'added' : 'already', did }
  } catch (err) {
    return toRefusal(err, 'allowAction')
  }
}

export async function disallowAction(did: unknown): Promise<AllowlistResult> {
  const guard = await guardOperator()
  if ('status' in guard) return guard
  if (typeof did !== 'string' || did.length > 2048) return refused('bad_request', 'Not a valid DID.')
  try {
    const { removed } = await removeFromAllowlist(await getWebServices().database, did)
    revalidatePath('/operator')
    return { status: removed ? 'removed' : 'absent', did }
  } catch (err) {
    return toRefusal(err, 'disallowAction')
  }
}

export async function createOperatorInvitesAction(count: unknown): Promise<OperatorInvitesResult> {
  const guard = await guardOperator()
  if ('status' in guard) return guard
  const n = typeof count === 'number' ? count : Number.NaN
  if (!Number.isSafeInteger(n) || n < 1 || n > 50) {
    return refused('bad_request', 'Create between 1 and 50 invites at a time.')
  }
  try {
    const invites = await createOperatorInvites(await getWebServices().database, {
      count: n,
      now: new Date(),
      policy: getJuryWebConfig().invites,
    })
    revalidatePath('/operator')
    return { status: 'created', invites }
  } catch (err) {
    return toRefusal(err, 'createOperatorInvitesAction')
  }
}
