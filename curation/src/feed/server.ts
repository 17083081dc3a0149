import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isCurationError, type CurationErrorCode } from '../errors'
import type { ServiceAuthVerifier } from './auth'
import { addressViewer } from './exposure'
import type { SnapshotStore } from './snapshot-store'

export interface FeedServerOptions {
  store: SnapshotStore
  verifier: ServiceAuthVerifier
  serviceDid: string
  publicUrl: string
  /** at-URIs of the feeds this generator serves. */
  feedUris: string[]
  log?: (line: string) => void
}

export interface FeedServer {
  url: string
  port: number
  server: Server
  close(): Promise<void>
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }

/** XRPC error names per CurationError code: the one place the feed's refusals become HTTP. */
function toXrpcError(code: CurationErrorCode): { status: number; error: string } {
  switch (code) {
    case 'unknown_feed':
      return { status: 400, error: 'UnknownFeed' }
    case 'auth_required':
    case 'bad_auth':
      return { status: 401, error: 'AuthenticationRequired' }
    default:
      return { status: 400, error: 'InvalidRequest' }
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body)
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(payload) })
  res.end(payload)
}

function sendError(res: ServerResponse, status: number, error: string, message: string): void {
  send(res, status, { error, message })
}

/**
 * The feed generator as a lean node:http handler (no framework): the hot path is parse -> verify (cached) ->
 * slice an in-memory snapshot -> JSON, so it runs near a bare server's rate. Routes:
 * `/.well-known/did.json`, `app.bsky.feed.describeFeedGenerator`, `app.bsky.feed.getFeedSkeleton`, `/xrpc/_health`.
 */
export function createFeedHandler(
  opts: FeedServerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const feeds = new Set(opts.feedUris)
  const didDoc = opts.serviceDid.startsWith('did:web:')
    ? JSON.stringify({
        '@context': ['https://www.w3.org/ns/did/v1'],
        id: opts.serviceDid,
        service: [{ id: '#bsky_fg', type: 'BskyFeedGenerator', serviceEndpoint: opts.publicUrl }],
      })
    : undefined
  const describe = { did: opts.serviceDid, feeds: opts.feedUris.map((uri) => ({ uri })) }

  async function getFeedSkeleton(params: URLSearchParams, req: IncomingMessage, res: ServerResponse) {
    const feed = params.get('feed')
    if (!feed) return sendError(res, 400, 'InvalidRequest', 'Missing required parameter: feed')
    if (!feeds.has(feed)) return sendError(res, 400, 'UnknownFeed', `Unknown feed: ${feed.slice(0, 300)}`)
    const rawLimit = params.get('limit')
    const limit = rawLimit === null ? 50 : Number(rawLimit)
    if (!/^\d{1,3}$/.test(rawLimit ?? '50') || !Number.isInteger(limit) || limit < 1 || limit > 100) {
      return sendError(res, 400, 'InvalidRequest', 'limit must be an integer from 1 to 100')
    }
    const cursor = params.get('cursor') ?? undefined
    if (cursor !== undefined && cursor.length > 64)
      return sendError(res, 400, 'InvalidRequest', 'Malformed cursor.')
    const viewer = await opts.verifier.verify(req.headers.authorization)
    // Impressions are counted once per viewer and post: by DID when the AppView vouches for one, otherwise by the
    // connecting address, an IPv6 one by its /64 (logged-out Bluesky readers all arrive from the AppView's, and count
    // as one).
    const page = await opts.store.getPage({
      cursor,
      limit,
      viewer: viewer ? viewer.did : addressViewer(req.socket.remoteAddress),
    })
    const body: { cursor?: string; feed: { post: string; feedContext: string }[] } = {
      feed: page.items.map((item) => ({ post: item.uri, feedContext: item.feedContext })),
    }
    if (page.cursor) body.cursor = page.cursor
    send(res, 200, body)
  }

  return (req, res) => {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendError(res, 405, 'MethodNotAllowed', 'Use GET.')
    const handle = async () => {
      switch (path) {
        case '/xrpc/app.bsky.feed.getFeedSkeleton':
          return getFeedSkeleton(new URLSearchParams(q === -1 ? '' : url.slice(q + 1)), req, res)
        case '/xrpc/app.bsky.feed.describeFeedGenerator':
          return send(res, 200, describe)
        case '/.well-known/did.json':
          if (!didDoc) return sendError(res, 404, 'NotFound', 'This feed generator is not a did:web service.')
          res.writeHead(200, { 'content-type': 'application/json' })
          return void res.end(didDoc)
        case '/xrpc/_health':
          return send(res, 200, { version: 'curia', latestSnapshotId: opts.store.latestSnapshotId() ?? null })
        default:
          return sendError(res, 404, 'MethodNotImplemented', `No such route: ${path.slice(0, 200)}`)
      }
    }
    handle().catch((err: unknown) => {
      if (isCurationError(err)) {
        const { status, error } = toXrpcError(err.code)
        return sendError(res, status, error, err.message)
      }
      opts.log?.(
        `feed: internal error on ${path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      )
      if (!res.headersSent) sendError(res, 500, 'InternalServerError', 'Internal server error')
      else res.destroy()
    })
  }
}

export async function startFeedServer(
  opts: FeedServerOptions & { port: number; host?: string },
): Promise<FeedServer> {
  const server = createServer({ keepAliveTimeout: 30_000 }, createFeedHandler(opts))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
