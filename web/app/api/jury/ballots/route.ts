import { getWebServices } from '../../../../server/db'
import { handleBallotPost } from '../../../../server/jury/ballot-route'
import { getProofVerifier } from '../../../../server/jury/verifier'

/**
 * POST a ballot: `{ roundId, proof, content }` as JSON, sent by the ballot page with `credentials: 'omit'`. This
 * handler never reads cookies or headers: a ballot is tied to nothing but its proof.
 */
export async function POST(request: Request): Promise<Response> {
  const [database, verifyProof] = await Promise.all([getWebServices().database, getProofVerifier()])
  const { status, body } = await handleBallotPost(
    { database, ...(verifyProof ? { verifyProof } : {}) },
    request.body,
  )
  return Response.json(body, { status, headers: { 'Cache-Control': 'no-store' } })
}
