import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jsonToLex } from '@atproto/lexicon'
import { base32 } from 'multiformats/bases/base32'
import { indexerLexicons, validateRecord } from '../src/records/common'

/**
 * The compiled validator must agree with @atproto/lexicon's `Lexicons.validate` (on the JSON record converted with
 * `jsonToLex`) on every record: valid ones, and every way of breaking one. Generated: realistic records of each
 * indexed collection, then random mutations at random paths with values chosen to sit on the lexicons' edges.
 */
function reference(collection: string, record: Record<string, unknown>): boolean | 'refused by jsonToLex' {
  if (record.$type !== collection) return false
  let lex: unknown
  try {
    lex = jsonToLex(record)
  } catch {
    // A malformed legacy blob anywhere makes jsonToLex throw; the compiled validator only judges the fields a
    // lexicon defines (see validator.ts), so such records are not compared.
    return 'refused by jsonToLex'
  }
  try {
    return indexerLexicons.validate(collection, lex).success
  } catch {
    return false // e.g. a union member whose $type is not a lexicon reference ('#x', 'a#b#c')
  }
}
const compiled = (collection: string, record: Record<string, unknown>) =>
  validateRecord(collection, record) === undefined

const CID = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
const BLOB_CID = 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy'
const POST_URI = 'at://did:plc:abc/app.bsky.feed.post/3kabc'
const blob = { $type: 'blob', ref: { $link: BLOB_CID }, mimeType: 'image/jpeg', size: 1234 }
const strongRef = { uri: POST_URI, cid: CID }

/** Values that sit on lexicon edges: wrong types, bad formats, limits, shapes that only look right. */
const edgy = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    0,
    -1,
    1.5,
    2 ** 31,
    true,
    '',
    'x',
    'en',
    'en-US',
    'xx-invalid-tag-!',
    'not a uri',
    'https://example.com/a',
    POST_URI,
    'at://did:plc:abc',
    'did:plc:abc',
    'did:nope',
    CID,
    'bafy-not-a-cid',
    '2026-01-01T00:00:00Z',
    'a'.repeat(301),
    'é'.repeat(1001),
    '👨‍👩‍👧'.repeat(65),
    'a'.repeat(3001),
    [],
    [1, 2],
    ['en', 'fr', 'de', 'it'],
    {},
    { $type: 'app.bsky.embed.images' },
    { $type: 'unknown.type#thing', x: 1 },
    { $type: 'a#b#c' },
    { $type: '#local' },
    blob,
    { ...blob, ref: { $link: 'nope' } },
    { ...blob, extra: 1 },
    { ...blob, ref: { $link: BLOB_CID, x: 1 } },
    { ...blob, ref: [BLOB_CID] },
    { ...blob, size: '1234' },
    { $type: 'blob', ref: { $link: BLOB_CID }, size: 1 },
    { ...blob, ref: { $link: CID } },
    { cid: 'nope', mimeType: 'image/png' },
    { cid: BLOB_CID, mimeType: 'image/png' },
    { $link: CID },
    { $bytes: 'aGVsbG8=' },
    strongRef,
    { uri: POST_URI },
    { width: 1, height: 1 },
    { width: 0, height: 1 },
  ),
  // `__proto__` keys make jsonToLex throw; frames carrying one are refused before any record is read
  // (parseJetstreamFrame), so validation never sees them.
  fc.jsonValue({ maxDepth: 2 }).filter((v) => !JSON.stringify(v).includes('__proto__')),
)

const post = fc.record(
  {
    $type: fc.constant('app.bsky.feed.post'),
    text: fc.string({ maxLength: 320, unit: 'grapheme' }),
    createdAt: fc.constant('2026-01-01T00:00:00.000Z'),
    langs: fc.array(fc.constantFrom('en', 'pt-BR', 'ja', 'zh-Hant', 'x-bad!', 'i-klingon'), { maxLength: 4 }),
    facets: fc.array(
      fc.record({
        index: fc.record({
          byteStart: fc.integer({ min: -2, max: 40 }),
          byteEnd: fc.integer({ min: -2, max: 40 }),
        }),
        features: fc.array(
          fc.oneof(
            fc.record({
              $type: fc.constant('app.bsky.richtext.facet#link'),
              uri: fc.constantFrom('https://a.b', 'nope'),
            }),
            fc.record({
              $type: fc.constant('app.bsky.richtext.facet#mention'),
              did: fc.constantFrom('did:plc:x', 'alice'),
            }),
            fc.record({
              $type: fc.constant('app.bsky.richtext.facet#tag'),
              tag: fc.string({ maxLength: 70 }),
            }),
            fc.record({ $type: fc.constant('com.example.custom#thing'), n: fc.integer() }),
          ),
          { maxLength: 3 },
        ),
      }),
      { maxLength: 3 },
    ),
    embed: fc.oneof(
      fc.record({
        $type: fc.constant('app.bsky.embed.images'),
        images: fc.array(
          fc.record(
            {
              image: fc.constant(blob),
              alt: fc.string({ maxLength: 10 }),
              aspectRatio: fc.record({
                width: fc.integer({ min: 0, max: 3 }),
                height: fc.integer({ min: 1, max: 3 }),
              }),
            },
            { requiredKeys: ['image', 'alt'] },
          ),
          { maxLength: 5 },
        ),
      }),
      fc.record({
        $type: fc.constant('app.bsky.embed.external'),
        external: fc.record(
          {
            uri: fc.constantFrom('https://e.com', 'e.com'),
            title: fc.string(),
            description: fc.string(),
            thumb: fc.constant(blob),
          },
          { requiredKeys: ['uri', 'title', 'description'] },
        ),
      }),
      fc.record({ $type: fc.constant('app.bsky.embed.record'), record: fc.constant(strongRef) }),
      fc.record({
        $type: fc.constant('app.bsky.embed.recordWithMedia'),
        record: fc.constant({ $type: 'app.bsky.embed.record', record: strongRef }),
        media: fc.constant({ $type: 'app.bsky.embed.images', images: [{ image: blob, alt: '' }] }),
      }),
      fc.record({
        $type: fc.constant('app.bsky.embed.video'),
        video: fc.constant({ ...blob, mimeType: 'video/mp4' }),
        alt: fc.string({ maxLength: 5 }),
      }),
      fc.record({
        $type: fc.constant('app.bsky.embed.gallery'),
        items: fc.array(
          fc.record({
            $type: fc.constant('app.bsky.embed.gallery#image'),
            image: fc.constant(blob),
            alt: fc.string({ maxLength: 5 }),
            aspectRatio: fc.constant({ width: 2, height: 1 }),
          }),
          { maxLength: 3 },
        ),
      }),
    ),
    reply: fc.constant({ root: strongRef, parent: strongRef }),
    labels: fc.constant({ $type: 'com.atproto.label.defs#selfLabels', values: [{ val: 'nudity' }] }),
    tags: fc.array(fc.string({ maxLength: 70 }), { maxLength: 9 }),
  },
  { requiredKeys: ['$type', 'text', 'createdAt'] },
)

const engagement = (collection: string) =>
  fc.record(
    {
      $type: fc.constant(collection),
      subject: fc.constant(strongRef),
      createdAt: fc.constant('2026-01-01T00:00:00.000Z'),
      via: fc.constant(strongRef),
    },
    { requiredKeys: ['$type', 'subject', 'createdAt'] },
  )

const profile = fc.record(
  {
    $type: fc.constant('app.bsky.actor.profile'),
    displayName: fc.string({ maxLength: 70, unit: 'grapheme' }),
    description: fc.string({ maxLength: 50 }),
    avatar: fc.constant({ ...blob, mimeType: 'image/png' }),
    banner: fc.constant(blob),
    createdAt: fc.constantFrom('2026-01-01T00:00:00Z', 'yesterday'),
    pinnedPost: fc.constant(strongRef),
  },
  { requiredKeys: ['$type'] },
)

const listItem = fc.record(
  {
    $type: fc.constant('app.bsky.graph.listitem'),
    subject: fc.constantFrom('did:plc:abc', 'did:web:example.com', 'alice.test', ''),
    list: fc.constantFrom('at://did:plc:abc/app.bsky.graph.list/3kabc', 'https://bsky.app/lists/x', 'at://x'),
    createdAt: fc.constantFrom('2026-01-01T00:00:00Z', 'yesterday'),
  },
  { requiredKeys: ['$type'] },
)

/** Replaces the value at one random path of `record` (any depth) with `value`. */
function mutate(record: Record<string, unknown>, pick: number, value: unknown): Record<string, unknown> {
  const copy = structuredClone(record)
  const paths: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = []
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach((v, i) => (paths.push({ parent: node, key: i }), walk(v)))
    else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        paths.push({ parent: node as Record<string, unknown>, key: k })
        walk(v)
      }
    }
  }
  walk(copy)
  const target = paths[pick % Math.max(1, paths.length)]
  if (target) (target.parent as Record<string | number, unknown>)[target.key] = value
  return copy
}

const cases: [string, fc.Arbitrary<Record<string, unknown>>][] = [
  ['app.bsky.feed.post', post],
  ['app.bsky.feed.like', engagement('app.bsky.feed.like')],
  ['app.bsky.feed.repost', engagement('app.bsky.feed.repost')],
  ['app.bsky.actor.profile', profile],
  ['app.bsky.graph.listitem', listItem],
]

describe('compiled lexicon validator', () => {
  for (const [collection, arbitrary] of cases) {
    it(`agrees with Lexicons.validate on generated ${collection} records`, () => {
      fc.assert(
        fc.property(arbitrary, (record) => {
          const expected = reference(collection, record)
          fc.pre(expected !== 'refused by jsonToLex')
          expect(compiled(collection, record)).toBe(expected)
        }),
        { numRuns: 1500 },
      )
    })

    it(`agrees with Lexicons.validate on mutated ${collection} records`, () => {
      let invalid = 0
      fc.assert(
        fc.property(arbitrary, fc.nat(), edgy, (record, pick, value) => {
          const broken = mutate(record, pick, value)
          const expected = reference(collection, broken)
          fc.pre(expected !== 'refused by jsonToLex')
          if (!expected) invalid++
          expect(compiled(collection, broken)).toBe(expected)
        }),
        { numRuns: 4000 },
      )
      expect(invalid).toBeGreaterThan(100) // the mutations really do break records
    })
  }

  it('agrees with Lexicons.validate on CID strings shaped like the usual ones, in strong refs and blob refs', () => {
    // The validator decides base32 CIDv1 strings of 32-byte digests itself (validator.ts isUsualCidString): near
    // misses in every byte it reads, in the trailing bits and in the characters must still be judged as CID.parse
    // judges them.
    const usually = <T>(value: T, ...others: T[]) =>
      fc.oneof({ arbitrary: fc.constant(value), weight: 3 }, fc.constantFrom(...others))
    const head = fc.tuple(
      usually(1, 0, 2, 0x12),
      usually(0x71, 0x55, 0x70, 0x7f, 0x80, 0xff),
      usually(0x12, 0x13, 0x7f, 0x80),
      usually(32, 31, 33, 0, 0x80),
    )
    const cidLike = fc
      .tuple(
        head,
        fc.oneof(
          { arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }), weight: 3 },
          fc.uint8Array({ minLength: 30, maxLength: 34 }),
        ),
        usually('none', 'upper', 'drop', 'add', 'bad-char', 'last-char', 'prefix'),
        fc.nat(),
      )
      .map(([[version, codec, hash, length], digest, edit, at]) => {
        const text = base32.encode(Uint8Array.from([version, codec, hash, length, ...digest]))
        const i = 1 + (at % (text.length - 1))
        switch (edit) {
          case 'none':
            return text
          case 'upper':
            return text.toUpperCase()
          case 'drop':
            return text.slice(0, i) + text.slice(i + 1)
          case 'add':
            return text.slice(0, i) + 'a' + text.slice(i)
          case 'bad-char':
            return text.slice(0, i) + '1' + text.slice(i + 1)
          case 'last-char':
            return text.slice(0, -1) + 'abcdefghijklmnopqrstuvwxyz234567'[at % 32]
          case 'prefix':
            return 'B' + text.slice(1)
        }
      })
    let valid = 0
    let invalid = 0
    fc.assert(
      fc.property(cidLike, (cid) => {
        const like = {
          $type: 'app.bsky.feed.like',
          subject: { uri: POST_URI, cid },
          createdAt: '2026-01-01T00:00:00.000Z',
        }
        const withImage = {
          $type: 'app.bsky.feed.post',
          text: 'x',
          createdAt: '2026-01-01T00:00:00.000Z',
          embed: {
            $type: 'app.bsky.embed.images',
            images: [{ image: { ...blob, ref: { $link: cid } }, alt: '' }],
          },
        }
        for (const [collection, record] of [
          ['app.bsky.feed.like', like],
          ['app.bsky.feed.post', withImage],
        ] as const) {
          const expected = reference(collection, record)
          if (expected === 'refused by jsonToLex') continue
          if (expected) valid++
          else invalid++
          expect(compiled(collection, record)).toBe(expected)
        }
      }),
      { numRuns: 5000 },
    )
    expect(valid).toBeGreaterThan(500)
    expect(invalid).toBeGreaterThan(500)
  })

  it('reports where a record is wrong', () => {
    expect(
      validateRecord('app.bsky.feed.post', {
        $type: 'app.bsky.feed.post',
        text: 'x',
        createdAt: 'x',
        langs: ['!'],
      }),
    ).toBe('Record/langs/0 must be a well-formed BCP 47 language tag')
    expect(
      validateRecord('app.bsky.feed.post', {
        $type: 'app.bsky.feed.post',
        text: 'x',
        createdAt: 'x',
        embed: { $type: 'app.bsky.embed.images', images: [{ image: {}, alt: '' }] },
      }),
    ).toBe('Record/embed/images/0/image should be a blob ref')
    expect(validateRecord('app.bsky.feed.post', { $type: 'app.bsky.feed.post', createdAt: 'x' })).toBe(
      'Record must have the property "text"',
    )
  })
})
