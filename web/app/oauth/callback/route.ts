import { NextResponse, type NextRequest } from 'next/server'
import { loginNonceCookie, sessionCookie } from '../../../server/auth/cookies'
import { finishSignIn } from '../../../server/auth/sign-in'
import { getWebConfig } from '../../../server/config'
import { getWebServices } from '../../../server/db'

// Configuration is read when `next start` runs, not at build: never prerender.
export const dynamic = 'force-dynamic'

/**
 * Where the user's PDS sends the browser back after sign-in and consent. Success: a session cookie and a redirect
 * to where sign-in started. Anything else: back to /sign-in with a reason the page explains. Never cached.
 */
export async function GET(request: NextRequest): Promise<NextResponse> {
  const config = getWebConfig()
  const nonce = loginNonceCookie(config.publicUrl)
  const { database, oauth, ledger } = getWebServices()
  const [db, client] = await Promise.all([database, oauth])
  const result = await finishSignIn(
    {
      database: db,
      oauth: client,
      ledgerReady: ledger,
      startingGrantMicro: config.ledger.startingGrantMicro,
      now: new Date(),
      log: (message, err) => console.warn(`${message}:`, err ?? ''),
    },
    request.nextUrl.searchParams,
    request.cookies.get(nonce.name)?.value,
  )
  const target = result.ok ? result.returnTo : `/sign-in?error=${result.reason}`
  const response = NextResponse.redirect(new URL(target, config.publicUrl), 303)
  response.headers.set('cache-control', 'no-store')
  response.cookies.set(nonce.name, '', { ...nonce.options, maxAge: 0 })
  if (result.ok) {
    const session = sessionCookie(config.publicUrl)
    response.cookies.set(session.name, result.sessionId, session.options)
  }
  return response
}
