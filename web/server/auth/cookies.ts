/**
 * Curia's cookies. On https they carry the `__Host-` prefix (the browser then insists on Secure, Path=/ and no
 * Domain, so no subdomain can plant one); on a development loopback origin they cannot be Secure. Pure.
 */
import { WEB_SESSION_MAX_AGE_MS } from './web-session'

/** Lives from "Sign in" to the OAuth callback: binds the callback to the browser that started the sign-in. */
export const LOGIN_NONCE_MAX_AGE_S = 10 * 60

export interface CookieSpec {
  name: string
  options: {
    httpOnly: true
    secure: boolean
    sameSite: 'lax'
    path: '/'
    maxAge: number
  }
}

function spec(base: string, secure: boolean, maxAgeS: number): CookieSpec {
  return {
    name: secure ? `__Host-${base}` : base,
    // Lax, not Strict: the OAuth callback arrives as a top-level navigation from the user's PDS (cross-site), and
    // both cookies must come with it. Lax still withholds them from cross-site POSTs, which is what CSRF needs.
    options: { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: maxAgeS },
  }
}

export function sessionCookie(publicUrl: string): CookieSpec {
  return spec('curia_session', publicUrl.startsWith('https://'), Math.floor(WEB_SESSION_MAX_AGE_MS / 1000))
}

export function loginNonceCookie(publicUrl: string): CookieSpec {
  return spec('curia_login', publicUrl.startsWith('https://'), LOGIN_NONCE_MAX_AGE_S)
}
