import type { NextConfig } from 'next'
import { getWebConfig } from './server/config'

export default function nextConfig(): NextConfig {
  // Validates the environment once at build and start: a bad variable stops here, with its name.
  getWebConfig()
  // Security headers are set by proxy.ts, not by `headers()` here (see there why).
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
  }
}
