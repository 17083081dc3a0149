import { NextResponse, type NextRequest } from 'next/server'
import { getWebConfig } from './server/config'
import { securityHeaders, templateOrigin, workerScriptHeaders } from './server/security-headers'

/**
 * Runs before every request (Next's proxy, on the Node.js runtime): it sets the security headers
 * (server/security-headers.ts) and refuses a path whose percent-encoding does not decode with a 400.
 *
 * The headers are set here rather than by next.config's `headers()` for two reasons. Next matches those rules
 * against the decoded path, and a malformed one (`/post/x/%E0%A4%A`) made its router throw: a 500 for what is a bad
 * request, before any of Curia's code ran (vercel/next.js#92527). And here they are computed when the server starts,
 * not when it is built, so the image origin the running server was given (the demo's PDS on a port picked at boot)
 * is the one the policy names.
 */
type Headers = readonly { key: string; value: string }[]
let cached: { page: Headers; worker: Headers } | undefined

function headerSets(): { page: Headers; worker: Headers } {
  if (!cached) {
    const config = getWebConfig()
    const imageOrigins = [config.blobUrlTemplate, config.avatarUrlTemplate]
      .map(templateOrigin)
      .filter((o): o is string => o !== null)
    cached = {
      page: securityHeaders({ dev: config.devServer, imageOrigins }),
      // Build assets include the jury's proof worker, which needs its own policy (it overrides the page's).
      worker: workerScriptHeaders(),
    }
  }
  return cached
}

export function proxy(request: NextRequest): NextResponse {
  const path = request.nextUrl.pathname
  const { page, worker } = headerSets()
  let response: NextResponse
  try {
    decodeURIComponent(path)
    response = NextResponse.next()
  } catch {
    response = new NextResponse('Bad request: the address is not valid percent-encoding.\n', {
      status: 400,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    })
  }
  for (const { key, value } of page) response.headers.set(key, value)
  if (path.startsWith('/_next/static/')) for (const { key, value } of worker) response.headers.set(key, value)
  return response
}
