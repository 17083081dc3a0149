import { describe, expect, it } from 'vitest'
import { parsePostRef } from '../server/post-ref'
import { postRowFromRecord } from '../server/post-record'

const DID = 'did:plc:abcdefghijklmnopqrstuvwx'
const CID = 'bafyreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy'

describe('parsePostRef', () => {
  it('reads bsky.app links by handle or DID, and at-URIs', () => {
    expect(parsePostRef('https://bsky.app/profile/Alice.bsky.social/post/3kq2abcd')).toEqual({
      ok: true,
      ref: { repo: { kind: 'handle', value: 'alice.bsky.social' }, rkey: '3kq2abcd' },
    })
    expect(parsePostRef(` https://bsky.app/profile/${DID}/post/3kq2abcd/ `)).toEqual({
      ok: true,
      ref: { repo: { kind: 'did', value: DID }, rkey: '3kq2abcd' },
    })
    expect(
      parsePostRef(`https://bsky.app/profile/${encodeURIComponent(DID)}/post/3kq2abcd?ref=share`),
    ).toMatchObject({
      ok: true,
      ref: { repo: { kind: 'did', value: DID } },
    })
    expect(parsePostRef('at://alice.test/app.bsky.feed.post/3kq2abcd')).toEqual({
      ok: true,
      ref: { repo: { kind: 'handle', value: 'alice.test' }, rkey: '3kq2abcd' },
    })
  })

  it('refuses what is not a post link, saying why', () => {
    const refused = (input: unknown) => {
      const r = parsePostRef(input)
      return r.ok ? 'accepted' : r.message
    }
    expect(refused('')).toMatch(/Paste a link/)
    expect(refused(42)).toMatch(/Paste a link/)
    expect(refused('hello')).toMatch(/bsky\.app\/profile/)
    expect(refused('http://bsky.app/profile/alice.test/post/3kq')).toMatch(/Only bsky\.app/)
    expect(refused('https://evil.example/profile/alice.test/post/3kq')).toMatch(/Only bsky\.app/)
    expect(refused('javascript:alert(1)')).toMatch(/Only bsky\.app/)
    expect(refused('https://bsky.app/profile/alice.test')).toMatch(/not a post/)
    expect(refused('https://bsky.app/profile/alice.test/post/bad%20key')).toMatch(/post id/)
    expect(refused('https://bsky.app/profile/not_a_handle/post/3kq')).toMatch(/neither a handle nor a DID/)
    expect(refused('at://alice.test/app.bsky.feed.like/3kq')).toMatch(/at-URI of a post/)
    expect(refused(`https://bsky.app/profile/alice.test/post/${'x'.repeat(3000)}`)).toMatch(/too long/)
  })
})

describe('postRowFromRecord', () => {
  const uri = `at://${DID}/app.bsky.feed.post/3kq2abcd`
  const now = Date.parse('2026-03-01T12:00:00Z')

  it('keeps text, langs, facets, images and the quoted post', () => {
    const row = postRowFromRecord(
      {
        uri,
        cid: CID,
        authorDid: DID,
        record: {
          $type: 'app.bsky.feed.post',
          text: 'see https://example.com #tag',
          langs: ['en', 5],
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
    const row = postRowFromRecord(
      {
        uri,
        cid: CID,
        authorDid: DID,
        record: { $type: 'app.bsky.feed.post', text: 'a\u0000b', createdAt: '2099-01-01T00:00:00Z' },
      },
      now,
    )
    expect(row).toMatchObject({ text: 'a b', createdAt: new Date(now).toISOString() })
  })

  it('refuses what is not a post record', () => {
    expect(
      postRowFromRecord({ uri, cid: CID, authorDid: DID, record: { $type: 'app.bsky.feed.like' } }, now),
    ).toBeNull()
    expect(postRowFromRecord({ uri, cid: CID, authorDid: DID, record: 'text' }, now)).toBeNull()
    expect(
      postRowFromRecord(
        { uri, cid: 'bad cid', authorDid: DID, record: { $type: 'app.bsky.feed.post', text: '' } },
        now,
      ),
    ).toBeNull()
  })
})
