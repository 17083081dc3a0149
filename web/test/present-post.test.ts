import { describe, expect, it } from 'vitest'
import { blobUrl, presentFacets, presentPost } from '../server/present-post'
import { postUrl, safeHttpUrl } from '../lib/bsky-urls'
import { CID, DID, postRow } from './post-row'

const CDN = 'https://cdn.bsky.app/img/feed_fullsize/plain/{did}/{cid}@jpeg'
const AVATAR = 'https://cdn.bsky.app/img/avatar_thumbnail/plain/{did}/{cid}@jpeg'
const urls = { blobUrlTemplate: CDN, avatarUrlTemplate: AVATAR }
const row = postRow
const OTHER = 'did:plc:zyxwvutsrqponmlkjihgfedc'

describe('presentPost', () => {
  it('builds the bsky.app links, the author view and ISO times', () => {
    const view = presentPost(row(), 's7r0', urls)
    expect(view.bskyUrl).toBe(`https://bsky.app/profile/${DID}/post/3kabc123`)
    expect(view.author).toEqual({
      did: DID,
      handle: 'alice.test',
      displayName: 'Alice',
      avatarUrl: `https://cdn.bsky.app/img/avatar_thumbnail/plain/${DID}/${CID}@jpeg`,
      profileUrl: `https://bsky.app/profile/${DID}`,
    })
    expect(view.createdAt).toBe('2026-03-01T10:00:00.000Z')
    expect(view).toMatchObject({
      likeCount: 3,
      repostCount: 1,
      feedContext: 's7r0',
      images: [],
      external: null,
    })
  })

  it('substitutes the demo PDS blob template (query string) and falls back when the author is unknown', () => {
    const pds = 'http://localhost:2583/xrpc/com.atproto.sync.getBlob?did={did}&cid={cid}'
    const view = presentPost(
      row({
        handle: null,
        displayName: '  ',
        avatarCid: null,
        embed: { kind: 'images', images: [{ cid: CID, alt: 'a cat' }] },
      }),
      'x',
      { blobUrlTemplate: pds, avatarUrlTemplate: pds },
    )
    expect(view.images[0]?.url).toBe(
      `http://localhost:2583/xrpc/com.atproto.sync.getBlob?did=${DID}&cid=${CID}`,
    )
    expect(view.author).toMatchObject({ handle: null, displayName: null, avatarUrl: null })
  })

  it('presents images with alt text and aspect ratio, capped at four, skipping malformed ones', () => {
    const images = [
      { cid: CID, alt: '  A heron at dawn  ', aspectRatio: { width: 1200, height: 800 } },
      { cid: CID, alt: '', aspectRatio: { width: -1, height: 5 } },
      { cid: 'not a cid!', alt: 'bad cid' },
      { cid: CID, alt: 'three' },
      { cid: CID, alt: 'four' },
      { cid: CID, alt: 'five: beyond the lexicon limit' },
    ]
    const view = presentPost(row({ embed: { kind: 'images', images } }), 'x', urls)
    expect(view.images.map((i) => i.alt)).toEqual(['A heron at dawn', '', 'three'])
    expect(view.images[0]?.aspectRatio).toEqual({ width: 1200, height: 800 })
    expect(view.images[1]?.aspectRatio).toBeNull()
  })

  it('presents an external card, and does not link one whose URL is not http(s)', () => {
    const external = {
      kind: 'external',
      uri: 'https://www.example.com/a?b=1',
      title: 'T',
      description: 'D',
      thumbCid: CID,
    }
    const view = presentPost(row({ embed: external }), 'x', urls)
    expect(view.external).toMatchObject({
      href: 'https://www.example.com/a?b=1',
      domain: 'example.com',
      title: 'T',
    })
    expect(view.external?.thumbUrl).toContain(CID)

    const evil = presentPost(row({ embed: { ...external, uri: 'javascript:alert(1)' } }), 'x', urls)
    expect(evil.external).toMatchObject({ href: null, domain: null, title: 'T' })
  })

  it('takes media and the quoted URI from a record-with-media embed, and flags video', () => {
    const quoted = `at://${DID}/app.bsky.feed.post/3kquoted`
    const view = presentPost(
      row({
        embed: {
          kind: 'recordWithMedia',
          uri: quoted,
          media: { kind: 'images', images: [{ cid: CID, alt: 'x' }] },
        },
      }),
      'x',
      urls,
    )
    expect(view.images).toHaveLength(1)
    // Known only from the embed (no quote_uri column to join on): a bare reference.
    expect(view.quote).toEqual({
      uri: quoted,
      bskyUrl: `https://bsky.app/profile/${DID}/post/3kquoted`,
      author: null,
      post: null,
    })
    expect(presentPost(row({ embed: { kind: 'video', cid: CID, alt: '' } }), 'x', urls).hasVideo).toBe(true)
  })

  it('shows the quoted post Curia has: its author, time, text and images by the quoted author', () => {
    const quoted = `at://${OTHER}/app.bsky.feed.post/3kquoted`
    const hydrated = {
      quoteUri: quoted,
      embed: { kind: 'record', uri: quoted },
      quotedText: 'the original',
      quotedEmbed: { kind: 'images', images: [{ cid: CID, alt: 'a map' }] },
      quotedCreatedAt: '2026-02-28T09:00:00.000Z',
      quotedHandle: 'bob.test',
      quotedDisplayName: ' Bob ',
      quotedAvatarCid: CID,
    }
    expect(presentPost(row(hydrated), 'x', urls).quote).toEqual({
      uri: quoted,
      bskyUrl: `https://bsky.app/profile/${OTHER}/post/3kquoted`,
      author: {
        did: OTHER,
        handle: 'bob.test',
        displayName: 'Bob',
        avatarUrl: `https://cdn.bsky.app/img/avatar_thumbnail/plain/${OTHER}/${CID}@jpeg`,
        profileUrl: `https://bsky.app/profile/${OTHER}`,
      },
      post: {
        text: 'the original',
        createdAt: '2026-02-28T09:00:00.000Z',
        // The images are the quoted author's blobs, not the quoting author's.
        images: [
          { url: `${CDN.replace('{did}', OTHER).replace('{cid}', CID)}`, alt: 'a map', aspectRatio: null },
        ],
      },
    })
    // An author Curia has not described is shown by DID, as on a post's own card.
    expect(
      presentPost(row({ ...hydrated, quotedHandle: null, quotedDisplayName: null }), 'x', urls).quote?.author,
    ).toMatchObject({ did: OTHER, handle: null, displayName: null })
    // The post is not there (not indexed, deleted): its author is still named, the post is not shown.
    expect(
      presentPost(row({ ...hydrated, quotedText: null, quotedCreatedAt: null }), 'x', urls).quote,
    ).toMatchObject({ uri: quoted, author: { handle: 'bob.test' }, post: null })
    // Nothing joined (an inactive author nulls every column): a bare reference.
    const bare = {
      uri: quoted,
      bskyUrl: `https://bsky.app/profile/${OTHER}/post/3kquoted`,
      author: null,
      post: null,
    }
    const none = { quotedText: null, quotedCreatedAt: null, quotedHandle: null, quotedDisplayName: null }
    expect(presentPost(row({ ...hydrated, ...none }), 'x', urls).quote).toEqual(bare)
  })

  it('shows the post replied to, or names its author, only from the columns joined for that very URI', () => {
    const parent = `at://${OTHER}/app.bsky.feed.post/3kparent`
    const joined = {
      replyParent: parent,
      parentText: 'the question',
      parentEmbed: null,
      parentCreatedAt: '2026-02-28T08:00:00.000Z',
      parentHandle: 'carol.test',
      parentDisplayName: null,
      parentAvatarCid: null,
    }
    expect(presentPost(row(joined), 'x', urls).replyParent).toMatchObject({
      uri: parent,
      author: { did: OTHER, handle: 'carol.test', profileUrl: `https://bsky.app/profile/${OTHER}` },
      post: { text: 'the question', createdAt: '2026-02-28T08:00:00.000Z', images: [] },
    })
    // The parent post is not indexed: "Reply to @carol.test" still, from her author row.
    expect(
      presentPost(row({ ...joined, parentText: null, parentCreatedAt: null }), 'x', urls).replyParent,
    ).toMatchObject({ author: { handle: 'carol.test' }, post: null })
    expect(
      presentPost(row({ ...joined, parentText: null, parentCreatedAt: null, parentHandle: null }), 'x', urls)
        .replyParent,
    ).toMatchObject({ author: null, post: null })
    // A URI naming no DID gets nothing, whatever the columns say.
    const forged = presentPost(row({ ...joined, replyParent: 'at://javascript:alert(1)/x/y' }), 'x', urls)
    expect(forged.replyParent).toEqual({
      uri: 'at://javascript:alert(1)/x/y',
      bskyUrl: null,
      author: null,
      post: null,
    })
  })

  it('links the reply parent, or leaves it unlinked when the URI is malformed', () => {
    const parent = `at://${DID}/app.bsky.feed.post/3kparent`
    expect(presentPost(row({ replyParent: parent }), 'x', urls).replyParent?.bskyUrl).toBe(
      `https://bsky.app/profile/${DID}/post/3kparent`,
    )
    expect(
      presentPost(row({ replyParent: 'at://javascript:alert(1)/x/y' }), 'x', urls).replyParent?.bskyUrl,
    ).toBeNull()
  })

  it('survives embeds and facets of the wrong shape', () => {
    for (const embed of ['str', 42, [], { kind: 'images', images: 'nope' }, { kind: 'unknown' }]) {
      const view = presentPost(row({ embed, facets: { not: 'an array' } }), 'x', urls)
      expect(view.images).toEqual([])
      expect(view.facets).toEqual([])
    }
  })
})

describe('presentFacets', () => {
  it('keeps only facets of a known shape', () => {
    const good = { kind: 'link', byteStart: 0, byteEnd: 3, uri: 'https://a.test' }
    expect(
      presentFacets([
        good,
        { kind: 'link', byteStart: 0, byteEnd: 3 },
        { kind: 'mention', byteStart: 0 },
        null,
      ]),
    ).toEqual([good])
  })
})

describe('url helpers', () => {
  it('accepts only http(s) URLs', () => {
    expect(safeHttpUrl('https://example.com')).toBe('https://example.com/')
    expect(safeHttpUrl(' javascript:alert(1)')).toBeNull()
    expect(safeHttpUrl('java\tscript:alert(1)')).toBeNull()
    expect(safeHttpUrl('//evil.test')).toBeNull()
  })

  it('maps only well-formed post URIs to bsky.app', () => {
    expect(postUrl('at://did:plc:abc/app.bsky.feed.post/3k')).toBe(
      'https://bsky.app/profile/did:plc:abc/post/3k',
    )
    expect(postUrl('at://did:plc:abc/app.bsky.feed.like/3k')).toBeNull()
    expect(postUrl('at://alice.test/app.bsky.feed.post/3k')).toBeNull()
    expect(postUrl('at://did:plc:abc/app.bsky.feed.post/a"onmouseover=x')).toBeNull()
  })

  it('refuses to build a blob URL from a bad DID or CID', () => {
    expect(blobUrl(CDN, DID, CID)).toContain(CID)
    expect(blobUrl(CDN, DID, '../../etc/passwd')).toBeNull()
    expect(blobUrl(CDN, 'did:plc:x/../../y', CID)).toBeNull()
    expect(blobUrl(CDN, DID, null)).toBeNull()
  })
})

describe('presentPost: the market line', () => {
  it('has no market for a post without one, and links to the post page', () => {
    const view = presentPost(row(), 'x', urls)
    expect(view.market).toBeNull()
    expect(view.path).toBe(`/post/${DID}/3kabc123`)
  })

  it('prices YES with the LMSR from the market columns and passes the trader count through', () => {
    // b = 100 credits, 100 more YES than NO shares: logistic(1) ~ 0.7311.
    const view = presentPost(
      row({
        marketId: 7,
        marketStatus: 'open',
        marketB: '100000000',
        marketQYes: '150000000',
        marketQNo: '50000000',
        marketTraders: 3,
      }),
      'x',
      urls,
    )
    expect(view.market).toMatchObject({ marketId: 7, status: 'open', traderCount: 3 })
    expect(view.market!.yesPrice).toBeCloseTo(1 / (1 + Math.exp(-1)), 12)
  })
})
