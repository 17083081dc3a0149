import { NextResponse } from 'next/server'
import { getWebServices } from '../../../server/db'
import { getWebConfig } from '../../../server/config'

// Configuration is read when `next start` runs, not at build: never prerender.
export const dynamic = 'force-dynamic'

/** The public half of the key the production OAuth client signs its token requests with (the metadata's jwks_uri). */
export async function GET(): Promise<NextResponse> {
  if (getWebConfig().oauth.kind !== 'confidential') {
    return NextResponse.json({ error: 'not_found' }, { status: 404 })
  }
  const client = await getWebServices().oauth
  return NextResponse.json(client.jwks, { headers: { 'cache-control': 'public, max-age=600' } })
}
