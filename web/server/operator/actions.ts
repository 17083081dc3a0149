'use server'

import { revalidatePath } from 'next/cache'
import type { Database } from '@curia/db'
import {
  addToAllowlist,
  createOperatorInvites,
  removeFromAllowlist,
  revokeInviteBranch,
} from '@curia/curation/service/admission'
import { resolveAccount } from '@curia/curation/service/author-profiles'
import type { AllowlistResult, OperatorInvitesResult, RevokeBranchResult } from '../../lib/operator-types'
import { refused, toRefusal, type Refusal } from '../action-guard'
import { getWebServices } from '../db'
import { rememberAuthor } from '../post-import'
import { getJuryWebConfig } from '../jury/config'
import { guardOperator } from './console'

/**
 * The operator page's actions: the same operations as `npm run jury -- ...`, for an operator signed in with
 * Bluesky. Each checks the origin, the session and that the session's DID is an operator's before anything else,
 * and each change is written to the operators' log under that DID, in the change's own transaction.
 */

const MAX_NOTE = 200

/**
 * Runs `act` for a signed-in operator: refused before it runs otherwise, and its errors become refusals. The page
 * is revalidated after it, so the action's answer carries the page as it now stands.
 */
async function asOperator<T>(
  where: string,
  act: (database: Database, operator: string) => Promise<T | Refusal>,
): Promise<T | Refusal> {
  const guard = await guardOperator()
  if ('status' in guard) return guard
  try {
    const answer = await act(await getWebServices().database, guard.did)
    revalidatePath('/operator')
    return answer
  } catch (err) {
    return toRefusal(err, where)
  }
}

export async function revokeBranchAction(personKey: unknown): Promise<RevokeBranchResult> {
  return asOperator('revokeBranchAction', async (database, operator) => {
    if (typeof personKey !== 'string' || personKey.length === 0 || personKey.length > 2048) {
      return refused('bad_request', 'Name the member whose branch to revoke.')
    }
    const result = await revokeInviteBranch(database, { personKey, now: new Date(), by: operator })
    return { status: 'revoked' as const, ...result }
  })
}

/** Allows an account named by DID or by handle (resolved, and checked both ways, to its DID). */
export async function allowAction(input: { account?: unknown; note?: unknown }): Promise<AllowlistResult> {
  return asOperator('allowAction', async (database, operator) => {
    const note = typeof input.note === 'string' ? input.note.trim() : ''
    if (note.length > MAX_NOTE) return refused('bad_request', `Keep the note under ${MAX_NOTE} characters.`)
    const { oauth } = getWebServices()
    const { did, handle } = await resolveAccount((await oauth).identityResolver, input.account)
    // The list shows the handle the operator knows them by.
    if (handle) await rememberAuthor(database.sql, did, handle)
    const { added } = await addToAllowlist(database, {
      did,
      now: new Date(),
      by: operator,
      ...(note ? { note } : {}),
    })
    return { status: added ? ('added' as const) : ('already' as const), did, handle }
  })
}

export async function disallowAction(did: unknown): Promise<AllowlistResult> {
  return asOperator('disallowAction', async (database, operator) => {
    if (typeof did !== 'string' || did.length > 2048) return refused('bad_request', 'Not a valid DID.')
    const { removed } = await removeFromAllowlist(database, { did, now: new Date(), by: operator })
    return { status: removed ? ('removed' as const) : ('absent' as const), did, handle: null }
  })
}

export async function createOperatorInvitesAction(count: unknown): Promise<OperatorInvitesResult> {
  return asOperator('createOperatorInvitesAction', async (database, operator) => {
    const n = typeof count === 'number' ? count : Number.NaN
    if (!Number.isSafeInteger(n) || n < 1 || n > 50) {
      return refused('bad_request', 'Create between 1 and 50 invites at a time.')
    }
    const invites = await createOperatorInvites(database, {
      count: n,
      now: new Date(),
      by: operator,
      policy: getJuryWebConfig().invites,
    })
    return { status: 'created' as const, invites }
  })
}
