import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { IndexerStatus } from './indexer'

export interface StatusServer {
  /** e.g. http://127.0.0.1:3002/status */
  url: string
  port: number
  close(): Promise<void>
}

/**
 * `GET /status`: the indexer's status as JSON (200 while it can write, 503 while it waits for the database, so a
 * load balancer or the launcher can tell). Plain node:http: nothing here needs a framework.
 */
export async function startStatusServer(opts: {
  status: () => IndexerStatus
  port: number
  host?: string
}): Promise<StatusServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' || (path !== '/status' && path !== '/')) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'not_found', message: 'GET /status' }))
      return
    }
    const status = opts.status()
    res.writeHead(status.database.healthy ? 200 : 503, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    })
    res.end(JSON.stringify(status))
  })
  const host = opts.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/status`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}
