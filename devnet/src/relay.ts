import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import type { IdResolver } from '@atproto/identity'
import { Firehose } from '@atproto/sync'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { DevnetError } from './errors'
import {
  EventRing,
  buildFilter,
  matchesFilter,
  nextTimeUs,
  parseSubscribeRequest,
  toJetstreamEvent,
  type BufferedEvent,
  type JetstreamEvent,
  type SubscriberFilter,
} from './jetstream-event'

export type StartJetstreamRelayOptions = {
  /** The PDS to follow (http or ws URL); its whole firehose is read from seq 0. */
  pdsUrl: string
  /** Used to verify commit signatures and handles, as a real relay/Jetstream would. */
  idResolver: IdResolver
  /** 0 or omitted: a free port. */
  port?: number
  /** Events kept for cursor replay (default 100,000). */
  bufferSize?: number
  /** Upstream errors (bad signatures, parse failures) go here; they are also counted in errorCount(). */
  log?: (line: string) => void
}

export type JetstreamRelay = {
  /** e.g. `ws://127.0.0.1:PORT/subscribe`; pass it to any Jetstream client as its endpoint. */
  url: string
  port: number
  /** Events relayed since start (not capped by the buffer). */
  eventCount(): number
  /** time_us of the newest event, 0 before the first. */
  lastTimeUs(): number
  /** Upstream events that failed verification or parsing. */
  errorCount(): number
  /** Connected subscribers. */
  clientCount(): number
  /** Events currently in the replay buffer, oldest first. */
  bufferedEvents(): JetstreamEvent[]
  /**
   * Resolves with the first event (already buffered or yet to come) that matches; rejects with DevnetError('timeout')
   * after timeoutMs (default 15 s) so a broken pipeline fails the test instead of hanging it.
   */
  waitFor(match: (event: JetstreamEvent) => boolean, opts?: { timeoutMs?: number }): Promise<JetstreamEvent>
  /** Closes every subscriber socket (code 1012, "service restart"); they may reconnect at once. */
  dropClients(): void
  /** Drops every subscriber and refuses new ones (503) until resume(); upstream events keep buffering meanwhile. */
  pause(): void
  resume(): void
  close(): Promise<void>
}

type Client = {
  socket: WebSocket
  filter: SubscriberFilter
  /** false until the client's hello when it connected with requireHello=true. */
  started: boolean
  cursor: number | undefined
}

// Jetstream disconnects consumers that fall this far behind rather than buffering for them forever.
const maxClientBufferedBytes = 64 * 1024 * 1024

/** A Jetstream-protocol server fed by one PDS's verified firehose. */
export async function startJetstreamRelay(opts: StartJetstreamRelayOptions): Promise<JetstreamRelay> {
  const ring = new EventRing(opts.bufferSize ?? 100_000)
  const clients = new Set<Client>()
  const waiters = new Set<{
    match: (event: JetstreamEvent) => boolean
    resolve: (event: JetstreamEvent) => void
    reject: (err: Error) => void
  }>()
  const log = opts.log ?? (() => {})
  let count = 0
  let errors = 0
  let lastUs = 0
  let lastSeq = 0
  let paused = false
  let closed = false

  const send = (client: Client, item: BufferedEvent): void => {
    if (!matchesFilter(client.filter, item.event, item.sizeBytes)) return
    if (client.socket.bufferedAmount > maxClientBufferedBytes) {
      client.socket.terminate()
      return
    }
    client.socket.send(item.json)
  }

  const publish = (event: JetstreamEvent): void => {
    const json = JSON.stringify(event)
    const item: BufferedEvent = { event, json, sizeBytes: Buffer.byteLength(json) }
    ring.push(item)
    count++
    for (const client of clients) if (client.started) send(client, item)
    for (const waiter of waiters) {
      if (waiter.match(event)) {
        waiters.delete(waiter)
        waiter.resolve(event)
      }
    }
  }

  const firehose = new Firehose({
    service: opts.pdsUrl.replace(/^http/, 'ws'),
    idResolver: opts.idResolver,
    // Without a runner the firehose handles events one at a time in seq order, which is the order Jetstream keeps.
    // Resuming from the last seq we finished means a reconnect neither skips nor repeats; 0 replays the whole PDS.
    getCursor: () => lastSeq,
    subscriptionReconnectDelay: 200,
    handleEvent: (evt) => {
      lastSeq = Math.max(lastSeq, evt.seq)
      lastUs = nextTimeUs(Date.now() * 1000, lastUs)
      const event = toJetstreamEvent(evt, lastUs)
      if (event) publish(event)
    },
    onError: (err) => {
      if (closed) return
      errors++
      log(
        `relay: upstream error: ${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}`,
      )
    },
  })
  void firehose.start()

  const wss = new WebSocketServer({ noServer: true })
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/plain' })
    res.end(req.url === '/' ? 'Curia devnet Jetstream relay: connect to /subscribe\n' : 'not found\n')
  })

  const startClient = (client: Client): void => {
    client.started = true
    if (client.cursor === undefined) return
    // Synchronous, so no live event can slip between the replay and the live tail.
    for (const item of ring.sliceFrom(ring.indexAtOrAfter(client.cursor))) send(client, item)
  }

  const onMessage = (client: Client, data: RawData): void => {
    // Clients may change filters mid-stream: {"type":"options_update","payload":{wantedCollections,wantedDids,...}}.
    try {
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8')
      const msg = JSON.parse(text) as { type?: string; payload?: Parameters<typeof buildFilter>[0] }
      if (msg.type !== 'options_update') return
      client.filter = buildFilter(msg.payload ?? {})
      if (!client.started) startClient(client)
    } catch (err) {
      client.socket.close(1008, err instanceof Error ? err.message.slice(0, 120) : 'bad message')
    }
  }

  const rejectUpgrade = (socket: Duplex, status: number, message: string): void => {
    socket.end(
      `HTTP/1.1 ${status} ${status === 503 ? 'Service Unavailable' : 'Bad Request'}\r\n` +
        `Content-Type: text/plain\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
    )
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://relay.invalid')
    if (url.pathname !== '/subscribe') return rejectUpgrade(socket, 400, 'connect to /subscribe')
    if (paused || closed) return rejectUpgrade(socket, 503, 'relay paused')
    let parsed: ReturnType<typeof parseSubscribeRequest>
    try {
      parsed = parseSubscribeRequest(url.searchParams)
    } catch (err) {
      return rejectUpgrade(socket, 400, err instanceof Error ? err.message : 'bad request')
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const client: Client = { socket: ws, filter: parsed.filter, started: false, cursor: parsed.cursor }
      clients.add(client)
      ws.on('message', (data) => onMessage(client, data))
      ws.on('close', () => clients.delete(client))
      ws.on('error', () => clients.delete(client))
      if (!parsed.requireHello) startClient(client)
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port

  const dropClients = (): void => {
    for (const client of clients) client.socket.close(1012, 'relay restarting')
    clients.clear()
  }

  return {
    url: `ws://127.0.0.1:${port}/subscribe`,
    port,
    eventCount: () => count,
    lastTimeUs: () => lastUs,
    errorCount: () => errors,
    clientCount: () => clients.size,
    bufferedEvents: () => ring.sliceFrom(0).map((item) => item.event),
    waitFor: (match, waitOpts) => {
      for (const item of ring.sliceFrom(0)) if (match(item.event)) return Promise.resolve(item.event)
      if (closed) return Promise.reject(new DevnetError('relay_closed', 'relay is closed'))
      const timeoutMs = waitOpts?.timeoutMs ?? 15_000
      return new Promise<JetstreamEvent>((resolve, reject) => {
        const waiter = {
          match,
          resolve: (event: JetstreamEvent) => {
            clearTimeout(timer)
            resolve(event)
          },
          reject: (err: Error) => {
            clearTimeout(timer)
            reject(err)
          },
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new DevnetError('timeout', `no matching relay event within ${timeoutMs} ms`))
        }, timeoutMs)
        waiters.add(waiter)
      })
    },
    dropClients,
    pause: () => {
      paused = true
      dropClients()
    },
    resume: () => {
      paused = false
    },
    close: async () => {
      if (closed) return
      closed = true
      for (const waiter of waiters)
        waiter.reject(new DevnetError('relay_closed', 'relay closed while waiting'))
      waiters.clear()
      await firehose.destroy()
      for (const client of clients) client.socket.terminate()
      clients.clear()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))
    },
  }
}
