import { once } from 'node:events'
import { IdResolver } from '@atproto/identity'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { createJetstreamSource } from '../src/source/jetstream'
import type { EventSource, SourceEvent } from '../src/source/types'
import { memoryLogger, TEST_CID, waitFor } from './helpers'

// Frames that ws would refuse to read (invalid UTF-8 in a text frame, a frame over its size limit) close the
// connection, and Jetstream's reconnect, which resumes at the cursor inclusive, meets the same frame again. The
// source must read past such a frame, or at least back off and say so; never loop hot. A local WebSocket server
// plays Jetstream: each connection gets the frames from the cursor it asks for, inclusive.

const fast = { initialMs: 5, maxMs: 50 }
const identity = (timeUs: number) =>
  JSON.stringify({ did: 'did:plc:a', time_us: timeUs, kind: 'identity', identity: { handle: 'a.test' } })
/** A post create at `timeUs` whose text is padded to about `bytes`. */
const bigPost = (timeUs: number, bytes: number) =>
  JSON.stringify({
    did: 'did:plc:a',
    time_us: timeUs,
    kind: 'commit',
    commit: {
      rev: 'r',
      operation: 'create',
      collection: 'app.bsky.feed.post',
      rkey: 'k',
      cid: TEST_CID,
      record: { $type: 'app.bsky.feed.post', text: 'x'.repeat(bytes), createdAt: '2026-01-01T00:00:00Z' },
    },
  })

type Frame = { timeUs: number; data: string | Buffer }
let cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn()
  cleanup = []
})

/** Serves `frames()` (read on each connection) from the requested cursor on, inclusive; records the cursors asked. */
async function jetstream(frames: () => Frame[]) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await once(wss, 'listening')
  const asked: (number | undefined)[] = []
  wss.on('connection', (ws, req) => {
    ws.on('error', () => {}) // the client hangs up on frames it refuses
    const param = new URL(req.url ?? '/', 'http://localhost').searchParams.get('cursor')
    const cursor = param === null ? undefined : Number(param)
    asked.push(cursor)
    for (const frame of frames()) {
      if (cursor === undefined || frame.timeUs >= cursor) ws.send(frame.data, { binary: false })
    }
  })
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close(() => resolve())
      }),
  )
  return { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/subscribe`, asked }
}

function start(url: string, extra: { maxPayloadBytes?: number } = {}) {
  const log = memoryLogger()
  const events: SourceEvent[] = []
  // A directory that knows no DID: identity events are delivered without a handle, at once.
  const idResolver = new IdResolver({
    plcUrl: 'http://plc.curia.test',
    fetch: () => Promise.resolve(new Response(null, { status: 404 })),
  })
  const source: EventSource = createJetstreamSource({
    url,
    collections: [],
    log,
    idResolver,
    reconnect: fast,
    ...extra,
  })
  source.start(undefined, { onEvent: (e) => events.push(e) })
  cleanup.push(() => source.stop())
  return { source, events, log }
}

describe('Jetstream frames ws would refuse to read', () => {
  it('reads a text frame with invalid UTF-8 as an event, on the same connection', async () => {
    const [head, tail] = bigPost(200, 0).replace('"text":""', '"text":"caf@("').split('@')
    const badFrame = Buffer.concat([Buffer.from(head!), Buffer.from([0xc3]), Buffer.from(tail!)]) // 0xc3 '(': not UTF-8
    const server = await jetstream(() => [
      { timeUs: 100, data: identity(100) },
      { timeUs: 200, data: badFrame },
      { timeUs: 300, data: identity(300) },
    ])
    const { source, events, log } = start(server.url)
    await waitFor('the event after the bad frame', () => events.some((e) => e.cursor === 300), {
      timeoutMs: 15_000,
      explain: () => ({ events, status: source.status(), log: log.lines.slice(0, 5) }),
    })
    expect(events.map((e) => [e.kind, e.cursor])).toEqual([
      ['identity', 100],
      ['commit', 200],
      ['identity', 300],
    ])
    // Decoded with a replacement character, as any odd text in a record.
    expect((events[1] as { record?: { text?: string } }).record?.text).toBe('caf\ufffd(')
    expect(source.status().reconnects).toBe(0)
    expect(server.asked).toEqual([undefined])
  })

  it('skips a frame over the size limit as oversized_frame, reading it once with a raised limit', async () => {
    const server = await jetstream(() => [
      { timeUs: 100, data: identity(100) },
      { timeUs: 200, data: bigPost(200, 9 * 1024 * 1024) }, // over the 8 MiB limit
      { timeUs: 300, data: identity(300) },
    ])
    const { source, events, log } = start(server.url)
    await waitFor('the event after the big frame', () => events.some((e) => e.cursor === 300), {
      timeoutMs: 15_000,
      explain: () => ({ events, status: source.status(), log: log.lines.slice(0, 5) }),
    })
    expect(events.filter((e) => e.kind === 'invalid')).toMatchObject([
      { reason: 'oversized_frame', cursor: 200 },
    ])
    expect(server.asked).toEqual([undefined, 100])
    expect(log.lines).toContainEqual(
      expect.stringContaining('Jetstream sent a frame over 8 MiB after time_us 100: reconnecting in'),
    )
    expect(source.status()).toMatchObject({ failedConnections: 0, connected: true })
    expect(source.status().stalled).toBeUndefined()
  })

  it('backs off, and says so, when a frame is too big even for the raised limit; goes on once it is gone', async () => {
    let sendBig = true
    const server = await jetstream(() => [
      { timeUs: 100, data: identity(100) },
      ...(sendBig ? [{ timeUs: 200, data: bigPost(200, 1024 * 1024) }] : []), // over 8 x 64 KiB
      { timeUs: 300, data: identity(300) },
    ])
    const { source, events, log } = start(server.url, { maxPayloadBytes: 64 * 1024 })
    await waitFor('several reconnections', () => source.status().reconnects >= 5, {
      timeoutMs: 15_000,
      explain: () => ({ events, status: source.status(), log: log.lines.slice(0, 5) }),
    })
    // Each connection delivers the event at the cursor again (the resume is inclusive): that is not progress, so
    // the backoff keeps growing instead of starting over.
    const status = source.status()
    expect(status.failedConnections).toBeGreaterThanOrEqual(status.reconnects - 1)
    expect(status.stalled).toBe('a frame over 0.5 MiB after time_us 100, too big to read or skip')
    expect(log.lines).toContainEqual(expect.stringContaining('the stream cannot move past it; retrying in'))
    expect(events.some((e) => e.cursor === 300)).toBe(false)

    sendBig = false
    await waitFor('the event after it', () => events.some((e) => e.cursor === 300))
    expect(source.status().failedConnections).toBe(0)
    expect(source.status().stalled).toBeUndefined()
  })
})
