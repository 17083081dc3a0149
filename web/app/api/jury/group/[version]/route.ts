import { getGroupCommitments } from '@curia/curation/service/jury-group'
import { getWebServices } from '../../../../../server/db'

/**
 * Every leaf of one root version of the jury group, in order (commitments, and 0 for a member removed by then): what
 * a juror's prover rebuilds the round's tree from. A version's leaves never change once it exists (later additions
 * and removals make later versions), so the answer is cached as immutable.
 */
export async function GET(
  _request: Request,
  ctx: { params: Promise<{ version: string }> },
): Promise<Response> {
  const { version } = await ctx.params
  if (!/^(0|[1-9][0-9]{0,8})$/.test(version)) return notFound()
  const database = await getWebServices().database
  try {
    const group = await getGroupCommitments(database, { rootVersion: Number(version) })
    return Response.json(group, {
      headers: { 'Cache-Control': 'public, max-age=31536000, immutable' },
    })
  } catch (err) {
    if (err instanceof Error && err.name === 'CurationError') return notFound()
    console.error('GET /api/jury/group failed', err)
    return Response.json(
      { error: 'unavailable', message: 'The jury group is unavailable right now.' },
      { status: 503, headers: { 'Cache-Control': 'no-store' } },
    )
  }
}

function notFound(): Response {
  return Response.json(
    { error: 'not_found', message: 'The group never had that root version.' },
    { status: 404, headers: { 'Cache-Control': 'no-store' } },
  )
}
