import { getWebServices } from '../../../../server/db'
import { handleBallotPost } from '../../../../server/jury/ballot-route'

/**
 * POST a ballot: `{ roundId, proof, content }` as JSON, sent by the ballot page with `credentials: 'omit'`. This
 * handler never reads cookies or headers: a ballot is tied to nothing but its proof.
 */
export async function POST(request: Request): Promise<Response> {
  const database = await getWebServices().database
  const { status, body } = await handleBallotPost({ database }, request.body)
  return Response.json(body, { status, headers: { 'Cache-Control': 'no-store' } })
}
