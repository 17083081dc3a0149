import { lexToJson } from '@atproto/lex-json'
import type { Event as FirehoseEvent } from '@atproto/sync'
import { DevnetError } from './errors'

// Jetstream's JSON protocol (bluesky-social/jetstream, `/subscribe`), the subset real clients rely on. Pure: no I/O.

type JsonValue = ReturnType<typeof lexToJson>

export type JetstreamCommit =
  | {
      rev: string
      operation: 'create' | 'update'
      collection: string
      rkey: string
      record: JsonValue
      cid: string
    }
  | { rev: string; operation: 'delete'; collection: string; rkey: string }

export type JetstreamEvent =
  | { did: string; time_us: number; kind: 'commit'; commit: JetstreamCommit }
  | {
      did: string
      time_us: number
      kind: 'identity'
      identity: { did: string; handle?: string; seq: number; time: string }
    }
  | {
      did: string
      time_us: number
      kind: 'account'
      account: { active: boolean; did: string; seq: number; time: string; status?: string }
    }

/**
 * Converts one verified firehose event to Jetstream's shape, or null for kinds Jetstream does not emit (#sync).
 * Records go through lexToJson so CIDs become `{"$link"}`, bytes `{"$bytes"}` and blobs the `{"$type":"blob"}` form,
 * exactly as Jetstream serialises them.
 */
export function toJetstreamEvent(evt: FirehoseEvent, timeUs: number): JetstreamEvent | null {
  switch (evt.event) {
    case 'create':
    case 'update':
      return {
        did: evt.did,
        time_us: timeUs,
        kind: 'commit',
        commit: {
          rev: evt.rev,
          operation: evt.event,
          collection: evt.collection,
          rkey: evt.rkey,
          record: lexToJson(evt.record),
          cid: evt.cid.toString(),
        },
      }
    case 'delete':
      return {
        did: evt.did,
        time_us: timeUs,
        kind: 'commit',
        commit: { rev: evt.rev, operation: 'delete', collection: evt.collection, rkey: evt.rkey },
      }
    case 'identity':
      return {
        did: evt.did,
        time_us: timeUs,
        kind: 'identity',
        identity: {
          did: evt.did,
          ...(evt.handle !== undefined ? { handle: evt.handle } : {}),
          seq: evt.seq,
          time: evt.time,
        },
      }
    case 'account':
      return {
        did: evt.did,
        time_us: timeUs,
        kind: 'account',
        account: {
          active: evt.active,
          did: evt.did,
          seq: evt.seq,
          time: evt.time,
          ...(evt.status !== undefined ? { status: evt.status } : {}),
        },
      }
    case 'sync':
      return null
  }
}

/** What one subscriber asked for. Empty sets mean "everything", as in Jetstream. */
export type SubscriberFilter = {
  collections: Set<string>
  collectionPrefixes: string[]
  dids: Set<string>
  maxMessageSizeBytes: number
}

export type SubscribeRequest = {
  filter: SubscriberFilter
  /** Unix microseconds; undefined means live tail only. */
  cursor: number | undefined
  requireHello: boolean
}

// Jetstream's own limits.
const maxWantedCollections = 100
const maxWantedDids = 10_000
const nsidPattern = /^[a-zA-Z]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)+$/

/** Parses the `/subscribe` query string; throws DevnetError('bad_request') the way Jetstream answers 400. */
export function parseSubscribeRequest(params: URLSearchParams): SubscribeRequest {
  const cursorText = params.get('cursor')
  let cursor: number | undefined
  if (cursorText !== null && cursorText !== '') {
    cursor = Number(cursorText)
    if (!Number.isSafeInteger(cursor)) throw new DevnetError('bad_request', `invalid cursor: ${cursorText}`)
    // Jetstream treats a non-positive cursor as "no cursor".
    if (cursor <= 0) cursor = undefined
  }
  const requireHello = params.get('requireHello') === 'true'
  return {
    filter: buildFilter({
      wantedCollections: params.getAll('wantedCollections'),
      wantedDids: params.getAll('wantedDids'),
      maxMessageSizeBytes: Number(params.get('maxMessageSizeBytes') ?? 0),
    }),
    cursor,
    requireHello,
  }
}

/** Same filter from an `options_update` message's payload. */
export function buildFilter(opts: {
  wantedCollections?: string[]
  wantedDids?: string[]
  maxMessageSizeBytes?: number
}): SubscriberFilter {
  const wantedCollections = opts.wantedCollections ?? []
  const wantedDids = opts.wantedDids ?? []
  if (wantedCollections.length > maxWantedCollections) {
    throw new DevnetError('bad_request', `too many wantedCollections (max ${maxWantedCollections})`)
  }
  if (wantedDids.length > maxWantedDids) {
    throw new DevnetError('bad_request', `too many wantedDids (max ${maxWantedDids})`)
  }
  const collections = new Set<string>()
  const collectionPrefixes: string[] = []
  for (const wanted of wantedCollections) {
    if (wanted.endsWith('.*')) {
      const prefix = wanted.slice(0, -2)
      // Jetstream requires the part before `.*` to be an NSID-shaped path (at least two segments).
      if (!nsidPattern.test(prefix))
        throw new DevnetError('bad_request', `invalid collection prefix: ${wanted}`)
      collectionPrefixes.push(`${prefix}.`)
    } else {
      if (!nsidPattern.test(wanted)) throw new DevnetError('bad_request', `invalid collection: ${wanted}`)
      collections.add(wanted)
    }
  }
  for (const did of wantedDids) {
    if (!did.startsWith('did:')) throw new DevnetError('bad_request', `invalid did: ${did}`)
  }
  const maxMessageSizeBytes = opts.maxMessageSizeBytes ?? 0
  if (!Number.isSafeInteger(maxMessageSizeBytes) || maxMessageSizeBytes < 0) {
    throw new DevnetError('bad_request', 'invalid maxMessageSizeBytes')
  }
  return { collections, collectionPrefixes, dids: new Set(wantedDids), maxMessageSizeBytes }
}

/**
 * Jetstream's rules: the DID filter applies to every kind; the collection filter only to commits, so identity and
 * account events reach every subscriber whatever collections it asked for.
 */
export function matchesFilter(filter: SubscriberFilter, event: JetstreamEvent, sizeBytes: number): boolean {
  if (filter.dids.size > 0 && !filter.dids.has(event.did)) return false
  if (filter.maxMessageSizeBytes > 0 && sizeBytes > filter.maxMessageSizeBytes) return false
  if (event.kind !== 'commit') return true
  if (filter.collections.size === 0 && filter.collectionPrefixes.length === 0) return true
  const { collection } = event.commit
  return (
    filter.collections.has(collection) ||
    filter.collectionPrefixes.some((prefix) => collection.startsWith(prefix))
  )
}

/** time_us must be unique and strictly increasing per relay even when two events land in the same microsecond. */
export function nextTimeUs(nowUs: number, lastUs: number): number {
  return nowUs > lastUs ? nowUs : lastUs + 1
}

export type BufferedEvent = { event: JetstreamEvent; json: string; sizeBytes: number }

/** Fixed-capacity ring of events in time_us order; the oldest fall out first. */
export class EventRing {
  private readonly items: (BufferedEvent | undefined)[]
  private start = 0
  private length = 0

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new DevnetError('bad_request', 'bufferSize must be >= 1')
    this.items = new Array<BufferedEvent | undefined>(capacity)
  }

  get size(): number {
    return this.length
  }

  push(item: BufferedEvent): void {
    const end = (this.start + this.length) % this.capacity
    this.items[end] = item
    if (this.length < this.capacity) this.length++
    else this.start = (this.start + 1) % this.capacity
  }

  at(index: number): BufferedEvent {
    const item =
      index >= 0 && index < this.length ? this.items[(this.start + index) % this.capacity] : undefined
    if (!item) throw new RangeError(`ring index ${index} out of range`)
    return item
  }

  /** Index of the first event with time_us >= cursor (== size when none): a cursor older than the ring starts at 0. */
  indexAtOrAfter(cursorUs: number): number {
    let lo = 0
    let hi = this.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.at(mid).event.time_us < cursorUs) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Snapshot from the given index to the end, oldest first. */
  sliceFrom(index: number): BufferedEvent[] {
    const out: BufferedEvent[] = []
    for (let i = Math.max(0, index); i < this.length; i++) out.push(this.at(i))
    return out
  }
}
