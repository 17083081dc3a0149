'use server'

import { cookies } from 'next/headers'
import { redirect } from 'next/navigation'
import { revalidatePath } from 'next/cache'
import type { SimpleFormState } from '../../lib/market-types'
import { loginNonceCookie, sessionCookie } from '../auth/cookies'
import { isSameOriginAction, requestHost } from '../auth/session'
import { safeReturnTo, startSignIn } from '../auth/sign-in'
import { countLiveSessions, deleteWebSession } from '../auth/web-session'
import { getWebConfig } from '../config'
import { getWebServices } from '../db'
import { getRateLimiters } from '../rate-limit'
import { refusal } from '../form-errors'

const log = (message: string, err: unknown) => console.warn(`${message}:`, err)

/** "Sign in with Bluesky": handle in, a redirect to the user's PDS out (with a login nonce cookie set). */
export async function signInAction(_prev: SimpleFormState, form: FormData): Promise<SimpleFormState> {
  const field = form.get('handle')
  const input = typeof field === 'string' ? field : ''
  if (!(await isSameOriginAction())) {
    return { status: 'refused', error: refusal('bad_origin', 'This request did not come from Curia.'), input }
  }
  const { publicUrl } = getWebConfig()
  // The nonce cookie set here must come back to the callback, which lives on the public origin.
  if ((await requestHost()) !== new URL(publicUrl).host) {
    return {
      status: 'refused',
      error: refusal('bad_origin', `Sign in from ${publicUrl}/sign-in.`),
      input,
    }
  }
  const oauth = await getWebServices().oauth
  const started = await startSignIn(oauth, { identifier: input, returnTo: form.get('returnTo') }, log, {
    limiter: getRateLimiters().signIn,
  })
  if (!started.ok) return { status: 'refused', error: refusal(started.code, started.message), input }
  const nonce = loginNonceCookie(publicUrl)
  ;(await cookies()).set(nonce.name, started.nonce, nonce.options)
  redirect(started.authorizeUrl)
}

/**
 * Signing out: this browser's session is deleted and its cookie cleared; when no other browser is signed in as the
 * same account, the OAuth grant is revoked at the PDS too (revoke deletes the stored tokens even if the PDS cannot
 * be reached). The browser then goes back to the page it signed out from, now as a signed-out reader.
 */
export async function signOutAction(form: FormData): Promise<void> {
  if (!(await isSameOriginAction())) redirect('/')
  const returnTo = safeReturnTo(form.get('returnTo'))
  const { publicUrl } = getWebConfig()
  const spec = sessionCookie(publicUrl)
  const jar = await cookies()
  const value = jar.get(spec.name)?.value
  const { database, oauth } = getWebServices()
  const db = await database
  const did = await deleteWebSession(db.sql, value)
  jar.set(spec.name, '', { ...spec.options, maxAge: 0 })
  if (did && (await countLiveSessions(db.sql, did, new Date())) === 0) {
    const client = await oauth
    await client.revoke(did).catch((err: unknown) => log(`sign-out: revoking ${did} at its PDS failed`, err))
  }
  revalidatePath('/', 'layout')
  redirect(returnTo)
}
