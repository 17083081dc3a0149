import type { IdResolver } from '@atproto/identity'
import { lexToJson } from '@atproto/lex'
import { parseAccount, parseCommitAuthenticated, parseIdentity, type CommitEvt } from '@atproto/sync'
import { Subscription } from '@atproto/xrpc-server'
import { describeError, type IndexerLogger } from '../log'
import { DEFAULT_RECONNECT, backoffDelayMs, describeReconnect, type BackoffOptions } from './reconnect'
import type { EventSource, SourceEvent, SourceSink, SourceStatus } from './types'

type CommitFrame = Parameters<typeof parseCommitAuthenticated>[1]
type IdentityFrame = Parameters<typeof parseIdentity>[1]
type AccountFrame = Parameters<typeof parseAccount>[0]

const METHOD = 'com.atproto.sync.subscribeRepos'

export interface FirehoseSourceOptions {
  /** A relay or PDS, e.g. wss://bsky.network */
  url: string
  collections: readonly string[]
  /** Resolves signing keys to verify commits (and handles for identity events). */
  idResolver: IdResolver
  log: IndexerLogger
  /**
   * Frames verified at once. Verifying a commit is mostly waiting on key resolution for a DID not seen lately, so
   * overlapping them keeps the stream moving; events are still delivered strictly in stream order.
   */
  concurrency?: number
  reconnect?: BackoffOptions
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

  const setConnected = (value: boolean) => {
    if (connected === value) return
    connected = value
    sink?.onConnectionChange?.(value)
  }

  const parseFrame = async (frame: Record<string, unknown>): Promise<SourceEvent[]> => {
    const seq = frame.seq as number
    const timeMs =
      typeof frame.time === 'string' && Number.isFinite(Date.parse(frame.time))
        ? Date.parse(frame.time)
        : Date.now()
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
          const evt = await parseIdentity(opts.idResolver, frame as unknown as IdentityFrame)
          if (!evt) return [{ kind: 'tick', cursor: seq, timeMs }]
          return [
            evt.handle === undefined
              ? { kind: 'identity', cursor: seq, timeMs, did: evt.did }
              : { kind: 'identity', cursor: seq, timeMs, did: evt.did, handle: evt.handle },
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
          void parseFrame(record).then((events) => {
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
      return { kind: 'firehose', url: opts.url, connected, reconnects, paused, resumeCursor }
    },
  }
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
