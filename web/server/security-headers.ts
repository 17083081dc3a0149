/**
 * The response headers every route gets (set by proxy.ts). Pure, so the proxy and a test build the same list.
 *
 * Scripts: 'unsafe-inline' stays because the App Router streams its payload in inline <script> tags; the strict
 * alternative is a per-request nonce from proxy.ts, which makes every page dynamic and uncacheable. What keeps
 * post text from ever becoming script is that it is rendered only as React text nodes (no
 * dangerouslySetInnerHTML anywhere), and links are built only from http(s) URLs. 'unsafe-eval' is added only for
 * `next dev`, whose React debugging needs it; production has none.
 */
export function securityHeaders(opts: { dev: boolean; imageOrigins: readonly string[] }): {
  key: string
  value: string
}[] {
  // Any https origin (Bluesky's CDN, a PDS), any loopback port (a local network's PDS) and the configured blob
  // origins, which may be plain http. Images cannot run script; what keeps this page safe is script-src and React's
  // escaping.
  const imageSources = [
    "'self'",
    'data:',
    'blob:',
    'https:',
    'http://localhost:*',
    'http://127.0.0.1:*',
    ...opts.imageOrigins.filter((o) => o.startsWith('http://')),
  ]
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${opts.dev ? " 'unsafe-eval'" : ''}`,
    // Inline style attributes: React's style={{ aspectRatio }} on images, Next's route announcer.
    "style-src 'self' 'unsafe-inline'",
    `img-src ${[...new Set(imageSources)].join(' ')}`,
    "font-src 'self'",
    `connect-src 'self'${opts.dev ? ' ws: wss:' : ''}`,
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')

  return [
    { key: 'Content-Security-Policy', value: csp },
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
    { key: 'X-Frame-Options', value: 'DENY' },
    { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
    { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), browsing-topics=()' },
  ]
}

/** The origin a blob URL template points at, e.g. `http://localhost:2583` for the demo's PDS. */
export function templateOrigin(template: string): string | null {
  try {
    return new URL(template.replaceAll('{did}', 'did').replaceAll('{cid}', 'cid')).origin
  } catch {
    return null
  }
}

/**
 * The policy of the jury's proof worker, whose script is a build asset under /_next/static. A dedicated worker is
 * governed by the CSP of its own script's response, not the page's: the prover compiles WebAssembly (snarkjs's curve
 * and the circuit's witness calculator: 'wasm-unsafe-eval', which allows no JavaScript eval) and starts snarkjs's
 * curve threads from blob: URLs. Pages keep the policy above; for a script loaded by a page this header is inert.
 */
export function workerScriptHeaders(): { key: string; value: string }[] {
  const csp = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ')
  return [{ key: 'Content-Security-Policy', value: csp }]
}
