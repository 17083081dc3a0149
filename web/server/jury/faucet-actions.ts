'use server'

import { revalidatePath } from 'next/cache'
import type { FaucetClaimResult } from '../../lib/jury/faucet-types'
import { toRefusal } from '../action-guard'
import { getSession, isSameOriginAction } from '../auth/session'
import { getWebConfig } from '../config'
import { getWebServices } from '../db'
import { getRateLimiters } from '../rate-limit'
import { submitFaucetClaim } from './faucet'
import { getProofVerifier } from './verifier'

/**
 * The faucet panel's action: the claim's proof goes in, the grant (or a refusal) comes out. The origin and the
 * session are checked here and in `submitFaucetClaim`; the account paid is always the session's.
 */
export async function claimHumanGrantAction(input: { proof: unknown }): Promise<FaucetClaimResult> {
  let result: FaucetClaimResult
  try {
    const sameOrigin = await isSameOriginAction()
    const session = sameOrigin ? await getSession() : null
    const [database, verifyProof] = await Promise.all([getWebServices().database, getProofVerifier()])
    result = await submitFaucetClaim(
      {
        database,
        amountMicro: getWebConfig().ledger.humanGrantMicro,
        ...(verifyProof ? { verifyProof } : {}),
        limiter: getRateLimiters().grantClaim,
        now: new Date(),
        log: (message, err) => console.error(`${message}:`, err),
      },
      { sameOrigin, session },
      input,
    )
  } catch (err) {
    // The session or the services failed to load: the panel's refusal, not the error page.
    return toRefusal(err, 'claimHumanGrantAction')
  }
  // The header's balance and the portfolio change.
  if (result.status === 'granted') revalidatePath('/', 'layout')
  return result
}
