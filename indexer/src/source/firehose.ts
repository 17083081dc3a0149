import type { IdResolver } from '@atproto/identity'
import { lexToJson } from '@atproto/lex'
import { parseAccount, parseCommitAuthenticated, type CommitEvt } from '@atproto/sync'
import { Subscription } from '@atproto/xrpc-server'
import { describeError, type IndexerLogger } from '../log'
import { verifiedHandle, type ResolveHandle } from './identity'
import { DEFAULT_RECONNECT, backoffDelayMs, describeReconnect, type BackoffOptions } from './reconnect'
import type { EventSource, SourceEvent, SourceSink, SourceStatus } from './types'

type CommitFrame = Parameters<typeof parseCommitAuthenticated>[1]
type AccountFrame = Parameters<typeof parseAccount>[0]

const METHOD = 'com.atproto.sync.subscribeRepos'

export interface FirehoseSourceOptions {
  /** A relay or PDS, e.g. wss://bsky.network */
  url: string
  collections: readonly string[]
  /** Resolves signing keys to verify commits, and DID documents and handles to verify identity events' handles. */
  idResolver: IdResolver
  /** How a DID document's handle is resolved back to check it (default: DNS and well-known; handleResolution). */
  resolveHandle?: ResolveHandle
  log: IndexerLogger
  /**
   * Frames verified at once. Verifying a commit is mostly waiting on key resolution for a DID not seen lately, so
   * overlapping them keeps the stream moving; events are still delivered strictly in stream order.
   */
  concurrency?: number
  reconnect?: BackoffOptions
  /**
   * How long a frame from a did:web repo waits for the DID's host to answer (default 5 minutes). PLC is everyone's
   * directory: while it is away nothing can be verified, and the stream waits however long that lasts. A did:web's
   * host is the account's own server, and one that never answers (down for good, or hanging on purpose) must not
   * hold every other account's events: past this wait its commit is skipped and counted as unverified.
   */
  didWebWaitMs?: number
}

/**
 * `com.atproto.sync.subscribeRepos` with every commit verified (signature against the repo's key, Merkle proofs
 * of each op) by @atproto/sync's parsers; cursor = `seq`.
 *
 * Built from @atproto/sync's exported parsers over xrpc-server's `Subscription` rather than its `Firehose` class,
 * because the class (0.4.x) does not await the runner it hands events to (so no backpressure reaches the socket),
 * retries subscription failures at a fixed delay, and does not pass reconnect errors on (so an unreachable relay
 * would be silent). Here the loop awaits the consumer, the socket is paused by the subscription's own flow control,
 * and every reconnect is logged.
 */
export function createFirehoseSource(opts: FirehoseSourceOptions): EventSource {
  const backoff = opts.reconnect ?? DEFAULT_RECONNECT
  const concurrency = opts.concurrency ?? 16
  const didWebWaitMs = opts.didWebWaitMs ?? 5 * 60_000
  const wanted = new Set(opts.collections)
  const matchCollection = (collection: string) => wanted.has(collection)
  let sink: SourceSink | undefined
  let resumeCursor: number | undefined
  let connected = false
  let paused = false
  let stopped = false
  let reconnects = 0
  const abort = new AbortController()
  let loop: Promise<void> | undefined

  // In-order delivery of concurrently parsed frames: slots are filled as parses finish and drained from the head.
  const slots: { done: boolean; events: SourceEvent[] }[] = []
  let wake: (() => void) | undefined
  const signal = () => {
    const w = wake
    wake = undefined
    w?.()
  }
  const drain = () => {
    while (slots[0]?.done) for (const event of slots.shift()!.events) sink?.onEvent(event)
    signal()
  }
  const mayPull = () => stopped || (!paused && slots.length < concurrency)
  const waitUntilMayPull = async () => {
    while (!mayPull()) await new Promise<void>((resolve) => (wake = resolve))
  }

  // Frames whose identity lookup is being retried (see verifyFrame), and what holds the stream meanwhile.
  let waiting = 0
  let stalled: string | undefined
  const abortableSleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
    })

  const setConnected = (value: boolean) => {
    if (connected === value) return
    connected = value
    sink?.onConnectionChange?.(value)
  }

  const parseFrame = async (frame: Record<string, unknown>): Promise<SourceEvent[]> => {
    const seq = frame.seq as number
    const timeMs = frameTimeMs(frame)
    try {
      switch (frame.$type) {
        case `${METHOD}#commit`: {
          const commits = await parseCommitAuthenticated(
            opts.idResolver,
            frame as unknown as CommitFrame,
            matchCollection,
          )
          const events = commits.map((evt) => toCommitEvent(evt, timeMs))
          // Nothing wanted in this commit: a tick still lets the cursor move past it.
          return events.length > 0 ? events : [{ kind: 'tick', cursor: seq, timeMs }]
        }
        case `${METHOD}#identity`: {
          // The frame's own handle is a claim passed through unverified: the handle kept is verifiedHandle's.
          const did = frame.did
          if (typeof did !== 'string') {
            const detail = `identity event without a did at seq ${seq}`
            return [{ kind: 'invalid', reason: 'malformed_frame', detail, cursor: seq, timeMs }]
          }
          const handle = await verifiedHandle(opts.idResolver, did, opts.resolveHandle)
          return [
            handle === undefined
              ? { kind: 'identity', cursor: seq, timeMs, did }
              : { kind: 'identity', cursor: seq, timeMs, did, handle },
          ]
        }
        case `${METHOD}#account`: {
          const evt = parseAccount(frame as unknown as AccountFrame)
          if (!evt)
            return [
              {
                kind: 'invalid',
                reason: 'malformed_frame',
                detail: `account event with unknown status at seq ${seq}`,
                cursor: seq,
                timeMs,
              },
            ]
          return [
            evt.status === undefined
              ? { kind: 'account', cursor: seq, timeMs, did: evt.did, active: evt.active }
              : {
                  kind: 'account',
                  cursor: seq,
                  timeMs,
                  did: evt.did,
                  active: evt.active,
                  status: evt.status,
                },
          ]
        }
        default:
          // #sync (a repo reset: Curia does not re-read whole repos) and kinds added after this code.
          return [{ kind: 'tick', cursor: seq, timeMs }]
      }
    } catch (err) {
      const did = typeof frame.repo === 'string' ? frame.repo : typeof frame.did === 'string' ? frame.did : ''
      if (isLookupUnavailable(err, did)) throw new LookupUnavailableError(did, err)
      const reason = frame.$type === `${METHOD}#commit` ? 'unverified_commit' : 'malformed_frame'
      return [
        {
          kind: 'invalid',
          reason,
          detail: `seq ${seq} (${String(frame.$type)}): ${describeError(err)}`,
          cursor: seq,
          timeMs,
        },
      ]
    }
  }

  /**
   * A frame's events, verified. When the identity directory cannot be asked about its DID (PLC or the did:web host
   * unreachable, timing out, failing), nothing is known about the commit yet: skipping it would move the cursor past
   * it for good. It is verified again with backoff instead, as a batch is written again while the database is away;
   * the frames behind it wait in their slots (delivery is in order), and once the slots are full the socket is
   * paused. Undefined when the source stops first: the frame is never delivered, so the cursor stays before it.
   */
  const verifyFrame = async (
    frame: Record<string, unknown>,
    slot: (typeof slots)[number],
  ): Promise<SourceEvent[] | undefined> => {
    const seq = frame.seq as number
    let firstFailureMs = 0
    for (let attempt = 0; ; attempt++) {
      try {
        const events = await parseFrame(frame)
        if (attempt > 0) {
          if (--waiting === 0) stalled = undefined
          opts.log.info(`identity lookups answer again: seq ${seq} verified after ${attempt + 1} attempts`)
        }
        return events
      } catch (err) {
        if (!(err instanceof LookupUnavailableError)) throw err
        if (attempt === 0) {
          waiting++
          firstFailureMs = Date.now()
        } else if (err.did.startsWith('did:web:') && Date.now() - firstFailureMs >= didWebWaitMs) {
          if (--waiting === 0) stalled = undefined
          const detail = `seq ${seq}: ${err.message}, for ${Math.round((Date.now() - firstFailureMs) / 1000)}s; skipped`
          opts.log.warn(`cannot verify ${detail} so that other accounts' events go on`)
          return [
            { kind: 'invalid', reason: 'unverified_commit', detail, cursor: seq, timeMs: frameTimeMs(frame) },
          ]
        }
        const delayMs = backoffDelayMs(attempt, backoff, Math.random())
        // Only the frame at the head holds the stream: it is the one named and logged; those behind retry quietly.
        const atHead = slots[0] === slot
        if (atHead || stalled === undefined) stalled = `seq ${seq}: ${err.message}`
        if (atHead && !stopped) {
          opts.log.warn(
            `cannot verify seq ${seq}: ${err.message} — retrying in ${Math.max(1, Math.round(delayMs / 1000))}s; ` +
              `the stream waits there, and the cursor stays before it`,
          )
        }
        await abortableSleep(delayMs)
        if (stopped) return undefined
      }
    }
  }

  const run = async () => {
    let attempt = 0
    while (!stopped) {
      const subscription = new Subscription<unknown>({
        service: opts.url,
        method: METHOD,
        signal: abort.signal,
        maxReconnectSeconds: Math.ceil(backoff.maxMs / 1000),
        // Called on every (re)connection: resume after the last frame already taken from the stream. Frames still
        // being verified are not lost by a reconnect; they are delivered when their verification ends.
        getParams: () => (resumeCursor === undefined ? {} : { cursor: resumeCursor }),
        validate: (value) => value ?? null,
        onReconnectError: (error, n) => {
          setConnected(false)
          reconnects++
          const delay = Math.min(backoff.maxMs, 1000 * 2 ** n) // the subscription's own schedule (±0.5 s jitter)
          if (!stopped) opts.log.warn(describeReconnect('the firehose', opts.url, error, delay, resumeCursor))
        },
      })
      try {
        for await (const frame of subscription) {
          setConnected(true)
          attempt = 0
          await waitUntilMayPull()
          if (stopped) break
          if (
            typeof frame !== 'object' ||
            frame === null ||
            typeof (frame as { seq?: unknown }).seq !== 'number'
          ) {
            const kind =
              typeof frame === 'object' && frame !== null
                ? String((frame as { $type?: unknown }).$type)
                : typeof frame
            if (kind.endsWith('#info')) opts.log.info(`firehose info: ${JSON.stringify(frame).slice(0, 300)}`)
            else
              sink?.onEvent({
                kind: 'invalid',
                reason: 'malformed_frame',
                detail: `frame without seq (${kind})`,
              })
            continue
          }
          const record = frame as Record<string, unknown>
          resumeCursor = record.seq as number
          const slot = { done: false, events: [] as SourceEvent[] }
          slots.push(slot)
          void verifyFrame(record, slot).then((events) => {
            if (events === undefined) return
            slot.events = events
            slot.done = true
            drain()
          })
        }
        if (stopped) break
      } catch (err) {
        if (stopped) break
        // A fatal error (an error frame such as FutureCursor, an undecodable frame): start a new subscription.
        setConnected(false)
        reconnects++
        const delayMs = backoffDelayMs(attempt++, backoff, Math.random())
        opts.log.warn(describeReconnect('the firehose', opts.url, err, delayMs, resumeCursor))
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs)
          abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
        })
      }
    }
    setConnected(false)
  }

  return {
    // A relay's seq means nothing to another relay: the cursor is kept per endpoint.
    cursorKey: `firehose ${opts.url}`,
    start(startCursor, s) {
      sink = s
      resumeCursor = startCursor
      loop = run()
    },
    pause() {
      paused = true
    },
    resume() {
      paused = false
      signal()
    },
    async stop() {
      if (stopped) return
      stopped = true
      signal()
      abort.abort()
      await loop?.catch(() => {})
    },
    status(): SourceStatus {
      return {
        kind: 'firehose',
        url: opts.url,
        connected,
        reconnects,
        paused,
        resumeCursor,
        ...(stalled === undefined ? {} : { stalled }),
      }
    },
  }
}

/** The identity directory could not be asked about a DID: the frame is verified again later (verifyFrame). */
class LookupUnavailableError extends Error {
  constructor(
    readonly did: string,
    cause: unknown,
  ) {
    super(`the identity directory did not answer for ${did || 'its DID'} (${describeError(cause)})`, {
      cause,
    })
    this.name = 'LookupUnavailableError'
  }
}

/** Connection-level failures: the request got no answer. */
const NETWORK_CODES = new Set([
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
])

/**
 * Whether verifying failed because the identity directory could not be asked, rather than because it answered.
 * Only an answer is a verdict on the commit: a bad signature (RepoVerificationError), a DID the directory does not
 * know (DidNotFoundError: PLC's 404, any failure of a did:web host's answer), a malformed document or frame. The
 * errors are told apart by their structure, never by message text, which can carry a DID of the sender's choosing.
 * A did:web host whose name does not resolve (ENOTFOUND) is a DID that does not exist; a PLC whose name does not
 * resolve is an outage.
 */
export function isLookupUnavailable(err: unknown, did: string): boolean {
  let fetchFailed = false
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code) || code.startsWith('UND_ERR_')) return true
      if (code === 'ENOTFOUND') return did.startsWith('did:plc:')
    }
    // An HTTP answer: PLC's resolver throws one with `status` for anything but 200 and 404; a response error of
    // the safe fetch carries its response. (Its request errors carry a made-up statusCode: their cause decides.)
    const { status, statusCode } = e as { status?: unknown; statusCode?: unknown }
    const answered =
      typeof status === 'number'
        ? status
        : 'response' in e && typeof statusCode === 'number'
          ? statusCode
          : undefined
    if (answered !== undefined) return answered >= 500 || answered === 408 || answered === 429
    // undici's network failure: its cause, when it has one, is read first.
    if (e instanceof TypeError && e.message === 'fetch failed') fetchFailed = true
  }
  return fetchFailed
}

/** When the relay says the event happened; when it does not say, now. */
function frameTimeMs(frame: Record<string, unknown>): number {
  return typeof frame.time === 'string' && Number.isFinite(Date.parse(frame.time))
    ? Date.parse(frame.time)
    : Date.now()
}

function toCommitEvent(evt: CommitEvt, timeMs: number): SourceEvent {
  const base = {
    kind: 'commit' as const,
    cursor: evt.seq,
    timeMs,
    did: evt.did,
    collection: evt.collection,
    rkey: evt.rkey,
  }
  if (evt.event === 'delete') return { ...base, operation: 'delete' }
  // JSON form (CIDs as {$link}, blobs as {$type: 'blob'}), the form Jetstream sends, so one mapping serves both.
  return { ...base, operation: evt.event, cid: evt.cid.toString(), record: lexToJson(evt.record) }
}
