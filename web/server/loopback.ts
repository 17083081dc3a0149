/**
 * On a development machine Curia's public URL is `http://127.0.0.1:PORT`: atproto's loopback OAuth clients must
 * return to an IP address, not `localhost` (config.ts). A person who opens `http://localhost:PORT` would sign in,
 * come back from their PDS on 127.0.0.1, and find themselves signed out whenever they typed `localhost` again,
 * since browsers keep cookies per host. So a page the browser navigates to on `localhost`, on the public URL's port,
 * is sent to the same path on the public URL, and the app lives on one origin. (By the root layout: see proxy.ts.)
 *
 * Only a browser's navigation (GET, `Sec-Fetch-Mode: navigate`): Next.js itself fetches pages from `localhost` (a
 * server action's redirect fetches the next page there), and redirecting those broke the page they fetch.
 */

/** Set by proxy.ts on a request that belongs on the public URL: where to send it. */
export const LOOPBACK_REDIRECT_HEADER = 'x-curia-loopback-redirect'

export function loopbackRedirect(
  request: { url: URL; method: string; headers: Pick<Headers, 'get'> },
  publicUrl: string,
): string | null {
  const target = new URL(publicUrl)
  if (target.protocol !== 'http:' || target.hostname !== '127.0.0.1') return null
  const host = request.headers.get('host')
  if (request.method !== 'GET' || request.headers.get('sec-fetch-mode') !== 'navigate' || !host) return null
  let asked: URL
  try {
    asked = new URL(`http://${host}`)
  } catch {
    return null
  }
  if (asked.hostname !== 'localhost' || asked.port !== target.port) return null
  return `${target.origin}${request.url.pathname}${request.url.search}`
}
