import WebSocket from 'ws'
import type { JetstreamEvent } from '../src/index'

/** A plain `ws` Jetstream subscriber that records every event it receives, for assertions. */
export type Collector = {
  events: JetstreamEvent[]
  waitFor(match: (event: JetstreamEvent) => boolean, timeoutMs?: number): Promise<JetstreamEvent>
  send(message: unknown): void
  close(): Promise<void>
}

export async function collect(url: string): Promise<Collector> {
  const socket = new WebSocket(url)
  const events: JetstreamEvent[] = []
  const waiters: { match: (e: JetstreamEvent) => boolean; resolve: (e: JetstreamEvent) => void }[] = []
  socket.on('message', (data: Buffer) => {
    const event = JSON.parse(data.toString('utf8')) as JetstreamEvent
    events.push(event)
    for (const waiter of waiters.splice(0)) {
      if (waiter.match(event)) waiter.resolve(event)
      else waiters.push(waiter)
    }
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  return {
    events,
    waitFor: (match, timeoutMs = 15_000) => {
      const seen = events.find(match)
      if (seen) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`collector: no matching event in ${timeoutMs} ms`)),
          timeoutMs,
        )
        waiters.push({
          match,
          resolve: (e) => {
            clearTimeout(timer)
            resolve(e)
          },
        })
      })
    },
    send: (message) => socket.send(JSON.stringify(message)),
    close: async () => {
      if (socket.readyState === WebSocket.CLOSED) return
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve())
        socket.close()
      })
    },
  }
}

/** Matches the commit event for one at-uri. */
export function isCommitFor(uri: string, operation?: 'create' | 'update' | 'delete') {
  const [, , did, collection, rkey] = uri.split('/')
  return (event: JetstreamEvent): boolean =>
    event.kind === 'commit' &&
    event.did === did &&
    event.commit.collection === collection &&
    event.commit.rkey === rkey &&
    (operation === undefined || event.commit.operation === operation)
}
