import { getWebServices } from '../../../../../server/db'
import { loadRoundExport } from '../../../../../server/jury/queries'

/**
 * A closed round's public record, exactly what `npm run verify-round -- <file>` checks with no Curia server: every
 * ballot (proof, nullifier, content), the seed and its commitment, the beacon, the eligible set, the sample, the
 * frozen group, the tallies and the Merkle root. A closed round never changes, so it is cached for good.
 */
export async function GET(_request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await ctx.params
  if (!/^[1-9][0-9]{0,14}$/.test(id)) return error(404, 'unknown_round', 'There is no such round.')
  const database = await getWebServices().database
  try {
    const exp = await loadRoundExport(database, Number(id))
    return new Response(`${JSON.stringify(exp, null, 2)}\n`, {
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': `inline; filename="curia-round-${exp.round.id}.json"`,
        'Cache-Control': 'public, max-age=31536000, immutable',
      },
    })
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (err instanceof Error && err.name === 'CurationError') {
      if (code === 'unknown_round') return error(404, code, err.message)
      if (code === 'round_state') return error(409, code, err.message)
    }
    console.error('GET /jury/rounds/[id]/export.json failed', err)
    return error(503, 'unavailable', 'The export is unavailable right now.')
  }
}

function error(status: number, code: string, message: string): Response {
  return Response.json({ error: code, message }, { status, headers: { 'Cache-Control': 'no-store' } })
}
