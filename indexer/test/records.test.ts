import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CANDIDATE_POLICY, type CandidatePolicy } from '@curia/curation/candidate'
import { mapEvent } from '../src/records/index'
import { clampCreatedAt, cleanText, RECORD_LIMITS } from '@curia/curation/records/common'
import type { Collection, MapResult } from '@curia/curation/records/types'
import type { CommitEvent } from '../src/source/types'

const did = 'did:plc:alice'
const eventTimeMs = Date.parse('2026-03-01T12:00:00Z')
const policy: CandidatePolicy = DEFAULT_CANDIDATE_POLICY
const all = new Set<Collection>([
  'app.bsky.feed.post',
  'app.bsky.feed.like',
  'app.bsky.feed.repost',
  'app.bsky.actor.profile',
])
const cid = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
const blob = (mime = 'image/jpeg') => ({
  $type: 'blob',
  ref: { $link: 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy' },
  mimeType: mime,
  size: 1234,
})
const otherPost = 'at://did:plc:bob/app.bsky.feed.post/3kabc'

function commit(collection: string, record: unknown, over: Partial<CommitEvent> = {}): CommitEvent {
  return {
    kind: 'commit',
    cursor: 1,
    timeMs: eventTimeMs,
    did,
    collection,
    rkey: '3kpost',
    operation: 'create',
    cid,
    record,
    ...over,
  }
}
const post = (fields: Record<string, unknown>) => ({
  $type: 'app.bsky.feed.post',
  text: 'hello',
  langs: ['en'],
  createdAt: '2026-03-01T11:59:00.000Z',
  ...fields,
})
const map = (event: CommitEvent, p: CandidatePolicy = policy, collections = all) =>
  mapEvent(event, p, collections)

function op(result: MapResult) {
  if (result.kind !== 'op') throw new Error(`expected an op, got ${JSON.stringify(result)}`)
  return result.op
}
function postRow(result: MapResult) {
  const o = op(result)
  if (o.op !== 'post_upsert') throw new Error(`expected post_upsert, got ${o.op}`)
  return o.row
}
function skipReason(result: MapResult) {
  return result.kind === 'skip' ? result.reason : result.kind
}

describe('app.bsky.feed.post', () => {
  it('maps text, langs, reply refs and createdAt', () => {
    const row = postRow(
      map(
        commit(
          'app.bsky.feed.post',
          post({
            reply: { root: { uri: otherPost, cid }, parent: { uri: `${otherPost}2`, cid } },
          }),
        ),
        { ...policy, includeReplies: true },
      ),
    )
    expect(row).toMatchObject({
      uri: `at://${did}/app.bsky.feed.post/3kpost`,
      cid,
      authorDid: did,
      text: 'hello',
      langs: ['en'],
      replyRoot: otherPost,
      replyParent: `${otherPost}2`,
      quoteUri: null,
      embed: null,
      facets: [],
      createdAt: '2026-03-01T11:59:00.000Z',
    })
  })

  it('normalizes link, mention and tag facets with UTF-8 byte offsets, sorted, dropping ranges outside the text', () => {
    const text = 'héllo 🌍 #tag https://x.com @bob.test'
    const range = (part: string) => {
      const start = Buffer.byteLength(text.slice(0, text.indexOf(part)))
      return { byteStart: start, byteEnd: start + Buffer.byteLength(part) }
    }
    const facets = [
      {
        index: range('@bob.test'),
        features: [{ $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:bob' }],
      },
      {
        index: range('https://x.com'),
        features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://x.com' }],
      },
      { index: range('#tag'), features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'tag' }] },
      {
        index: { byteStart: 10, byteEnd: 999 },
        features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'beyond' }],
      },
    ]
    const row = postRow(map(commit('app.bsky.feed.post', post({ text, facets }))))
    expect(row.facets).toEqual([
      { kind: 'tag', ...range('#tag'), tag: 'tag' },
      { kind: 'link', ...range('https://x.com'), uri: 'https://x.com' },
      { kind: 'mention', ...range('@bob.test'), did: 'did:plc:bob' },
    ])
    const bytes = Buffer.from(text)
    const link = row.facets.find((f) => f.kind === 'link')!
    expect(bytes.subarray(link.byteStart, link.byteEnd).toString()).toBe('https://x.com')
  })

  it('maps image embeds with alt text and aspect ratio, and galleries as images', () => {
    const images = post({
      embed: {
        $type: 'app.bsky.embed.images',
        images: [
          { image: blob(), alt: 'a cat', aspectRatio: { width: 4, height: 3 } },
          { image: blob(), alt: '' },
        ],
      },
    })
    expect(postRow(map(commit('app.bsky.feed.post', images))).embed).toEqual({
      kind: 'images',
      images: [
        {
          cid: 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy',
          alt: 'a cat',
          aspectRatio: { width: 4, height: 3 },
        },
        { cid: 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy', alt: '' },
      ],
    })
    const gallery = post({
      embed: {
        $type: 'app.bsky.embed.gallery',
        items: [
          {
            $type: 'app.bsky.embed.gallery#image',
            image: blob(),
            alt: 'one',
            aspectRatio: { width: 1, height: 1 },
          },
        ],
      },
    })
    expect(postRow(map(commit('app.bsky.feed.post', gallery))).embed).toMatchObject({
      kind: 'images',
      images: [{ alt: 'one' }],
    })
  })

  it('maps external cards, videos, quotes and quotes with media', () => {
    const external = postRow(
      map(
        commit(
          'app.bsky.feed.post',
          post({
            embed: {
              $type: 'app.bsky.embed.external',
              external: { uri: 'https://example.com/a', title: 'T', description: 'D', thumb: blob() },
            },
          }),
        ),
      ),
    )
    expect(external.embed).toEqual({
      kind: 'external',
      uri: 'https://example.com/a',
      title: 'T',
      description: 'D',
      thumbCid: 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy',
    })

    const video = postRow(
      map(
        commit(
          'app.bsky.feed.post',
          post({
            embed: {
              $type: 'app.bsky.embed.video',
              video: blob('video/mp4'),
              alt: 'clip',
              aspectRatio: { width: 16, height: 9 },
            },
          }),
        ),
      ),
    )
    expect(video.embed).toEqual({
      kind: 'video',
      cid: 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy',
      alt: 'clip',
      aspectRatio: { width: 16, height: 9 },
    })

    const quote = postRow(
      map(
        commit(
          'app.bsky.feed.post',
          post({ embed: { $type: 'app.bsky.embed.record', record: { uri: otherPost, cid } } }),
        ),
      ),
    )
    expect(quote.embed).toEqual({ kind: 'record', uri: otherPost })
    expect(quote.quoteUri).toBe(otherPost)

    const feedUri = 'at://did:plc:bob/app.bsky.feed.generator/cool'
    const feedEmbed = postRow(
      map(
        commit(
          'app.bsky.feed.post',
          post({ embed: { $type: 'app.bsky.embed.record', record: { uri: feedUri, cid } } }),
        ),
      ),
    )
    expect(feedEmbed.quoteUri).toBeNull()

    const withMedia = postRow(
      map(
        commit(
          'app.bsky.feed.post',
          post({
            embed: {
              $type: 'app.bsky.embed.recordWithMedia',
              record: { $type: 'app.bsky.embed.record', record: { uri: otherPost, cid } },
              media: { $type: 'app.bsky.embed.images', images: [{ image: blob(), alt: 'x' }] },
            },
          }),
        ),
      ),
    )
    expect(withMedia.embed).toEqual({
      kind: 'recordWithMedia',
      uri: otherPost,
      media: {
        kind: 'images',
        images: [{ cid: 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy', alt: 'x' }],
      },
    })
    expect(withMedia.quoteUri).toBe(otherPost)
  })

  it('clamps a createdAt from the future or malformed to the event time, and keeps a plausible one', () => {
    const at = (createdAt: unknown) =>
      postRow(map(commit('app.bsky.feed.post', post({ createdAt })))).createdAt
    const eventIso = new Date(eventTimeMs).toISOString()
    expect(at('2099-01-01T00:00:00Z')).toBe(eventIso)
    expect(at('2026-03-01T12:09:00Z')).toBe('2026-03-01T12:09:00.000Z') // within the 10-minute skew
    expect(at('2026-03-01T12:11:00Z')).toBe(eventIso)
    expect(at('yesterday')).toBe(eventIso)
    expect(at('1969-12-31T23:59:59Z')).toBe(eventIso)
    expect(at('2024-05-01T10:00:00+02:00')).toBe('2024-05-01T08:00:00.000Z')
    expect(clampCreatedAt(undefined, eventTimeMs)).toEqual({ iso: eventIso, clamped: true })
  })

  it('clamps a canonical createdAt exactly as parsing it would, impossible calendar fields included', () => {
    // The definition clampCreatedAt's shortcut for canonical strings must agree with: RFC 3339, Date.parse (which
    // rolls 02-30 and T24:00 over to the next day), re-printed; absurd times replaced by the event time.
    const reference = (claimed: string, atMs: number) => {
      const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(claimed)
        ? Date.parse(claimed)
        : NaN
      return Number.isFinite(ms) && ms >= 0 && ms <= atMs + 10 * 60_000
        ? { iso: new Date(ms).toISOString(), clamped: false }
        : { iso: new Date(atMs).toISOString(), clamped: true }
    }
    const field = (max: number, width: number) => fc.nat(max).map((n) => String(n).padStart(width, '0'))
    const claimed = fc
      .tuple(
        fc.oneof(field(9999, 4), fc.constantFrom('1969', '1970', '2000', '2024', '2100', '0000', '20x4')),
        field(13, 2),
        field(32, 2),
        field(25, 2),
        field(60, 2),
        field(61, 2),
        fc.oneof(field(999, 3), fc.constantFrom('5', '12', '1234', 'x00')),
        fc.constantFrom('Z', 'z', '+00:00', '', 'Z '),
      )
      .map(([y, mo, d, h, mi, s, ms, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}${zone}`)
    fc.assert(
      fc.property(claimed, fc.integer({ min: 0, max: 4e12 }), (value, atMs) => {
        expect(clampCreatedAt(value, atMs)).toEqual(reference(value, atMs))
      }),
      { numRuns: 20_000 },
    )
    const later = Date.parse('2026-06-01T00:00:00Z')
    expect(clampCreatedAt('2026-02-30T00:00:00.000Z', later).iso).toBe('2026-03-02T00:00:00.000Z')
    expect(clampCreatedAt('2024-02-29T24:00:00.000Z', later).iso).toBe('2024-03-01T00:00:00.000Z')
    expect(clampCreatedAt('2024-02-29T23:59:59.999Z', later).iso).toBe('2024-02-29T23:59:59.999Z')
  })

  it('filters creates that are not candidates without validating them, but maps their updates', () => {
    expect(map(commit('app.bsky.feed.post', post({ langs: ['de'] }))).kind).toBe('filtered')
    expect(
      map(
        commit(
          'app.bsky.feed.post',
          post({ reply: { root: { uri: otherPost, cid }, parent: { uri: otherPost, cid } } }),
        ),
      ).kind,
    ).toBe('filtered')
    expect(map(commit('app.bsky.feed.post', { not: 'a post', langs: ['de'] })).kind).toBe('filtered')
    const update = op(map(commit('app.bsky.feed.post', post({ langs: ['de'] }), { operation: 'update' })))
    expect(update).toMatchObject({ op: 'post_upsert', candidate: false })
    expect(
      op(map(commit('app.bsky.feed.post', post({ langs: ['de'] })), { ...policy, authors: new Set([did]) })),
    ).toMatchObject({ candidate: true })
  })

  it('skips records the lexicon rejects, counted as invalid_record', () => {
    const bad = (record: unknown) => skipReason(map(commit('app.bsky.feed.post', record)))
    expect(bad(post({ text: 'x'.repeat(3001) }))).toBe('invalid_record')
    expect(bad(post({ text: 42 }))).toBe('invalid_record')
    expect(bad(post({ $type: 'app.bsky.feed.like' }))).toBe('invalid_record')
    expect(
      bad(
        post({ embed: { $type: 'app.bsky.embed.images', images: [{ image: { not: 'a blob' }, alt: '' }] } }),
      ),
    ).toBe('invalid_record')
    expect(
      bad(
        post({
          embed: {
            $type: 'app.bsky.embed.images',
            images: [{ image: { ...blob(), ref: { $link: 'nope' } }, alt: '' }],
          },
        }),
      ),
    ).toBe('invalid_record')
    expect(bad(post({ reply: { root: { uri: 'not a uri', cid }, parent: { uri: otherPost, cid } } }))).toBe(
      'filtered',
    )
    expect(
      skipReason(
        map(commit('app.bsky.feed.post', post({ reply: { root: { uri: 'nope' }, parent: {} } })), {
          ...policy,
          includeReplies: true,
        }),
      ),
    ).toBe('invalid_record')
    expect(bad('a string')).toBe('invalid_record')
    expect(bad(null)).toBe('invalid_record')
    expect(skipReason(map(commit('app.bsky.feed.post', post({}), { cid: undefined })))).toBe(
      'malformed_frame',
    )
  })

  it('skips records whose unbounded fields exceed our limits, counted as oversized_record', () => {
    const huge = 'a'.repeat(RECORD_LIMITS.altChars + 1)
    const images = post({ embed: { $type: 'app.bsky.embed.images', images: [{ image: blob(), alt: huge }] } })
    expect(skipReason(map(commit('app.bsky.feed.post', images)))).toBe('oversized_record')
    const card = post({
      embed: {
        $type: 'app.bsky.embed.external',
        external: {
          uri: 'https://e.com',
          title: 't',
          description: 'd'.repeat(RECORD_LIMITS.descriptionChars + 1),
        },
      },
    })
    expect(skipReason(map(commit('app.bsky.feed.post', card)))).toBe('oversized_record')
    const facets = Array.from({ length: RECORD_LIMITS.facetFeatures + 1 }, () => ({
      index: { byteStart: 0, byteEnd: 1 },
      features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'h' }],
    }))
    expect(skipReason(map(commit('app.bsky.feed.post', post({ facets }))))).toBe('oversized_record')
  })

  it('cleans text Postgres would refuse: NUL and lone surrogates', () => {
    const row = postRow(map(commit('app.bsky.feed.post', post({ text: 'a\u0000b\ud800c' }))))
    expect(row.text).toBe('a b\ufffdc')
    expect(cleanText('fine')).toBe('fine')
  })

  it('maps a delete to a tombstone whatever the record', () => {
    expect(op(map(commit('app.bsky.feed.post', undefined, { operation: 'delete', cid: undefined })))).toEqual(
      {
        op: 'post_delete',
        uri: `at://${did}/app.bsky.feed.post/3kpost`,
      },
    )
  })
})

describe('events', () => {
  it('skips bad repos and record keys as invalid_identifier, and ignores collections not indexed', () => {
    expect(skipReason(map(commit('app.bsky.feed.post', post({}), { did: 'alice' })))).toBe(
      'invalid_identifier',
    )
    expect(skipReason(map(commit('app.bsky.feed.post', post({}), { rkey: '../etc' })))).toBe(
      'invalid_identifier',
    )
    expect(skipReason(map(commit('app.bsky.feed.post', post({}), { rkey: '..' })))).toBe('invalid_identifier')
    expect(map(commit('app.bsky.graph.follow', {})).kind).toBe('ignored')
    expect(
      map(commit('app.bsky.feed.like', {}), policy, new Set<Collection>(['app.bsky.feed.post'])).kind,
    ).toBe('ignored')
  })

  it('maps identity events to a lowercased handle, ignores missing and invalid ones and skips bad ones', () => {
    const identity = (handle?: string, d = did) =>
      mapEvent(
        handle === undefined
          ? { kind: 'identity', cursor: 1, timeMs: 0, did: d }
          : { kind: 'identity', cursor: 1, timeMs: 0, did: d, handle },
        policy,
        all,
      )
    expect(op(identity('Alice.Test'))).toEqual({ op: 'handle', did, handle: 'alice.test' })
    expect(identity().kind).toBe('ignored')
    // What a relay passes on when the handle failed verification: no handle, the stored one is kept.
    expect(identity('handle.invalid').kind).toBe('ignored')
    expect(identity('Handle.Invalid').kind).toBe('ignored')
    expect(skipReason(identity('not a handle'))).toBe('invalid_identifier')
    expect(skipReason(identity('alice.test', 'nope'))).toBe('invalid_identifier')
  })

  it('maps account events to a status: inactive ones hide the author, active ones clear it', () => {
    const account = (active: boolean, status?: string, d = did) =>
      mapEvent(
        status === undefined
          ? { kind: 'account', cursor: 1, timeMs: 0, did: d, active }
          : { kind: 'account', cursor: 1, timeMs: 0, did: d, active, status },
        policy,
        all,
      )
    expect(op(account(false, 'takendown'))).toEqual({ op: 'account_status', did, status: 'takendown' })
    expect(op(account(false))).toEqual({ op: 'account_status', did, status: 'inactive' })
    expect(op(account(true, 'takendown'))).toEqual({ op: 'account_status', did, status: null })
    expect(skipReason(account(false, 'Taken Down; drop table'))).toBe('malformed_frame')
    expect(skipReason(account(false, 'x'.repeat(100)))).toBe('malformed_frame')
    expect(skipReason(account(false, 'takendown', 'nope'))).toBe('invalid_identifier')
  })
})

describe('app.bsky.feed.like / repost', () => {
  const like = (subject: unknown, createdAt: unknown = '2026-03-01T11:00:00Z') => ({
    $type: 'app.bsky.feed.like',
    subject,
    createdAt,
  })

  it('maps a like and a repost of a post to engagement rows', () => {
    expect(op(map(commit('app.bsky.feed.like', like({ uri: otherPost, cid }), { rkey: '3klike' })))).toEqual({
      op: 'engagement_create',
      row: {
        uri: `at://${did}/app.bsky.feed.like/3klike`,
        kind: 'like',
        subjectUri: otherPost,
        authorDid: did,
        createdAt: '2026-03-01T11:00:00.000Z',
      },
    })
    const repost = {
      $type: 'app.bsky.feed.repost',
      subject: { uri: otherPost, cid },
      createdAt: '2099-01-01T00:00:00Z',
    }
    expect(op(map(commit('app.bsky.feed.repost', repost)))).toMatchObject({
      op: 'engagement_create',
      row: { kind: 'repost', subjectUri: otherPost, createdAt: new Date(eventTimeMs).toISOString() },
    })
  })

  it('ignores likes of things that are not posts, and updates', () => {
    expect(
      map(commit('app.bsky.feed.like', like({ uri: 'at://did:plc:bob/app.bsky.feed.generator/cool', cid })))
        .kind,
    ).toBe('ignored')
    expect(
      map(commit('app.bsky.feed.like', like({ uri: otherPost, cid }), { operation: 'update' })).kind,
    ).toBe('ignored')
  })

  it('skips malformed likes', () => {
    expect(skipReason(map(commit('app.bsky.feed.like', like({ uri: otherPost }))))).toBe('invalid_record')
    expect(skipReason(map(commit('app.bsky.feed.like', like('nope'))))).toBe('invalid_record')
    expect(
      skipReason(
        map(
          commit('app.bsky.feed.like', {
            subject: { uri: otherPost, cid },
            createdAt: '2026-01-01T00:00:00Z',
          }),
        ),
      ),
    ).toBe('invalid_record')
  })

  it('maps deletes by URI', () => {
    expect(op(map(commit('app.bsky.feed.like', undefined, { operation: 'delete', rkey: 'l1' })))).toEqual({
      op: 'engagement_delete',
      uri: `at://${did}/app.bsky.feed.like/l1`,
    })
    expect(op(map(commit('app.bsky.feed.repost', undefined, { operation: 'delete', rkey: 'r1' })))).toEqual({
      op: 'engagement_delete',
      uri: `at://${did}/app.bsky.feed.repost/r1`,
    })
  })
})

describe('app.bsky.actor.profile', () => {
  const profile = (fields: Record<string, unknown>) => ({ $type: 'app.bsky.actor.profile', ...fields })

  it('maps display name and avatar; a delete clears them; other record keys are ignored', () => {
    expect(
      op(
        map(
          commit('app.bsky.actor.profile', profile({ displayName: 'Alice', avatar: blob('image/png') }), {
            rkey: 'self',
          }),
        ),
      ),
    ).toEqual({
      op: 'profile',
      did,
      displayName: 'Alice',
      avatarCid: 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy',
    })
    expect(
      op(map(commit('app.bsky.actor.profile', profile({}), { rkey: 'self', operation: 'update' }))),
    ).toEqual({
      op: 'profile',
      did,
      displayName: null,
      avatarCid: null,
    })
    expect(
      op(map(commit('app.bsky.actor.profile', undefined, { rkey: 'self', operation: 'delete' }))),
    ).toMatchObject({ displayName: null })
    expect(map(commit('app.bsky.actor.profile', profile({ displayName: 'x' }), { rkey: 'other' })).kind).toBe(
      'ignored',
    )
  })

  it('skips profiles the lexicon rejects', () => {
    expect(
      skipReason(
        map(commit('app.bsky.actor.profile', profile({ displayName: 'x'.repeat(700) }), { rkey: 'self' })),
      ),
    ).toBe('invalid_record')
    expect(
      skipReason(map(commit('app.bsky.actor.profile', profile({ avatar: 'nope' }), { rkey: 'self' }))),
    ).toBe('invalid_record')
  })
})

describe('app.bsky.graph.listitem', () => {
  // Alice (`did`) owns the candidate list; items live in her repo.
  const list = `at://${did}/app.bsky.graph.list/3kcurated`
  const lists: CandidatePolicy = { ...policy, lists: new Set([list]) }
  const withItems = new Set<Collection>([...all, 'app.bsky.graph.listitem'])
  const item = (fields: Record<string, unknown> = {}) => ({
    $type: 'app.bsky.graph.listitem',
    subject: 'did:plc:bob',
    list,
    createdAt: '2026-03-01T11:59:00.000Z',
    ...fields,
  })
  const mapItem = (record: unknown, over: Partial<CommitEvent> = {}) =>
    map(commit('app.bsky.graph.listitem', record, { rkey: '3kitem', ...over }), lists, withItems)
  const itemUri = `at://${did}/app.bsky.graph.listitem/3kitem`

  it('maps an item of a candidate list to a member, keyed by the item URI', () => {
    expect(op(mapItem(item()))).toEqual({
      op: 'list_item_upsert',
      row: { uri: itemUri, listUri: list, subjectDid: 'did:plc:bob' },
    })
    expect(op(mapItem(item(), { operation: 'update' }))).toMatchObject({ op: 'list_item_upsert' })
  })

  it('ignores items of other lists, and items naming the list from a repo other than its owner', () => {
    expect(mapItem(item({ list: `at://${did}/app.bsky.graph.list/3kmodlist` })).kind).toBe('ignored')
    expect(mapItem(item(), { did: 'did:plc:mallory' }).kind).toBe('ignored')
    // Not asked for (no list configured, so not in the collections): ignored like any other collection.
    expect(map(commit('app.bsky.graph.listitem', item()), policy, all).kind).toBe('ignored')
    expect(map(commit('app.bsky.graph.listitem', item()), policy, withItems).kind).toBe('ignored')
  })

  it('skips malformed items of a candidate list as invalid_record', () => {
    expect(skipReason(mapItem(item({ subject: 'bob.test' })))).toBe('invalid_record')
    expect(skipReason(mapItem(item({ subject: undefined })))).toBe('invalid_record')
    expect(skipReason(mapItem(item({ createdAt: 'yesterday' })))).toBe('invalid_record')
    expect(skipReason(mapItem(item({ $type: 'app.bsky.graph.follow' })))).toBe('invalid_record')
    expect(skipReason(mapItem('not an object'))).toBe('invalid_record')
  })

  it("deletes by URI in a list owner's repo, and turns an update that leaves the list into a delete", () => {
    expect(op(mapItem(undefined, { operation: 'delete' }))).toEqual({ op: 'list_item_delete', uri: itemUri })
    expect(mapItem(undefined, { operation: 'delete', did: 'did:plc:mallory' }).kind).toBe('ignored')
    expect(
      op(mapItem(item({ list: `at://${did}/app.bsky.graph.list/3kother` }), { operation: 'update' })),
    ).toEqual({ op: 'list_item_delete', uri: itemUri })
  })
})
