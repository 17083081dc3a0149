import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { post, type Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { addressViewer, createExposureRecorder, forwardedClientAddress } from '../src/feed/exposure'

let database: Database
let ids: number[]

beforeAll(async () => {
  database = await createTestDatabase()
  const rows = await database.db
    .insert(post)
    .values(
      [1, 2, 3].map((n) => ({
        uri: `at://did:plc:author/app.bsky.feed.post/${n}`,
        cid: `bafy${n}`,
        authorDid: 'did:plc:author',
        text: `post ${n}`,
        createdAt: new Date(),
      })),
    )
    .returning({ id: post.id })
  ids = rows.map((r) => Number(r.id))
})
afterAll(async () => {
  await database.close()
})

async function impressions(): Promise<number[]> {
  const rows = await database.sql<{ id: number; n: number }[]>`
    select post_id::float8 as id, impressions::int as n from feed_exposure`
  const byId = new Map(rows.map((r) => [r.id, r.n]))
  const out = ids.map((id) => byId.get(id) ?? 0)
  await database.sql`delete from feed_exposure`
  return out
}

describe('exposure recorder', () => {
  it('counts a viewer once per post within the window, and again once the window has passed', async () => {
    let clock = 0
    const recorder = createExposureRecorder(database, { flushMs: 60_000, windowMs: 1_000, now: () => clock })
    const [a, b, c] = ids as [number, number, number]
    recorder.record([a, b], 'did:plc:x')
    recorder.record([a, b, c], 'did:plc:x')
    recorder.record([a], 'did:plc:y')
    recorder.record([c])
    recorder.record([c]) // anonymous callers are one viewer
    await recorder.flush()
    expect(await impressions()).toEqual([2, 1, 2])

    clock = 1_500 // one window on: the previous generation still remembers everything
    recorder.record([a, b, c], 'did:plc:x')
    await recorder.flush()
    expect(await impressions()).toEqual([0, 0, 0])

    clock = 2_600 // two windows on: forgotten, so each viewer counts once more (at most once per 1 to 2 windows)
    recorder.record([a, b, c], 'did:plc:x')
    recorder.record([a, b], 'did:plc:x')
    recorder.record([a], 'did:plc:y')
    await recorder.flush()
    expect(await impressions()).toEqual([2, 1, 1])
    await recorder.stop()
  })

  it('bounds its memory: a full generation turns the window over early', async () => {
    const recorder = createExposureRecorder(database, { flushMs: 60_000, maxTracked: 2, now: () => 0 })
    const [a, b, c] = ids as [number, number, number]
    recorder.record([a, b], 'v') // the first generation is full
    recorder.record([a, b], 'v') // remembered in what is now the previous one
    recorder.record([c], 'v') // the second generation: {c}
    recorder.record([a], 'w') // full again: turns over, forgetting a and b for v
    recorder.record([a, b], 'v')
    await recorder.stop()
    expect(await impressions()).toEqual([3, 2, 1])
  })

  it('keeps its counts when a flush fails and writes them with the next one', async () => {
    const other = await createTestDatabase()
    const lines: string[] = []
    const failing = createExposureRecorder(other, { flushMs: 60_000, log: (l) => lines.push(l) })
    await other.sql`alter table feed_exposure rename to feed_exposure_away`
    failing.record(ids, 'v')
    await failing.flush()
    expect(lines.join('\n')).toMatch(/flush failed, keeping 3 counts/)
    await other.sql`alter table feed_exposure_away rename to feed_exposure`
    await failing.stop()
    const rows = await other.sql<{ n: number }[]>`select impressions::int as n from feed_exposure`
    expect(rows.map((r) => r.n)).toEqual([1, 1, 1])
    await other.close()
  })
})

describe('addressViewer', () => {
  it('counts an IPv6 /64 as one viewer, whatever address inside it a request comes from', () => {
    const a = addressViewer('2001:db8:85a3:42::1')
    expect(a).toBe('ip6:2001:db8:85a3:42::/64')
    expect(addressViewer('2001:0db8:85a3:0042:ffff:ffff:ffff:fffe')).toBe(a)
    expect(addressViewer('2001:db8:85a3:42:dead:beef::7')).toBe(a)
    expect(addressViewer('2001:db8:85a3:43::1')).not.toBe(a)
    expect(addressViewer('::1')).toBe('ip6:0:0:0:0::/64')
    expect(addressViewer('fe80::1%eth0')).toBe('ip6:fe80:0:0:0::/64')
    expect(addressViewer('64:ff9b::192.0.2.33')).toBe('ip6:64:ff9b:0:0::/64')
  })

  it('keeps an IPv4 address whole, mapped into IPv6 or not, and says when there is none', () => {
    expect(addressViewer('203.0.113.7')).toBe('ip:203.0.113.7')
    expect(addressViewer('::ffff:203.0.113.7')).toBe('ip:203.0.113.7')
    expect(addressViewer('203.0.113.8')).not.toBe(addressViewer('203.0.113.7'))
    expect(addressViewer(undefined)).toBe('ip:unknown')
  })
})

describe('forwardedClientAddress', () => {
  it('reads the address the trusted proxies appended, never what the client wrote before it', () => {
    // The client sent "X-Forwarded-For: 6.6.6.6" hoping to be someone else; one proxy appended what it saw.
    expect(forwardedClientAddress('6.6.6.6, 203.0.113.7', 1)).toBe('203.0.113.7')
    // Two proxies: the outer one appended the client, the inner one the outer proxy.
    expect(forwardedClientAddress('6.6.6.6,203.0.113.7, 10.0.0.2', 2)).toBe('203.0.113.7')
    expect(forwardedClientAddress('2001:db8:85a3:42::1', 1)).toBe('2001:db8:85a3:42::1')
    // Ports some proxies include are dropped, so one reader is one viewer whatever port they came from.
    expect(forwardedClientAddress('203.0.113.7:51234', 1)).toBe('203.0.113.7')
    expect(forwardedClientAddress('[2001:db8:85a3:42::1]:443', 1)).toBe('2001:db8:85a3:42::1')
    expect(addressViewer(forwardedClientAddress('[2001:db8:85a3:42::9]:1', 1))).toBe(
      addressViewer('2001:db8:85a3:42::1'),
    )
  })

  it('reads nothing with no proxy configured, or fewer entries than proxies', () => {
    expect(forwardedClientAddress('203.0.113.7', 0)).toBeUndefined()
    expect(forwardedClientAddress('203.0.113.7', 2)).toBeUndefined()
    expect(forwardedClientAddress(null, 1)).toBeUndefined()
    expect(forwardedClientAddress('', 1)).toBeUndefined()
    expect(forwardedClientAddress('203.0.113.7, ', 1)).toBeUndefined()
  })
})
