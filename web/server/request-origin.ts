/**
 * Whether a state-changing request comes from one of this app's own pages. Next.js already aborts a server action
 * whose Origin names another host; this adds what it lets through: a request with no Origin at all (Next allows
 * it with a warning) and a browser's own verdict in Sec-Fetch-Site when it sends one. Every browser Curia supports
 * sends Origin on a POST, so only non-browser clients and forgeries lack it. Pure.
 */
export function isSameOriginRequest(h: {
  origin: string | null
  host: string | null
  forwardedHost: string | null
  fetchSite: string | null
}): boolean {
  if (h.fetchSite !== null && h.fetchSite !== 'same-origin') return false
  if (!h.origin || h.origin === 'null') return false
  const host = h.forwardedHost?.split(',')[0]?.trim() || h.host
  if (!host) return false
  try {
    return new URL(h.origin).host === host.toLowerCase()
  } catch {
    return false
  }
}
