import 'server-only'
import type { Database } from '@curia/db'
import { isCurationError } from '@curia/curation/errors'
import { FAUCET_SCOPE, faucetMessage } from '@curia/curation/jury/faucet'
import { JURY_TREE_DEPTH } from '@curia/curation/jury/group'
import type { VerifyProof } from '@curia/curation/service/ballot'
import { claimHumanGrant, hasClaimedHumanGrant } from '@curia/curation/service/faucet'
import { getGroupHead } from '@curia/curation/service/jury-group'
import type { FaucetClaimResult, FaucetView } from '../../lib/jury/faucet-types'
import type { ArtifactManifest } from '../../lib/jury/types'
import { retryAfterText, type RateLimiter } from '../rate-limit'
import { groupUrl } from './queries'

/**
 * The verified-human faucet for the signed-in curator (curation/src/service/faucet.ts does the checking): what the
 * panel needs to prove a claim, and the claim itself, apart from Next so a test can call it. The recipient is
 * always the session's DID; the request carries the proof and nothing else.
 */

/** The panel's view for this DID; null when the faucet is off (a grant of 0). */
export async function loadFaucetView(
  database: Database,
  opts: { did: string; amountMicro: bigint; artifacts: () => ArtifactManifest },
): Promise<FaucetView | null> {
  if (opts.amountMicro <= 0n) return null
  const [claimed, head] = await Promise.all([
    hasClaimedHumanGrant(database, opts.did),
    getGroupHead(database),
  ])
  return {
    amountMicro: opts.amountMicro.toString(),
    claimed,
    group:
      head.root === null ? null : { version: head.version, root: head.root, url: groupUrl(head.version) },
    scope: FAUCET_SCOPE.toString(),
    message: faucetMessage(opts.did).toString(),
    depth: JURY_TREE_DEPTH,
    artifacts: opts.artifacts(),
  }
}

export interface FaucetClaimDeps {
  database: Database
  amountMicro: bigint
  now: Date
  verifyProof?: VerifyProof
  log?: (message: string, err: unknown) => void
  /** Per-account limit on claims (each costs a proof verification). */
  limiter?: RateLimiter
}

/**
 * The claim: refuses a request from another site or without a session, then hands the proof and the session's DID
 * to `claimHumanGrant`, and translates its answer once.
 */
export async function submitFaucetClaim(
  deps: FaucetClaimDeps,
  request: { sameOrigin: boolean; session: { did: string } | null },
  input: unknown,
): Promise<FaucetClaimResult> {
  if (!request.sameOrigin) return refused('bad_origin', 'This request did not come from Curia.')
  if (!request.session) return refused('auth_required', 'Sign in with Bluesky to claim the grant.')
  if (deps.amountMicro <= 0n)
    return refused('faucet_disabled', 'The verified-human grant is not offered here.')
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return refused('bad_proof', 'A claim is an object carrying its proof.')
  }
  const wait = deps.limiter?.take(request.session.did, deps.now.getTime())
  if (wait !== undefined)
    return refused('rate_limited', `Too many claims in a short time. ${retryAfterText(wait)}`)
  const { proof, ...extra } = input as Record<string, unknown>
  if (Object.keys(extra).length > 0) {
    return refused(
      'bad_proof',
      'A claim carries its proof and nothing else: the account it pays is the one you are signed in as.',
    )
  }
  try {
    const grant = await claimHumanGrant(deps.database, {
      did: request.session.did,
      proof,
      now: deps.now,
      amountMicro: deps.amountMicro,
      ...(deps.verifyProof ? { verifyProof: deps.verifyProof } : {}),
    })
    return {
      status: 'granted',
      amountMicro: grant.amountMicro.toString(),
      balanceMicro: grant.balanceMicro.toString(),
    }
  } catch (err) {
    if (isCurationError(err)) return refused(err.code, sentence(err.code, err.message))
    ;(deps.log ?? ((m, e) => console.error(m, e)))('faucet claim failed', err)
    return refused(
      'unavailable',
      'Something went wrong on our side. Claiming again is safe: the grant is paid once.',
    )
  }
}

/** The service's refusals, in words for the person claiming (the others carry their own). */
function sentence(code: string, message: string): string {
  switch (code) {
    case 'human_already_claimed':
      return 'Your juror identity has already claimed the verified-human grant, for this account or another: it is one per person.'
    case 'did_already_claimed':
      return 'This account has already received the verified-human grant.'
    case 'wrong_message':
      return 'The proof names another account than the one you are signed in as; nothing was granted.'
    case 'wrong_root':
      return `${message} Reload the page and claim again.`
    case 'invalid_proof':
      return 'The proof does not verify; nothing was granted.'
    default:
      return message
  }
}

function refused(code: string, message: string): FaucetClaimResult {
  return { status: 'refused', code, message }
}
