import { NextResponse } from 'next/server'
import { clientMetadataFor } from '../../../server/auth/oauth-client'
import { getWebConfig } from '../../../server/config'

// Configuration is read when `next start` runs, not at build: never prerender.
export const dynamic = 'force-dynamic'

/**
 * The OAuth client metadata document authorization servers fetch (its URL is the client_id). Published only by a
 * production (https) deployment; a development loopback client has none.
 */
export function GET(): NextResponse {
  const config = getWebConfig()
  if (config.oauth.kind !== 'confidential') return NextResponse.json({ error: 'not_found' }, { status: 404 })
  return NextResponse.json(clientMetadataFor(config), {
    headers: { 'cache-control': 'public, max-age=600' },
  })
}
