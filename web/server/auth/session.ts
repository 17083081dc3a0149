import 'server-only'
import { cookies, headers } from 'next/headers'
import { cache } from 'react'
import type { ViewerView } from '../../lib/market-types'
import { getWebConfig } from '../config'
import { getWebServices } from '../db'
import { loadViewer } from '../queries/market'
import { isSameOriginRequest } from '../request-origin'
import { sessionCookie } from './cookies'
import { resolveSession } from './resolve-session'
import type { WebSessionRow } from './web-session'

/**
 * The signed-in session of the request being served, or null (no cookie, a forged or expired one, or a grant the
 * user revoked at their PDS). Once per request: pages, the header and actions share the answer.
 */
export const getSession = cache(async (): Promise<WebSessionRow | null> => {
  const { publicUrl } = getWebConfig()
  const value = (await cookies()).get(sessionCookie(publicUrl).name)?.value
  if (!value) return null
  const { database, oauth } = getWebServices()
  const [db, client] = await Promise.all([database, oauth])
  return resolveSession({ sql: db.sql, oauth: client, now: new Date(), log: (m) => console.warn(m) }, value)
})

/** The signed-in curator with their handle and balance, for the header and the pages. */
export const getViewer = cache(async (): Promise<ViewerView | null> => {
  const session = await getSession()
  if (!session) return null
  return loadViewer(await getWebServices().database, session.did)
})

/** For server actions: did this POST come from one of our own pages? (See server/request-origin.ts.) */
export async function isSameOriginAction(): Promise<boolean> {
  const h = await headers()
  return isSameOriginRequest({
    origin: h.get('origin'),
    host: h.get('host'),
    forwardedHost: h.get('x-forwarded-host'),
    fetchSite: h.get('sec-fetch-site'),
  })
}

/** The host this request was addressed to (as Next's own action check reads it). */
export async function requestHost(): Promise<string | null> {
  const h = await headers()
  return h.get('x-forwarded-host')?.split(',')[0]?.trim() || h.get('host')
}
