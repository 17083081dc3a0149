import type { NextRequest } from 'next/server'
import type { FeedErrorBody, FeedPage } from '../../../lib/feed-types'
import { isCurationErrorLike } from '../../../server/errors'
import { parseFeedQuery } from '../../../server/feed-request'
import { getFeedPage } from '../../../server/queries/feed'

// The infinite scroll's data source: the next page after `cursor` in the same snapshot the page started from.
export async function GET(request: NextRequest): Promise<Response> {
  const parsed = parseFeedQuery(request.nextUrl.searchParams)
  if (!parsed.ok) return errorResponse(400, { error: 'bad_request', message: parsed.message })

  try {
    const page: FeedPage = await getFeedPage(parsed.query)
    return Response.json(page, { headers: { 'Cache-Control': 'no-store' } })
  } catch (err) {
    // The one place this route translates errors: a bad cursor is the caller's to fix, anything else is ours.
    if (isCurationErrorLike(err, 'bad_cursor')) {
      return errorResponse(400, { error: 'bad_cursor', message: err.message })
    }
    console.error('GET /api/feed failed', err)
    return errorResponse(503, {
      error: 'unavailable',
      message: 'The feed is unavailable right now. Try again.',
    })
  }
}

function errorResponse(status: number, body: FeedErrorBody): Response {
  return Response.json(body, { status, headers: { 'Cache-Control': 'no-store' } })
}
