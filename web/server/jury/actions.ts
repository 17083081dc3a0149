'use server'

import { isAddress } from 'viem'
import { admitJuror, createInvite, finishAdmission, issueSiweNonce } from '@curia/curation/service/admission'
import type {
  EnrollMethod,
  EnrollResult,
  InviteResult,
  SiwePrepareResult,
} from '../../lib/jury/enrollment-types'
import { guardSession, refused, toRefusal } from '../action-guard'
import { getWebServices } from '../db'
import { getJuryWebConfig } from './config'
import { enrollmentEvidence, verifierFor } from './enrollment'
import { buildSiweMessage } from './siwe-message'

/**
 * The jury page's server actions. Each checks that the request came from Curia's own page and that someone is
 * signed in: the DID that enrolls (by any method, the wallet too: the binding records it), or that invites, is
 * always the session's, never a form field. Enrolling sends only the identity commitment; the secret stays in the
 * browser.
 */

export async function enrollAction(input: {
  method: EnrollMethod
  commitment: string
  code?: string
  message?: string
  signature?: string
}): Promise<EnrollResult> {
  const guard = await guardSession()
  if ('status' in guard) return guard
  const { did } = guard
  const method = input.method
  if (method !== 'invite' && method !== 'allowlist' && method !== 'personhood') {
    return refused('bad_request', 'Choose how to verify: an invite, the allowlist or your wallet.')
  }
  try {
    const config = getJuryWebConfig()
    const database = await getWebServices().database
    const evidence = enrollmentEvidence(method, did, input)
    const { verifier } = verifierFor(method, config)
    const result = await admitJuror(database, {
      verifier,
      evidence,
      commitment: input.commitment,
      now: new Date(),
    })
    return { status: 'enrolled', method, rootVersion: result.rootVersion }
  } catch (err) {
    return toRefusal(err, 'enrollAction')
  }
}

/**
 * Finishes the session account's enrollment that was recorded but not added to the group (a failure between
 * admission's two steps), with the commitment this device holds. Nothing is verified again (an invite, once used,
 * would not pass); the account's binding is found by the session's DID and must hold this commitment.
 */
export async function finishEnrollmentAction(input: { commitment: string }): Promise<EnrollResult> {
  const guard = await guardSession()
  if ('status' in guard) return guard
  try {
    const result = await finishAdmission(await getWebServices().database, {
      did: guard.did,
      commitment: input?.commitment,
      now: new Date(),
    })
    return { status: 'enrolled', method: result.verifier, rootVersion: result.rootVersion }
  } catch (err) {
    return toRefusal(err, 'finishEnrollmentAction')
  }
}

export async function createInviteAction(): Promise<InviteResult> {
  const guard = await guardSession()
  if ('status' in guard) return guard
  try {
    const invite = await createInvite(await getWebServices().database, {
      inviter: guard.did,
      now: new Date(),
      policy: getJuryWebConfig().invites,
    })
    return { status: 'created', code: invite.code, expiresAt: invite.expiresAt }
  } catch (err) {
    return toRefusal(err, 'createInviteAction')
  }
}

/** The Sign-In with Ethereum message for the wallet to sign: this site, the registry's chain, a fresh nonce. */
export async function prepareSiweAction(address: string): Promise<SiwePrepareResult> {
  const guard = await guardSession()
  if ('status' in guard) return guard
  if (typeof address !== 'string' || !isAddress(address, { strict: false })) {
    return refused('bad_request', 'The wallet did not give an Ethereum address.')
  }
  try {
    const config = getJuryWebConfig()
    if (!config.personhood)
      return refused('verifier_disabled', 'The on-chain personhood check is not configured here.')
    const now = new Date()
    const { nonce } = await issueSiweNonce(await getWebServices().database, { now, policy: config.siwe })
    const message = buildSiweMessage({ policy: config.siwe, address, nonce, now })
    return { status: 'ready', message }
  } catch (err) {
    return toRefusal(err, 'prepareSiweAction')
  }
}
