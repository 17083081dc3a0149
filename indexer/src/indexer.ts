import type { IdResolver } from '@atproto/identity'
import type { Database, Sql } from '@curia/db'
import { planBatch } from './batch'
import type { IndexerConfig } from './config'
import { IndexerError } from './errors'
import { CandidateLists } from './lists'
import { LogThrottle, createConsoleLogger, describeError, type IndexerLogger } from './log'
import { mapEvent } from './records/index'
import { SKIP_REASONS, type Collection, type IndexOp, type SkipReason } from '@curia/curation/records/types'
import { createIdResolver } from '@curia/curation/did-cache'
import { createFirehoseSource } from './source/firehose'
import { handleResolution } from './source/identity'
import { createJetstreamSource } from './source/jetstream'
import { backoffDelayMs, type BackoffOptions } from './source/reconnect'
import type { EventSource, SourceEvent, SourceStatus } from './source/types'
import {
  openWriteConnection,
  prepareWrite,
  readCursor,
  writePrepared,
  type PreparedWrite,
  type WriteOutcome,
} from './write'

export type IndexerState = 'starting' | 'running' | 'waiting_for_database' | 'stopped'

export interface IndexerStatus {
  state: IndexerState
  source: SourceStatus
  /** The `indexer_cursor` row and the newest cursor committed to it. */
  cursor: { key: string; committed: number | undefined }
  /** When the network saw the newest event received (ISO), and how long ago that was. */
  lastEventAt: string | undefined
  lagMs: number | undefined
  /** Events committed per second over the last report interval. */
  eventsPerSecond: number
  /** Events received but not yet committed. */
  pendingEvents: number
  database: { healthy: boolean; lastError: string | undefined; failedAttempts: number }
  /** The candidate lists: how many distinct members they have now, and those whose backfill has not succeeded. */
  candidateLists: { lists: number; members: number; unloaded: string[] }
  totals: {
    received: number
    committed: number
    batches: number
    /** Posts that were not candidates. */
    filtered: number
    /** Events with nothing for Curia (other collections, likes of non-posts, identity events without a handle). */
    ignored: number
    skipped: Record<SkipReason, number>
    /** Wall time spent with a batch write in flight: near the uptime means the database is the bottleneck. */
    writeMs: number
  } & WriteOutcome
  startedAt: string
}

export interface Indexer {
  /** Stops reading, writes what was already read (unless the database is down), and resolves when done. */
  stop(): Promise<void>
  status(): IndexerStatus
}

export interface StartIndexerOptions {
  database: Database
  config: IndexerConfig
  log?: IndexerLogger
  /**
   * For verifying the sources' events (commits on the firehose, identity events' handles on both) and for finding
   * candidate lists' PDSes; defaults to one built from `config.identity`.
   */
  idResolver?: IdResolver
  /** Replaces the configured source (tests, benchmarks). */
  source?: EventSource
  /** How often throughput and lag are logged (default 10 s). */
  reportIntervalMs?: number
  /** Backoff between attempts to write a batch while the database is unreachable. */
  databaseRetry?: BackoffOptions
  /** Backoff between connection attempts of the configured source. */
  sourceReconnect?: BackoffOptions
  /** Backoff between attempts to read a candidate list whose PDS could not be reached (default 5 s to 5 min). */
  listRetry?: BackoffOptions
  /** `application_name` of the indexer's write connection (default `curia-indexer-writer`). */
  connectionName?: string
  /** A batch write that has not settled after this long is abandoned and retried on a new connection (default 60 s). */
  writeTimeoutMs?: number
}

interface PendingBatch {
  ops: IndexOp[]
  /** The cursor of the event each op came from, for bisecting a rejected batch. */
  opCursors: number[]
  events: number
  /** The cursor committed with the batch, claiming every event up to it (see "Cursors" below). */
  cursor: number | undefined
  openedAtMs: number
  /** Its statements' parameters, once the batch is closed. */
  prepared?: PreparedWrite
}

/**
 * The indexer's own connection for writes, thrown away after any failure that is not about the data.
 *
 * Not `database.sql`: unpatched, postgres.js 3.4.9 can leave a pooled connection unable to send anything again
 * after its server connection dies with a write buffered (porsager/postgres#1154 and #1208: `nextWriteTimer` is
 * cleared but not reset), so the next batch on it would hang forever. `patches/postgres+3.4.9.patch` fixes that;
 * a connection that failed is still never reused here, and the shared pool is left to its other users.
 */
class WriteConnection {
  private sql: Sql | undefined
  constructor(
    private readonly database: Database,
    private readonly name: string,
  ) {}

  get(): Sql {
    this.sql ??= openWriteConnection(this.database, this.name)
    return this.sql
  }

  async discard(): Promise<void> {
    const sql = this.sql
    this.sql = undefined
    await sql?.end({ timeout: 0 }).catch(() => {})
  }
}

/*
 * Cursors. A batch commits one cursor with its writes, and that cursor claims every event up to it, because of how
 * each source resumes from it:
 * - the firehose (subscribeRepos) resumes AFTER the cursor, with the events whose seq is greater. Every op of one
 *   commit carries the commit's seq, so committing seq S claims all of commit S's ops.
 * - Jetstream resumes AT the cursor, with the events whose time_us is equal or greater: the event at the cursor is
 *   delivered again, and the idempotent writes absorb it.
 * The rule, right for both: a batch commits cursor C only when every event with a cursor up to C is in it or in a
 * batch before it. (Jetstream needs less, since it reads C again anyway, but nothing more; the firehose needs
 * exactly this.) So a full batch is closed only where one cursor ends and the next begins (onEvent), and a bisected
 * half that ends inside one cursor's events commits the cursor before them (bisect); the events it holds of the
 * unfinished cursor are written again when the source replays that cursor. Every other close (by age, after a
 * write, on stop) happens outside a delivery, when each cursor delivered is complete (SourceSink.onEvent).
 */

/** How many times in a row the database must refuse a lone event before it is skipped. */
const REJECT_AFTER = 3

const newBatch = (nowMs: number): PendingBatch => ({
  ops: [],
  opCursors: [],
  events: 0,
  cursor: undefined,
  openedAtMs: nowMs,
})

/**
 * Runs one source into the database: read the saved cursor, start the source there, map each event (pure), batch
 * by size or age, and write each batch with its cursor in one transaction (write.ts). One batch is written at a
 * time while the next fills; when the next is full too, the source is paused, so memory stays bounded by two
 * batches and the network holds the rest.
 *
 * Failure handling (STYLE.md "Errors"): a bad frame or record is skipped, counted by reason and logged at most once
 * per reason per interval. A database failure keeps the failed batch, pauses the source and retries with backoff;
 * the cursor does not move until the batch commits. Only a batch the database rejects for its data (SQLSTATE
 * classes 22, 23, 54) is bisected to find and skip the offending event, so one poison record cannot stall the feed.
 */
export async function startIndexer(opts: StartIndexerOptions): Promise<Indexer> {
  const { database, config } = opts
  const log = opts.log ?? createConsoleLogger()
  const reportIntervalMs = opts.reportIntervalMs ?? 10_000
  const retry = opts.databaseRetry ?? { initialMs: 500, maxMs: 30_000 }
  const collections = new Set<Collection>(config.collections)
  const idResolver = opts.idResolver ?? createIdResolver(config.identity)
  const source = opts.source ?? createSource(config, log, idResolver, opts.sourceReconnect)
  const throttle = new LogThrottle(reportIntervalMs)
  const writer = new WriteConnection(database, opts.connectionName ?? 'curia-indexer-writer')
  const writeTimeoutMs = opts.writeTimeoutMs ?? 60_000

  const startedAt = new Date()
  let state: IndexerState = 'starting'
  let committedCursor = await readCursor(database.sql, source.cursorKey)
  let current = newBatch(Date.now())
  let writing: Promise<void> | undefined
  let queued: PendingBatch | undefined
  let flushTimer: NodeJS.Timeout | undefined
  let stopping = false
  let pausedByUs = false
  let lastEventTimeMs: number | undefined
  let dbHealthy = true
  let dbLastError: string | undefined
  let dbFailedAttempts = 0
  let wakeRetry: (() => void) | undefined
  /**
   * Set when a batch is given up (stopping while the database is down). Batches commit strictly in stream order, so
   * nothing after it may be written: a later batch would commit a cursor past the events given up, and the restart
   * would never read them again.
   */
  let abandoned = false
  const skipped = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>
  const totals = {
    received: 0,
    committed: 0,
    batches: 0,
    filtered: 0,
    ignored: 0,
    postsUpserted: 0,
    postsTombstoned: 0,
    engagementAdded: 0,
    engagementRemoved: 0,
    authorsUpdated: 0,
    listItemsUpserted: 0,
    listItemsRemoved: 0,
    writeMs: 0,
  }
  let report = { atMs: Date.now(), committed: 0, eventsPerSecond: 0 }

  const countSkip = (reason: SkipReason, detail: string) => {
    skipped[reason]++
    const suppressed = throttle.admit(reason, Date.now())
    if (suppressed !== undefined) {
      log.warn(
        `skipped ${reason}: ${detail}${suppressed > 0 ? ` (and ${suppressed} more since the last such line)` : ''}`,
      )
    }
  }

  // Members of the candidate lists, live: the policy reads them as each post is mapped.
  const lists = new CandidateLists({
    sql: database.sql,
    lists: config.candidate.lists,
    idResolver,
    log,
    onSkip: countSkip,
    ...(opts.listRetry ? { retry: opts.listRetry } : {}),
  })
  const policy = { ...config.candidate, listMembers: lists.membership }

  const onEvent = (event: SourceEvent) => {
    if (stopping && state === 'stopped') return
    totals.received++
    // A full batch is closed where one cursor ends and the next begins, never between two events sharing one
    // ("Cursors" above): this event's arrival is what shows that the batch's last cursor is complete.
    if (
      current.events >= config.batch.maxEvents &&
      event.cursor !== undefined &&
      event.cursor !== current.cursor
    ) {
      pump()
    }
    const batch = current
    if (batch.events === 0) {
      batch.openedAtMs = Date.now()
      clearTimeout(flushTimer)
      flushTimer = setTimeout(pump, config.batch.flushIntervalMs)
    }
    batch.events++
    if (event.cursor !== undefined) batch.cursor = event.cursor
    if (event.timeMs !== undefined) lastEventTimeMs = event.timeMs

    switch (event.kind) {
      case 'invalid':
        countSkip(event.reason, event.detail)
        break
      case 'tick':
        break
      case 'commit':
      case 'identity':
      case 'account': {
        const result = mapEvent(event, policy, collections)
        switch (result.kind) {
          case 'op':
            lists.apply(result.op)
            batch.ops.push(result.op)
            batch.opCursors.push(event.cursor)
            break
          case 'skip':
            countSkip(result.reason, result.detail)
            break
          case 'filtered':
            totals.filtered++
            break
          case 'ignored':
            totals.ignored++
            break
        }
      }
    }
  }

  /** Starts writing the current batch when it is due and nothing else is being written; applies backpressure. */
  function pump() {
    const isDue = (batch: PendingBatch) =>
      batch.events > 0 &&
      (stopping ||
        batch.events >= config.batch.maxEvents ||
        Date.now() - batch.openedAtMs >= config.batch.flushIntervalMs)
    // Close the current batch as soon as it is due and the queue has room, and prepare its statements now, while
    // the previous batch is still being written: that CPU work then stays off the database's critical path.
    if (!queued && isDue(current)) {
      queued = current
      queued.prepared = prepareWrite(planBatch(queued.ops), cursorOf(queued))
      current = newBatch(Date.now())
    }
    if (!writing && queued && !abandoned) {
      const batch = queued
      queued = undefined
      writing = writeWithRetry(batch).finally(() => {
        writing = undefined
        pump()
      })
      // The next batch, if already due, is prepared on the next turn of the event loop: this write's statements go
      // out in microtasks (postgres.js sends on `then`), which preparing first, synchronously, would hold back
      // while the database sat idle (about 2 ms a 1,000-event batch).
      if (isDue(current)) {
        setImmediate(pump)
        return
      }
    }
    clearTimeout(flushTimer)
    if (current.events > 0 && !queued) {
      flushTimer = setTimeout(
        pump,
        Math.max(1, config.batch.flushIntervalMs - (Date.now() - current.openedAtMs)),
      )
    }
    // A full batch waiting behind a queued one, or any write waiting out a database outage, is the signal to stop
    // reading: the network holds the events meanwhile, not our memory (at most three batches: one being written,
    // one prepared, one filling).
    const shouldPause =
      (queued !== undefined && current.events >= config.batch.maxEvents) ||
      (writing !== undefined && !dbHealthy)
    if (shouldPause && !pausedByUs) {
      pausedByUs = true
      source.pause()
    } else if (!shouldPause && pausedByUs) {
      pausedByUs = false
      source.resume()
    }
  }

  const cursorOf = (batch: PendingBatch) =>
    batch.cursor === undefined ? undefined : { key: source.cursorKey, value: batch.cursor }

  const isDataError = (err: unknown) => {
    const code = (err as { code?: unknown }).code
    // Only a PostgresError carries a five-character SQLSTATE; connection failures carry errno-style codes.
    return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code)
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      wakeRetry = () => (clearTimeout(timer), resolve())
    })

  /** One attempt: the batch and its cursor in one transaction (write.ts), then the bookkeeping. */
  async function commit(batch: PendingBatch): Promise<void> {
    const prepared = batch.prepared ?? prepareWrite(planBatch(batch.ops), cursorOf(batch))
    const startedMs = performance.now()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new IndexerError('write_timeout', `batch write did not settle within ${writeTimeoutMs} ms`)),
        writeTimeoutMs,
      )
    })
    // Whatever the abandoned write does later is harmless: every statement is idempotent, and its connection is
    // discarded (the server rolls an unfinished transaction back).
    const outcome = await Promise.race([writePrepared(writer.get(), prepared), timeout]).finally(() => {
      clearTimeout(timer)
      totals.writeMs += performance.now() - startedMs
    })
    for (const key of Object.keys(outcome) as (keyof WriteOutcome)[]) totals[key] += outcome[key]
    totals.committed += batch.events
    totals.batches++
    if (batch.cursor !== undefined) committedCursor = batch.cursor
  }

  async function writeWithRetry(batch: PendingBatch): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await commit(batch)
        if (!dbHealthy) log.info(`database is back: wrote the ${batch.events} events held during the outage`)
        dbHealthy = true
        dbFailedAttempts = 0
        if (state === 'waiting_for_database') state = 'running'
        return
      } catch (err) {
        if (isDataError(err) && batch.ops.length > 0) return bisect(batch, err)
        await writer.discard()
        dbHealthy = false
        dbLastError = describeError(err)
        dbFailedAttempts++
        if (state !== 'stopped') state = 'waiting_for_database'
        if (stopping) {
          abandoned = true // stop() says what was left unwritten
          return
        }
        pump() // pauses the source
        const delayMs = backoffDelayMs(attempt, retry, Math.random())
        log.warn(
          `database write failed (${dbLastError}) — retrying ${batch.events} events in ${Math.max(1, Math.round(delayMs / 1000))}s; ` +
            `the cursor stays at ${committedCursor ?? '(none)'} and reading is paused meanwhile`,
        )
        await sleep(delayMs)
        if (stopping && !dbHealthy) {
          abandoned = true
          return
        }
      }
    }
  }

  /**
   * Splits a batch the database refused for its data until the offending event is alone, and skips that one, but
   * only once it has been refused `REJECT_AFTER` times in a row: a real data error repeats, while a spurious one
   * (embedded PGlite's socket can misroute a statement between connections, electric-sql/pglite#1046) does not.
   */
  async function bisect(batch: PendingBatch, err: unknown, refusals = 1): Promise<void> {
    if (batch.ops.length === 1) {
      if (refusals < REJECT_AFTER && !stopping) {
        try {
          return await commit(batch)
        } catch (again) {
          if (isDataError(again)) return bisect(batch, again, refusals + 1)
          return writeWithRetry(batch)
        }
      }
      countSkip('write_rejected', `${describeOp(batch.ops[0]!)}: ${describeError(err)}`)
      // Nothing else in this batch: commit its cursor alone so the stream moves past it.
      return writeWithRetry({ ...batch, ops: [], opCursors: [], prepared: undefined })
    }
    const mid = Math.floor(batch.ops.length / 2)
    // The first half may end inside the ops of one cursor (one firehose commit) whose rest is in the second half:
    // it then commits the newest cursor it holds entirely, or none ("Cursors" above).
    const splitCursor = batch.opCursors[mid]
    const first: PendingBatch = {
      ops: batch.ops.slice(0, mid),
      opCursors: batch.opCursors.slice(0, mid),
      events: 0,
      cursor: batch.opCursors.slice(0, mid).findLast((cursor) => cursor !== splitCursor),
      openedAtMs: batch.openedAtMs,
    }
    const second: PendingBatch = {
      ...batch,
      ops: batch.ops.slice(mid),
      opCursors: batch.opCursors.slice(mid),
      prepared: undefined, // a part's statements differ from the whole's
    }
    await writeWithRetry(first)
    if (!abandoned) await writeWithRetry(second)
  }

  const reportTimer = setInterval(() => {
    const now = Date.now()
    const seconds = (now - report.atMs) / 1000
    const rate = seconds > 0 ? (totals.committed - report.committed) / seconds : 0
    report = { atMs: now, committed: totals.committed, eventsPerSecond: rate }
    const s = status()
    const skippedTotal = Object.values(skipped).reduce((a, b) => a + b, 0)
    log.info(
      `${s.source.connected ? 'connected' : 'disconnected'}; ${rate.toFixed(0)} events/s; ` +
        `lag ${s.lagMs === undefined ? 'n/a' : `${(s.lagMs / 1000).toFixed(1)}s`}; ` +
        `cursor ${committedCursor ?? '(none)'}; committed ${totals.committed}, pending ${s.pendingEvents}; ` +
        `posts +${totals.postsUpserted} -${totals.postsTombstoned}, engagement +${totals.engagementAdded} -${totals.engagementRemoved}; ` +
        `filtered ${totals.filtered}, skipped ${skippedTotal}${dbHealthy ? '' : `; database down (${dbLastError})`}`,
    )
  }, reportIntervalMs)
  reportTimer.unref()

  function status(): IndexerStatus {
    return {
      state,
      source: source.status(),
      cursor: { key: source.cursorKey, committed: committedCursor },
      lastEventAt: lastEventTimeMs === undefined ? undefined : new Date(lastEventTimeMs).toISOString(),
      lagMs: lastEventTimeMs === undefined ? undefined : Math.max(0, Date.now() - lastEventTimeMs),
      eventsPerSecond: report.eventsPerSecond,
      pendingEvents: totals.received - totals.committed,
      database: { healthy: dbHealthy, lastError: dbLastError, failedAttempts: dbFailedAttempts },
      candidateLists: {
        lists: config.candidate.lists.size,
        members: lists.membership.size,
        unloaded: lists.unloaded,
      },
      totals: { ...totals, skipped: { ...skipped } },
      startedAt: startedAt.toISOString(),
    }
  }

  // Before the source starts, so the first events are judged with the lists' members known (the stored ones, and
  // those of any list read now; a list whose PDS does not answer is retried behind the stream).
  await lists.start(committedCursor !== undefined)
  log.info(
    `reading ${source.status().kind} at ${source.status().url} from ${committedCursor === undefined ? 'the live tail' : `cursor ${committedCursor}`}` +
      ` (${config.collections.join(', ')})`,
  )
  state = 'running'
  source.start(committedCursor, {
    onEvent,
    onConnectionChange: (connected) => {
      if (connected) log.info(`connected to ${source.status().url}`)
    },
  })

  let stopped: Promise<void> | undefined
  return {
    status,
    stop: () =>
      (stopped ??= (async () => {
        stopping = true
        await source.stop()
        await lists.stop()
        wakeRetry?.()
        // Write what was read; a write in flight finishes first (pump runs again when it settles).
        pump()
        while (writing) await writing
        clearTimeout(flushTimer)
        clearInterval(reportTimer)
        await writer.discard()
        state = 'stopped'
        if (abandoned) {
          log.warn(
            `stopping with ${totals.received - totals.committed} events unwritten (database: ${dbLastError}); ` +
              (committedCursor === undefined
                ? 'no cursor was ever committed, so a restart begins at the live tail without them'
                : `a restart reads them again from cursor ${committedCursor}`),
          )
        }
        log.info(`stopped at cursor ${committedCursor ?? '(none)'}`)
      })()),
  }
}

function describeOp(op: IndexOp): string {
  switch (op.op) {
    case 'post_upsert':
      return op.row.uri
    case 'engagement_create':
      return op.row.uri
    case 'list_item_upsert':
      return op.row.uri
    case 'post_delete':
    case 'engagement_delete':
    case 'list_item_delete':
      return op.uri
    case 'profile':
    case 'handle':
    case 'account_status':
      return `${op.op} of ${op.did}`
  }
}

function createSource(
  config: IndexerConfig,
  log: IndexerLogger,
  idResolver: IdResolver,
  reconnect: BackoffOptions | undefined,
): EventSource {
  const resolveHandle = handleResolution(idResolver, config.identity.handleResolver)
  if (config.source === 'jetstream') {
    return createJetstreamSource({
      url: config.jetstream.url,
      collections: config.collections,
      wantedDids: config.jetstream.wantedDids,
      log,
      idResolver,
      resolveHandle,
      ...(reconnect ? { reconnect } : {}),
    })
  }
  return createFirehoseSource({
    url: config.firehose.url,
    collections: config.collections,
    idResolver,
    resolveHandle,
    didWebWaitMs: config.identity.didWebWaitMs,
    log,
    ...(reconnect ? { reconnect } : {}),
  })
}
