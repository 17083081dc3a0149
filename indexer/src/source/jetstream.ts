import type { IdResolver } from '@atproto/identity'
import WebSocket from 'ws'
import { isDid } from '@curia/curation/records/common'
import { LogThrottle, describeError, type IndexerLogger } from '../log'
import { verifiedHandle, type ResolveHandle } from './identity'
import { DEFAULT_RECONNECT, backoffDelayMs, describeReconnect, type BackoffOptions } from './reconnect'
import type {
  CommitOperation,
  EventSource,
  IdentityEvent,
  SourceEvent,
  SourceSink,
  SourceStatus,
} from './types'

/**
 * The largest frame treated as an event. Records are capped at 1 MiB by PDSes and a real post event is a few KiB;
 * anything bigger is skipped as `oversized_frame` rather than parsed. (ws's own `maxPayload` is set higher, so such
 * a frame is counted instead of killing the connection.)
 */
export const MAX_FRAME_BYTES = 512 * 1024
/**
 * ws's limit on a frame it reads at all (it closes the connection with 1009 on a bigger one). After such a close the
 * next connection reads with a limit `RAISED_PAYLOAD_FACTOR` times higher, only to skip the frame: resuming from the
 * same cursor would otherwise meet it again, forever.
 */
const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024
const RAISED_PAYLOAD_FACTOR = 8
const HEARTBEAT_MS = 30_000
/** Identity events whose handle is being verified at once (see createJetstreamSource). */
const IDENTITY_CONCURRENCY = 16
/** Events read but not yet delivered past which the socket is paused until half of them are. */
const MAX_UNDELIVERED = 4096

export interface JetstreamSourceOptions {
  /** e.g. wss://jetstream2.us-east.bsky.network/subscribe */
  url: string
  collections: readonly string[]
  wantedDids?: readonly string[]
  log: IndexerLogger
  /** Verifies identity events' handles (verifiedHandle): Jetstream passes them through unverified. */
  idResolver: IdResolver
  /** How a DID document's handle is resolved back to check it (default: DNS and well-known; handleResolution). */
  resolveHandle?: ResolveHandle
  reconnect?: BackoffOptions
  /** ws's frame limit (default 8 MiB); see MAX_PAYLOAD_BYTES. */
  maxPayloadBytes?: number
}

/** The subscribe URL for a resume point. Pure. */
export function buildJetstreamUrl(
  base: string,
  collections: readonly string[],
  wantedDids: readonly string[],
  cursor: number | undefined,
): string {
  const url = new URL(base)
  for (const c of collections) url.searchParams.append('wantedCollections', c)
  for (const d of wantedDids) url.searchParams.append('wantedDids', d)
  // Jetstream replays from `cursor` inclusive: the newest event already delivered arrives again, and the
  // idempotent writes absorb it. Replaying one event beats risking a gap on a time_us tie.
  if (cursor !== undefined) url.searchParams.set('cursor', String(cursor))
  return url.toString()
}

function invalid(
  reason: 'malformed_frame' | 'oversized_frame',
  detail: string,
  cursor?: number,
): SourceEvent {
  return cursor === undefined
    ? { kind: 'invalid', reason, detail }
    : { kind: 'invalid', reason, detail, cursor, timeMs: Math.floor(cursor / 1000) }
}

/**
 * The `time_us` of a frame too big to parse, read from its head: Jetstream writes `did` and then `time_us` first.
 * With it the stream's cursor moves past the frame skipped; without it, past the next event.
 */
export function leadingTimeUs(frame: Buffer): number | undefined {
  const match = /^\{"did":"[^"\\]{1,2048}","time_us":(\d{1,16})[,}]/.exec(
    frame.subarray(0, 2200).toString('latin1'),
  )
  const cursor = match ? Number(match[1]) : Number.NaN
  return Number.isSafeInteger(cursor) && cursor > 0 ? cursor : undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const OPERATIONS: ReadonlySet<string> = new Set<CommitOperation>(['create', 'update', 'delete'])

/**
 * One Jetstream frame -> one normalized event. Pure, never throws: a frame that is not what the protocol promises
 * becomes an `invalid` event (with its cursor when `time_us` survived, so the stream still moves past it).
 * An identity event comes out without a handle: the one in the frame is a PDS's claim passed through unverified
 * (or `handle.invalid`), and the source replaces it with one it verified (createJetstreamSource).
 */
export function parseJetstreamFrame(text: string): SourceEvent {
  let msg: unknown
  try {
    msg = JSON.parse(text)
  } catch {
    return invalid('malformed_frame', `not JSON: ${text.slice(0, 120)}`)
  }
  // The atproto data model forbids this key (lex-json refuses it); a scan of the text is the cheap way to find it.
  // Scanning for `__proto__"` first gives the same answer about six times faster (0.3 us a frame was a tenth of
  // parsing, bench/ingest.ts): the search keys on the pattern's first character, and `"` is everywhere in JSON.
  if (text.includes('__proto__"') && text.includes('"__proto__"')) {
    const cursor = isObject(msg) && Number.isSafeInteger(msg.time_us) ? (msg.time_us as number) : undefined
    return invalid('malformed_frame', `a "__proto__" key at time_us ${cursor ?? '(unknown)'}`, cursor)
  }
  if (!isObject(msg)) return invalid('malformed_frame', `not an object: ${text.slice(0, 120)}`)
  const cursor = msg.time_us
  if (typeof cursor !== 'number' || !Number.isSafeInteger(cursor) || cursor <= 0) {
    return invalid('malformed_frame', `no time_us: ${text.slice(0, 120)}`)
  }
  const timeMs = Math.floor(cursor / 1000)
  const did = msg.did
  if (typeof did !== 'string') return invalid('malformed_frame', `no did at time_us ${cursor}`, cursor)

  switch (msg.kind) {
    case 'commit': {
      const c = msg.commit
      if (
        !isObject(c) ||
        typeof c.operation !== 'string' ||
        !OPERATIONS.has(c.operation) ||
        typeof c.collection !== 'string' ||
        typeof c.rkey !== 'string'
      ) {
        return invalid('malformed_frame', `bad commit from ${did.slice(0, 200)} at time_us ${cursor}`, cursor)
      }
      const operation = c.operation as CommitOperation
      if (operation === 'delete') {
        return { kind: 'commit', cursor, timeMs, did, collection: c.collection, rkey: c.rkey, operation }
      }
      if (typeof c.cid !== 'string' || c.record === undefined) {
        return invalid(
          'malformed_frame',
          `${operation} without record or cid from ${did.slice(0, 200)}`,
          cursor,
        )
      }
      return {
        kind: 'commit',
        cursor,
        timeMs,
        did,
        collection: c.collection,
        rkey: c.rkey,
        operation,
        cid: c.cid,
        record: c.record,
      }
    }
    case 'identity':
      return { kind: 'identity', cursor, timeMs, did }
    case 'account': {
      const account = msg.account
      if (!isObject(account) || typeof account.active !== 'boolean') {
        return invalid('malformed_frame', `bad account event for ${did.slice(0, 200)}`, cursor)
      }
      return typeof account.status === 'string'
        ? { kind: 'account', cursor, timeMs, did, active: account.active, status: account.status }
        : { kind: 'account', cursor, timeMs, did, active: account.active }
    }
    default:
      // A kind added to the protocol after this code: nothing to index, but the stream moves past it.
      return { kind: 'tick', cursor, timeMs }
  }
}

/**
 * Jetstream (bluesky-social/jetstream): JSON over a WebSocket, filtered by collection (and optionally repo) on the
 * server, cursor = `time_us`. Cheap to parse (about 3 us an event), which is why it is the default source.
 * The source keeps reconnecting until stopped, with exponential backoff and jitter, resuming from the last event it
 * delivered; backpressure pauses the socket, so the server (and TCP) hold the events we are not ready for.
 *
 * Jetstream verifies nothing, so an identity event's handle is verified here as the firehose source does
 * (verifiedHandle: the DID document's handle, resolving back to the DID), up to IDENTITY_CONCURRENCY at once.
 * Events are still delivered in stream order: those behind an identity event being verified wait for it (and past
 * MAX_UNDELIVERED the socket is paused). When the DID document cannot be read, the event is delivered without a
 * handle, so the stored one is kept, and a warning says so; the stream does not wait for the directory to be back.
 */
export function createJetstreamSource(opts: JetstreamSourceOptions): EventSource {
  const backoff = opts.reconnect ?? DEFAULT_RECONNECT
  const wantedDids = opts.wantedDids ?? []
  const maxPayloadBytes = opts.maxPayloadBytes ?? MAX_PAYLOAD_BYTES
  let sink: SourceSink | undefined
  let socket: WebSocket | undefined
  let resumeCursor: number | undefined
  let connected = false
  let paused = false
  let stopped = false
  /** Connections in a row that ended without an event past the cursor they resumed from: the backoff's exponent. */
  let attempt = 0
  let reconnects = 0
  let payloadLimit = maxPayloadBytes
  let stalled: string | undefined
  let retryTimer: NodeJS.Timeout | undefined
  let heartbeat: NodeJS.Timeout | undefined
  let onStopped: (() => void) | undefined

  // Events read and not yet delivered, in stream order; an identity event is ready once its handle is verified.
  const undelivered: { event: SourceEvent; ready: boolean }[] = []
  const toVerify: { slot: (typeof undelivered)[number]; event: IdentityEvent }[] = []
  let verifying = 0
  let backlogged = false
  const throttle = new LogThrottle(10_000)

  const deliver = () => {
    while (!stopped && undelivered[0]?.ready) sink?.onEvent(undelivered.shift()!.event)
    if (backlogged && undelivered.length <= MAX_UNDELIVERED / 2) {
      backlogged = false
      if (!paused) socket?.resume()
    }
  }

  /** The identity event with the handle verifiedHandle vouches for, or none. */
  const withVerifiedHandle = async (event: IdentityEvent): Promise<IdentityEvent> => {
    if (!isDid(event.did)) return event // skipped by the mapping as an invalid identifier
    try {
      const handle = await verifiedHandle(opts.idResolver, event.did, opts.resolveHandle)
      return handle === undefined ? event : { ...event, handle }
    } catch (err) {
      const suppressed = throttle.admit('identity', Date.now())
      if (suppressed !== undefined) {
        opts.log.warn(
          `could not verify the handle of ${event.did} (identity event at time_us ${event.cursor}): ` +
            `${describeError(err)}; its stored handle is kept` +
            (suppressed > 0 ? ` (${suppressed} more since the last warning)` : ''),
        )
      }
      return event
    }
  }

  const verifyNext = () => {
    while (verifying < IDENTITY_CONCURRENCY && toVerify.length > 0) {
      const { slot, event } = toVerify.shift()!
      verifying++
      void withVerifiedHandle(event).then((verified) => {
        verifying--
        slot.event = verified
        slot.ready = true
        verifyNext()
        deliver()
      })
    }
  }

  const receive = (event: SourceEvent) => {
    if (event.kind === 'identity') {
      const slot: (typeof undelivered)[number] = { event, ready: false }
      undelivered.push(slot)
      toVerify.push({ slot, event })
      verifyNext()
    } else if (undelivered.length === 0) {
      sink?.onEvent(event) // nothing waiting ahead of it: the common case, delivered at once
    } else {
      undelivered.push({ event, ready: true })
    }
    if (!backlogged && undelivered.length >= MAX_UNDELIVERED) {
      backlogged = true
      socket?.pause()
    }
  }

  const setConnected = (value: boolean) => {
    if (connected === value) return
    connected = value
    sink?.onConnectionChange?.(value)
  }

  const connect = () => {
    const from = resumeCursor
    const url = buildJetstreamUrl(opts.url, opts.collections, wantedDids, from)
    const ws = new WebSocket(url, {
      maxPayload: payloadLimit,
      perMessageDeflate: false,
      handshakeTimeout: 15_000,
      // A frame is decoded with replacement characters and parsed defensively (parseJetstreamFrame): invalid UTF-8
      // in one is one odd event, where ws's check would close the connection, and the reconnect from the same
      // cursor would meet the same frame again, forever.
      skipUTF8Validation: true,
    })
    socket = ws
    let lastError: unknown
    let alive = true

    ws.on('open', () => {
      setConnected(true)
      if (paused || backlogged) ws.pause()
      heartbeat = setInterval(() => {
        // No frame and no pong for a whole interval: the connection is dead without having said so.
        if (!alive) return ws.terminate()
        alive = false
        ws.ping()
      }, HEARTBEAT_MS)
    })
    ws.on('pong', () => (alive = true))
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      alive = true
      const buffer = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data)
      const event =
        buffer.length > MAX_FRAME_BYTES
          ? invalid(
              'oversized_frame',
              `frame of ${buffer.length} bytes after time_us ${resumeCursor ?? '(start)'}`,
              leadingTimeUs(buffer),
            )
          : parseJetstreamFrame(buffer.toString('utf8'))
      // Progress is an event past the cursor this connection resumed from. The first one is the event at that
      // cursor again (the resume is inclusive), which says nothing about the frame after it: resetting the backoff
      // on it would reconnect at full speed into a frame that closes the connection every time.
      if (event.cursor !== undefined && (from === undefined || event.cursor > from)) {
        attempt = 0
        payloadLimit = maxPayloadBytes // the next connection reads with the usual limit again
        stalled = undefined
      }
      if (event.cursor !== undefined) resumeCursor = event.cursor
      receive(event)
    })
    ws.on('error', (err) => (lastError = err))
    ws.on('close', (code, reason) => {
      clearInterval(heartbeat)
      setConnected(false)
      if (socket === ws) socket = undefined
      if (stopped) return onStopped?.()
      const delayMs = backoffDelayMs(attempt++, backoff, Math.random())
      reconnects++
      const tooBig =
        (lastError as { code?: unknown } | undefined)?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
      const after = `after time_us ${resumeCursor ?? '(start)'}`
      const wait = `${Math.max(1, Math.round(delayMs / 1000))}s`
      if (tooBig && payloadLimit < maxPayloadBytes * RAISED_PAYLOAD_FACTOR) {
        opts.log.warn(
          `Jetstream sent a frame over ${mib(payloadLimit)} ${after}: reconnecting in ${wait} to read it with a ` +
            `limit of ${mib(maxPayloadBytes * RAISED_PAYLOAD_FACTOR)} and skip it as oversized_frame`,
        )
        payloadLimit = maxPayloadBytes * RAISED_PAYLOAD_FACTOR
      } else if (tooBig) {
        stalled = `a frame over ${mib(payloadLimit)} ${after}, too big to read or skip`
        opts.log.warn(
          `Jetstream sent a frame over ${mib(payloadLimit)} ${after}, too big to read or skip: the stream cannot ` +
            `move past it; retrying in ${wait} (backing off) in case it goes away. Another Jetstream instance ` +
            `(CURIA_JETSTREAM_URL) may not send it`,
        )
      } else {
        const why =
          lastError ?? new Error(`closed with code ${code}${reason.length ? ` (${reason.toString()})` : ''}`)
        opts.log.warn(describeReconnect('Jetstream', opts.url, why, delayMs, resumeCursor))
      }
      retryTimer = setTimeout(connect, delayMs)
    })
  }

  return {
    cursorKey: 'jetstream', // time_us is wall-clock based, so a cursor carries over between Jetstream instances
    start(startCursor, s) {
      sink = s
      resumeCursor = startCursor
      connect()
    },
    pause() {
      paused = true
      socket?.pause()
    },
    resume() {
      paused = false
      if (!backlogged) socket?.resume()
    },
    async stop() {
      if (stopped) return
      // Events still waiting on a verification are not delivered: the cursor stays before them.
      stopped = true
      clearTimeout(retryTimer)
      const ws = socket
      if (!ws) return
      await new Promise<void>((resolve) => {
        onStopped = resolve
        ws.close(1000, 'indexer stopping')
        // A peer that never answers the close handshake must not hold the shutdown up.
        setTimeout(() => ws.terminate(), 2_000).unref()
      })
    },
    status(): SourceStatus {
      return {
        kind: 'jetstream',
        url: opts.url,
        connected,
        reconnects,
        paused,
        resumeCursor,
        failedConnections: attempt,
        ...(stalled === undefined ? {} : { stalled }),
      }
    },
  }
}

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`
