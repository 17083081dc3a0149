import { describe, expect, it } from 'vitest'
import {
  EventRing,
  buildFilter,
  matchesFilter,
  nextTimeUs,
  parseSubscribeRequest,
  type JetstreamEvent,
} from '../src/jetstream-event'

const commit = (did: string, collection: string, timeUs = 1): JetstreamEvent => ({
  did,
  time_us: timeUs,
  kind: 'commit',
  commit: { rev: 'r', operation: 'delete', collection, rkey: 'k' },
})
const identity = (did: string): JetstreamEvent => ({
  did,
  time_us: 1,
  kind: 'identity',
  identity: { did, handle: 'a.test', seq: 1, time: '2025-01-01T00:00:00.000Z' },
})

describe('subscriber filters', () => {
  it('matches exact collections and NSID prefixes, and lets identity events through', () => {
    const filter = buildFilter({ wantedCollections: ['app.bsky.feed.like', 'app.bsky.graph.*'] })
    expect(matchesFilter(filter, commit('did:a', 'app.bsky.feed.like'), 10)).toBe(true)
    expect(matchesFilter(filter, commit('did:a', 'app.bsky.graph.follow'), 10)).toBe(true)
    expect(matchesFilter(filter, commit('did:a', 'app.bsky.feed.post'), 10)).toBe(false)
    // A prefix matches whole segments only.
    expect(matchesFilter(filter, commit('did:a', 'app.bsky.graphic.x'), 10)).toBe(false)
    expect(matchesFilter(filter, identity('did:a'), 10)).toBe(true)
  })

  it('applies the DID filter to every kind and the size limit', () => {
    const filter = buildFilter({ wantedDids: ['did:plc:bob'], maxMessageSizeBytes: 100 })
    expect(matchesFilter(filter, commit('did:plc:bob', 'app.bsky.feed.post'), 50)).toBe(true)
    expect(matchesFilter(filter, commit('did:plc:bob', 'app.bsky.feed.post'), 101)).toBe(false)
    expect(matchesFilter(filter, commit('did:plc:alice', 'app.bsky.feed.post'), 50)).toBe(false)
    expect(matchesFilter(filter, identity('did:plc:alice'), 50)).toBe(false)
  })

  it('parses the query string like Jetstream and rejects malformed values', () => {
    const req = parseSubscribeRequest(
      new URLSearchParams(
        'wantedCollections=app.bsky.feed.post&wantedDids=did:plc:a&wantedDids=did:plc:b&cursor=42',
      ),
    )
    expect([...req.filter.collections]).toEqual(['app.bsky.feed.post'])
    expect([...req.filter.dids]).toEqual(['did:plc:a', 'did:plc:b'])
    expect(req.cursor).toBe(42)
    expect(parseSubscribeRequest(new URLSearchParams('cursor=0')).cursor).toBeUndefined()
    expect(() => parseSubscribeRequest(new URLSearchParams('cursor=abc'))).toThrow(/cursor/)
    expect(() => parseSubscribeRequest(new URLSearchParams('wantedCollections=app.*'))).toThrow(/prefix/)
    expect(() => parseSubscribeRequest(new URLSearchParams('wantedDids=bob'))).toThrow(/did/)
    const tooMany = new URLSearchParams()
    for (let i = 0; i < 101; i++) tooMany.append('wantedCollections', `app.test.c${i}`)
    expect(() => parseSubscribeRequest(tooMany)).toThrow(/too many/)
  })
})

describe('EventRing', () => {
  const item = (timeUs: number) => {
    const event = commit('did:a', 'app.bsky.feed.post', timeUs)
    return { event, json: JSON.stringify(event), sizeBytes: 1 }
  }

  it('keeps the newest events in order and finds the first at or after a cursor', () => {
    const ring = new EventRing(3)
    for (const t of [10, 20, 30, 40, 50]) ring.push(item(t))
    expect(ring.size).toBe(3)
    expect(ring.sliceFrom(0).map((i) => i.event.time_us)).toEqual([30, 40, 50])
    expect(ring.indexAtOrAfter(1)).toBe(0) // older than the ring: replay from the oldest kept
    expect(ring.indexAtOrAfter(40)).toBe(1)
    expect(ring.indexAtOrAfter(41)).toBe(2)
    expect(ring.indexAtOrAfter(51)).toBe(3) // in the future: live tail only
  })

  it('issues strictly increasing time_us even within one microsecond', () => {
    let last = 0
    const seen: number[] = []
    for (const now of [5, 5, 5, 4, 9]) seen.push((last = nextTimeUs(now, last)))
    expect(seen).toEqual([5, 6, 7, 8, 9])
  })
})
