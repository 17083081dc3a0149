import { describe, expect, it } from 'vitest'
import { mapFetchedPost } from '../src/records/post'

const DID = 'did:plc:abcdefghijklmnopqrstuvwx'
const CID = 'bafyreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy'

/** The row, or null when the record is refused. */
function mapped(input: Parameters<typeof mapFetchedPost>[0], nowMs: number) {
  const result = mapFetchedPost(input, nowMs)
  return result.ok ? result.row : null
}

describe('mapFetchedPost', () => {
  const uri = `at://${DID}/app.bsky.feed.post/3kq2abcd`
  const now = Date.parse('2026-03-01T12:00:00Z')

  it('keeps text, langs, facets, images and the quoted post', () => {
    const row = mapped(
      {
        uri,
        cid: CID,
        record: {
          $type: 'app.bsky.feed.post',
          text: 'see https://example.com #tag',
          langs: ['en'],
          createdAt: '2026-03-01T10:00:00.000Z',
          facets: [
            {
              index: { byteStart: 4, byteEnd: 23 },
              features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com' }],
            },
            {
              index: { byteStart: 24, byteEnd: 28 },
              features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'tag' }],
            },
            {
              index: { byteStart: 20, byteEnd: 999 },
              features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'out' }],
            },
          ],
          embed: {
            $type: 'app.bsky.embed.recordWithMedia',
            record: { record: { uri: `at://${DID}/app.bsky.feed.post/quoted`, cid: CID } },
            media: {
              $type: 'app.bsky.embed.images',
              images: [
                {
                  alt: 'a cat',
                  image: { $type: 'blob', ref: { $link: CID }, mimeType: 'image/png', size: 1 },
                },
              ],
            },
          },
        },
      },
      now,
    )
    expect(row).toMatchObject({
      text: 'see https://example.com #tag',
      langs: ['en'],
      createdAt: '2026-03-01T10:00:00.000Z',
      quoteUri: `at://${DID}/app.bsky.feed.post/quoted`,
      embed: { kind: 'recordWithMedia', media: { kind: 'images', images: [{ cid: CID, alt: 'a cat' }] } },
    })
    expect(row!.facets).toEqual([
      { kind: 'link', byteStart: 4, byteEnd: 23, uri: 'https://example.com' },
      { kind: 'tag', byteStart: 24, byteEnd: 28, tag: 'tag' },
    ])
  })

  it('clamps a creation time in the future to now, and strips NUL', () => {
    const row = mapped(
      {
        uri,
        cid: CID,
        record: { $type: 'app.bsky.feed.post', text: 'a\u0000b', createdAt: '2099-01-01T00:00:00Z' },
      },
      now,
    )
    expect(row).toMatchObject({ text: 'a b', createdAt: new Date(now).toISOString() })
  })

  it('refuses what is not a post record', () => {
    const post = { $type: 'app.bsky.feed.post', text: '', createdAt: '2026-03-01T10:00:00.000Z' }
    expect(mapped({ uri, cid: CID, record: { $type: 'app.bsky.feed.like' } }, now)).toBeNull()
    expect(mapped({ uri, cid: CID, record: 'text' }, now)).toBeNull()
    expect(mapped({ uri, cid: 'bad cid', record: post }, now)).toBeNull()
    // What the stream refuses is refused here too: a post failing its lexicon, a URI that is not a post's.
    expect(mapped({ uri, cid: CID, record: { ...post, langs: ['en', 5] } }, now)).toBeNull()
    expect(mapped({ uri, cid: CID, record: { ...post, text: 'x'.repeat(3001) } }, now)).toBeNull()
    expect(mapped({ uri: `at://${DID}/app.bsky.feed.like/3kq`, cid: CID, record: post }, now)).toBeNull()
    expect(mapped({ uri, cid: CID, record: post }, now)).toMatchObject({ uri, authorDid: DID, text: '' })
  })
})
