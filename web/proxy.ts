import { NextResponse, type NextRequest } from 'next/server'
import { getWebConfig } from './server/config'
import { LOOPBACK_REDIRECT_HEADER, loopbackRedirect } from './server/loopback'
import { securityHeaders, templateOrigin, workerScriptHeaders } from './server/security-headers'

/**
 * Runs before every request (Next's proxy, on the Node.js runtime): it sets the security headers
 * (server/security-headers.ts), refuses a path whose percent-encoding does not decode with a 400, and sends a
 * development machine's `localhost` to the public URL's 127.0.0.1 (server/loopback.ts).
 *
 * The headers are set here rather than by next.config's `headers()` for two reasons. Next matches those rules
 * against the decoded path, and a malformed one (`/post/x/%E0%A4%A`) made its router throw: a 500 for what is a bad
 * request, before any of Curia's code ran (vercel/next.js#92527). And here they are computed when the server starts,
 * not when it is built, so the image origin the running server was given (the demo's PDS on a port picked at boot)
 * is the one the policy names.
 */
type HeaderList = readonly { key: string; value: string }[]
let cached: { page: HeaderList; worker: HeaderList; publicUrl: string } | undefined

function headerSets(): { page: HeaderList; worker: HeaderList; publicUrl: string } {
  if (!cached) {
    const config = getWebConfig()
    const imageOrigins = [config.blobUrlTemplate, config.avatarUrlTemplate]
      .map(templateOrigin)
      .filter((o): o is string => o !== null)
    cached = {
      page: securityHeaders({ dev: config.devServer, imageOrigins }),
      // Build assets include the jury's proof worker, which needs its own policy (it overrides the page's).
      worker: workerScriptHeaders(),
      publicUrl: config.publicUrl,
    }
  }
  return cached
}

/**
 * The request as the app should see it: unchanged, unless it belongs on the public URL (LOOPBACK_REDIRECT_HEADER set,
 * for the root layout to redirect) or carries that header itself (dropped: only this proxy sets it). Only those
 * requests get overridden headers. The redirect is the layout's, not this proxy's: one answered here comes back as the same
 * address, since Next.js treats 127.0.0.1 and localhost as one host and makes such a Location relative.
 */
function forward(request: NextRequest, publicUrl: string): NextResponse {
  const target = loopbackRedirect(
    { url: request.nextUrl, method: request.method, headers: request.headers },
    publicUrl,
  )
  if (!target && !request.headers.has(LOOPBACK_REDIRECT_HEADER)) return NextResponse.next()
  const headers = new Headers(request.headers)
  headers.delete(LOOPBACK_REDIRECT_HEADER)
  if (target) headers.set(LOOPBACK_REDIRECT_HEADER, target)
  return NextResponse.next({ request: { headers } })
}

export function proxy(request: NextRequest): NextResponse {
  const path = request.nextUrl.pathname
  const { page, worker, publicUrl } = headerSets()
  let response: NextResponse
  try {
    decodeURIComponent(path)
    response = forward(request, publicUrl)
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
