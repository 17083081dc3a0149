import type { NextConfig } from 'next'
import { PHASE_DEVELOPMENT_SERVER } from 'next/constants'
import { getWebConfig } from './server/config'
import { securityHeaders, templateOrigin, workerScriptHeaders } from './server/security-headers'

export default function nextConfig(phase: string): NextConfig {
  const config = getWebConfig()
  // The blob server may be plain http (the demo's local PDS), which `https:` in img-src does not cover.
  const imageOrigins = [config.blobUrlTemplate, config.avatarUrlTemplate]
    .map(templateOrigin)
    .filter((o): o is string => o !== null)

  return {
    // Workspace packages are TypeScript source: Next compiles them like the app's own files.
    transpilePackages: ['@curia/db', '@curia/curation'],
    // Node-only dependencies (native sockets, WASM Postgres, atproto crypto) load with Node's require at runtime.
    serverExternalPackages: [
      'postgres',
      '@electric-sql/pglite',
      '@electric-sql/pglite-socket',
      'drizzle-orm',
      '@atproto/oauth-client-node',
      '@atproto/api',
      '@atproto/identity',
      '@atproto/xrpc-server',
      '@atproto/syntax',
    ],
    poweredByHeader: false,
    reactStrictMode: true,
    headers() {
      return [
        {
          source: '/:path*',
          headers: securityHeaders({ dev: phase === PHASE_DEVELOPMENT_SERVER, imageOrigins }),
        },
        // Build assets include the jury's proof worker, which needs its own policy (later rules override earlier).
        { source: '/_next/static/:path*', headers: workerScriptHeaders() },
      ]
    },
  }
}
