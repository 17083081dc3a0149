import type { SkipReason } from '@curia/curation/records/types'

/**
 * The one shape both sources produce. `cursor` is what the source resumes from (Jetstream: `time_us`, resumed at;
 * firehose: `seq`, resumed after, shared by all ops of one commit) and never decreases along the stream; `timeMs` is when the network saw the event, for lag and for clamping
 * a record's claimed `createdAt`.
 */
interface EventBase {
  cursor: number
  timeMs: number
}

export type CommitOperation = 'create' | 'update' | 'delete'

export interface CommitEvent extends EventBase {
  kind: 'commit'
  did: string
  collection: string
  rkey: string
  operation: CommitOperation
  /** Present for create and update. */
  cid?: string
  /** The record in its JSON form (`{$link}` CIDs, `{$type: 'blob'}` blobs), as Jetstream sends it. */
  record?: unknown
}

export interface IdentityEvent extends EventBase {
  kind: 'identity'
  did: string
  /** Absent when the source could not vouch for one. */
  handle?: string
}

export interface AccountEvent extends EventBase {
  kind: 'account'
  did: string
  active: boolean
  status?: string
}

/** An event the source could not turn into one of the above. Its cursor, when known, still advances. */
export interface InvalidEvent {
  kind: 'invalid'
  cursor?: number
  timeMs?: number
  reason: SkipReason
  detail: string
}

/** An event the source read and filtered out itself: it carries nothing but lets the cursor move past it. */
export interface TickEvent extends EventBase {
  kind: 'tick'
}

export type SourceEvent = CommitEvent | IdentityEvent | AccountEvent | InvalidEvent | TickEvent

export interface SourceSink {
  /**
   * Called in stream order. Must not throw; a source keeps delivering after `pause()` only what it already read.
   * Events that share a cursor (the ops of one firehose commit) are delivered back to back in one synchronous run, so
   * once control is back in the event loop every cursor delivered so far is complete: the indexer commits a cursor
   * only then, or when an event with another cursor arrives (indexer.ts, "Cursors").
   */
  onEvent(event: SourceEvent): void
  /** Connection state, for status and logs. */
  onConnectionChange?(connected: boolean): void
}

export interface SourceStatus {
  kind: 'jetstream' | 'firehose'
  url: string
  connected: boolean
  reconnects: number
  paused: boolean
  /** The cursor the next (re)connection would ask for. */
  resumeCursor: number | undefined
  /**
   * Why the stream cannot move on right now, while it waits and retries (an identity lookup the directory does not
   * answer, a frame too big to read); absent when it can.
   */
  stalled?: string
  /** Connections in a row that ended before the stream moved past where they resumed (what the backoff grows with). */
  failedConnections?: number
}

export interface EventSource {
  /** The `indexer_cursor` row this source resumes from. */
  readonly cursorKey: string
  /** Connects and keeps reconnecting until `stop()`, resuming after `startCursor` (the whole live stream if absent). */
  start(startCursor: number | undefined, sink: SourceSink): void
  /** Backpressure: stop reading from the network until `resume()`. */
  pause(): void
  resume(): void
  stop(): Promise<void>
  status(): SourceStatus
}
