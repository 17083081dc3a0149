import { describe, expect, it } from 'vitest'
import { buildJetstreamUrl, parseJetstreamFrame } from '../src/source/jetstream'
import { backoffDelayMs, describeReconnect, isUnreachable } from '../src/source/reconnect'

const frame = (value: unknown) => JSON.stringify(value)

describe('parseJetstreamFrame', () => {
  it('parses commits, identity and account events with time_us as cursor', () => {
    const record = { $type: 'app.bsky.feed.post', text: 'hi', createdAt: '2026-01-01T00:00:00Z' }
    expect(
      parseJetstreamFrame(
        frame({
          did: 'did:plc:a',
          time_us: 1_725_911_162_329_308,
          kind: 'commit',
          commit: {
            rev: 'r',
            operation: 'create',
            collection: 'app.bsky.feed.post',
            rkey: 'k',
            record,
            cid: 'bafy',
          },
        }),
      ),
    ).toEqual({
      kind: 'commit',
      cursor: 1_725_911_162_329_308,
      timeMs: 1_725_911_162_329,
      did: 'did:plc:a',
      collection: 'app.bsky.feed.post',
      rkey: 'k',
      operation: 'create',
      cid: 'bafy',
      record,
    })
    expect(
      parseJetstreamFrame(
        frame({
          did: 'did:plc:a',
          time_us: 5000,
          kind: 'commit',
          commit: { rev: 'r', operation: 'delete', collection: 'c', rkey: 'k' },
        }),
      ),
    ).toEqual({
      kind: 'commit',
      cursor: 5000,
      timeMs: 5,
      did: 'did:plc:a',
      collection: 'c',
      rkey: 'k',
      operation: 'delete',
    })
    expect(
      parseJetstreamFrame(
        frame({
          did: 'did:plc:a',
          time_us: 7000,
          kind: 'identity',
          identity: { did: 'did:plc:a', handle: 'a.test', seq: 1, time: '' },
        }),
      ),
    ).toEqual({
      // The frame's handle is a claim passed through unverified: the source puts a verified one in its place.
      kind: 'identity',
      cursor: 7000,
      timeMs: 7,
      did: 'did:plc:a',
    })
    expect(
      parseJetstreamFrame(
        frame({
          did: 'did:plc:a',
          time_us: 8000,
          kind: 'account',
          account: { active: false, did: 'did:plc:a', status: 'deleted', seq: 1, time: '' },
        }),
      ),
    ).toEqual({
      kind: 'account',
      cursor: 8000,
      timeMs: 8,
      did: 'did:plc:a',
      active: false,
      status: 'deleted',
    })
  })

  it('turns malformed frames into invalid events, keeping the cursor when time_us survived', () => {
    expect(parseJetstreamFrame('{nope')).toMatchObject({ kind: 'invalid', reason: 'malformed_frame' })
    expect(parseJetstreamFrame('[1,2]')).toMatchObject({ kind: 'invalid', reason: 'malformed_frame' })
    const noCursor = parseJetstreamFrame(frame({ did: 'did:plc:a', kind: 'commit' }))
    expect(noCursor).toMatchObject({ kind: 'invalid', reason: 'malformed_frame' })
    expect(noCursor.cursor).toBeUndefined()
    expect(parseJetstreamFrame(frame({ did: 'did:plc:a', time_us: -1, kind: 'commit' }))).toMatchObject({
      kind: 'invalid',
    })
    expect(
      parseJetstreamFrame(
        frame({
          did: 'did:plc:a',
          time_us: 9000,
          kind: 'commit',
          commit: { operation: 'explode', collection: 'c', rkey: 'k' },
        }),
      ),
    ).toMatchObject({
      kind: 'invalid',
      reason: 'malformed_frame',
      cursor: 9000,
    })
    expect(
      parseJetstreamFrame(
        frame({
          did: 'did:plc:a',
          time_us: 9001,
          kind: 'commit',
          commit: { operation: 'create', collection: 'c', rkey: 'k' },
        }),
      ),
    ).toMatchObject({
      kind: 'invalid',
      cursor: 9001,
    })
    expect(parseJetstreamFrame(frame({ time_us: 9002, kind: 'commit' }))).toMatchObject({
      kind: 'invalid',
      cursor: 9002,
    })
    expect(
      parseJetstreamFrame(frame({ did: 'did:plc:a', time_us: 9003, kind: 'account', account: {} })),
    ).toMatchObject({ kind: 'invalid', cursor: 9003 })
  })

  it('refuses frames with a __proto__ key, which the atproto data model forbids', () => {
    const text =
      '{"did":"did:plc:a","time_us":9100,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"k","cid":"c","record":{"__proto__":{"x":1}}}}'
    expect(parseJetstreamFrame(text)).toMatchObject({
      kind: 'invalid',
      reason: 'malformed_frame',
      cursor: 9100,
    })
    // Only the key (quoted on both sides) is refused, not text that merely ends like it.
    const record = '{"$type":"app.bsky.feed.post","text":"a__proto__","tag":"__proto__x"}'
    expect(parseJetstreamFrame(text.replace('{"__proto__":{"x":1}}', record))).toMatchObject({
      kind: 'commit',
      record: { text: 'a__proto__' },
    })
  })

  it('lets unknown kinds through as ticks so the cursor moves past them', () => {
    expect(parseJetstreamFrame(frame({ did: 'did:plc:a', time_us: 10_000, kind: 'future' }))).toEqual({
      kind: 'tick',
      cursor: 10_000,
      timeMs: 10,
    })
  })
})

describe('buildJetstreamUrl', () => {
  it('asks for the collections, dids and cursor', () => {
    const url = new URL(
      buildJetstreamUrl(
        'wss://j.example/subscribe',
        ['app.bsky.feed.post', 'app.bsky.feed.like'],
        ['did:plc:a'],
        1234,
      ),
    )
    expect(url.searchParams.getAll('wantedCollections')).toEqual(['app.bsky.feed.post', 'app.bsky.feed.like'])
    expect(url.searchParams.getAll('wantedDids')).toEqual(['did:plc:a'])
    expect(url.searchParams.get('cursor')).toBe('1234')
    expect(
      new URL(buildJetstreamUrl('wss://j.example/subscribe', [], [], undefined)).searchParams.has('cursor'),
    ).toBe(false)
  })
})

describe('reconnect', () => {
  it('backs off exponentially with jitter between half and all of the ceiling, capped', () => {
    const opts = { initialMs: 1000, maxMs: 60_000 }
    expect(backoffDelayMs(0, opts, 0)).toBe(500)
    expect(backoffDelayMs(0, opts, 1)).toBe(1000)
    expect(backoffDelayMs(3, opts, 1)).toBe(8000)
    expect(backoffDelayMs(3, opts, 0.5)).toBe(6000)
    expect(backoffDelayMs(20, opts, 1)).toBe(60_000)
    expect(backoffDelayMs(1000, opts, 0)).toBe(30_000)
  })

  it('says plainly when the endpoint cannot be reached', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    expect(isUnreachable(refused)).toBe(true)
    expect(isUnreachable(new AggregateError([refused], ''))).toBe(true)
    expect(describeReconnect('Jetstream', 'wss://j.example/subscribe', refused, 8000, 5)).toBe(
      'cannot reach Jetstream at wss://j.example/subscribe (offline?) — retrying in 8s; the feed keeps serving what is already indexed',
    )
    expect(describeReconnect('Jetstream', 'wss://j', new Error('closed with code 1012'), 2000, 5)).toBe(
      'Jetstream connection lost (closed with code 1012) — reconnecting in 2s from cursor 5',
    )
  })
})
