import 'server-only'
import type { Database } from '@curia/db'
import type { CurationErrorCode } from '@curia/curation/errors'
import { MAX_BALLOT_CONTENT_LENGTH } from '@curia/curation/jury/ballot'
import { submitBallot, type VerifyProof } from '@curia/curation/service/ballot'
import type { BallotResponse } from '../../lib/jury/types'
import { createInFlightLimit } from '../rate-limit'

/**
 * The anonymous ballot endpoint's logic, apart from Next so a test can call it: parse a bounded JSON body, hand it to
 * `submitBallot` (which checks depth, scope, root, message, voting period, the proof and the nullifier, in that
 * order), translate the answer once. It takes the request's body and nothing else: no cookie, no session, no
 * address is read, logged or stored.
 */

/** The content may be 512 KiB; a proof and the envelope add a few KiB. */
export const MAX_BALLOT_BODY_BYTES = MAX_BALLOT_CONTENT_LENGTH + 16 * 1024

const STATUS: Partial<Record<CurationErrorCode, number>> = {
  bad_ballot: 400,
  unknown_round: 404,
  wrong_depth: 422,
  wrong_scope: 422,
  wrong_root: 422,
  wrong_message: 422,
  invalid_proof: 422,
  voting_closed: 409,
  wrong_assignment: 422,
  duplicate_ballot: 409,
}

export interface BallotRouteResult {
  status: number
  body: BallotResponse
}

/**
 * Ballots being read or checked at once in this process. Each costs a body of up to half a megabyte and a proof
 * verification (~20 ms of this thread); the endpoint is anonymous by design, so it cannot be limited per person. A
 * flood beyond this is refused at once with 503 rather than queued until the web app stops answering everyone.
 */
export const MAX_BALLOTS_IN_FLIGHT = 32
const ballotsInFlight = createInFlightLimit(MAX_BALLOTS_IN_FLIGHT)

export async function handleBallotPost(
  deps: {
    database: Database
    verifyProof?: VerifyProof
    log?: (message: string, err: unknown) => void
    maxInFlight?: number
  },
  body: ReadableStream<Uint8Array> | null,
): Promise<BallotRouteResult> {
  return ballotsInFlight(
    () => checkBallot(deps, body),
    async () => {
      await body?.cancel().catch(() => {})
      return refused(503, 'busy', 'Too many ballots are being checked right now. Try again in a few seconds.')
    },
    deps.maxInFlight,
  )
}

async function checkBallot(
  deps: { database: Database; verifyProof?: VerifyProof; log?: (message: string, err: unknown) => void },
  body: ReadableStream<Uint8Array> | null,
): Promise<BallotRouteResult> {
  const text = await readBounded(body, MAX_BALLOT_BODY_BYTES)
  if (text === undefined) {
    return refused(413, 'bad_ballot', 'The ballot is larger than any ballot can be.')
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return refused(400, 'bad_ballot', 'The ballot is not JSON.')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return refused(400, 'bad_ballot', 'A ballot is an object: { roundId, proof, content }.')
  }
  const { roundId, proof, content, ...extra } = parsed as Record<string, unknown>
  if (Object.keys(extra).length > 0) {
    return refused(400, 'bad_ballot', 'A ballot has exactly the fields roundId, proof and content.')
  }
  try {
    const accepted = await submitBallot(deps.database, {
      roundId,
      proof,
      content,
      ...(deps.verifyProof ? { verifyProof: deps.verifyProof } : {}),
    })
    return { status: 200, body: { status: 'accepted', ...accepted } }
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (err instanceof Error && err.name === 'CurationError' && typeof code === 'string') {
      const status = STATUS[code as CurationErrorCode]
      if (status !== undefined) return refused(status, code, err.message)
    }
    ;(deps.log ?? ((m, e) => console.error(m, e)))('POST /api/jury/ballots failed', err)
    return refused(503, 'unavailable', 'Ballots cannot be taken right now. Try again: a ballot counts once.')
  }
}

function refused(status: number, code: string, message: string): BallotRouteResult {
  return { status, body: { status: 'refused', code, message } }
}

/** The body as text, or undefined once it passes `limit` bytes (reading stops there). */
async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<string | undefined> {
  if (!body) return ''
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    if (size > limit) {
      await reader.cancel()
      return undefined
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}
