/**
 * The sign-in page, asked to come back to `returnTo` (a path on Curia) when done. Going back to the front page, or
 * to the sign-in page itself, needs no parameter.
 */
export function signInPath(returnTo: string): string {
  if (returnTo === '/' || returnTo === '/sign-in' || returnTo.startsWith('/sign-in?')) return '/sign-in'
  return `/sign-in?returnTo=${encodeURIComponent(returnTo)}`
}
