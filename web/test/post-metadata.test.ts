import { describe, expect, it } from 'vitest'
import { excerpt } from '../lib/format'
import type { MarketView } from '../lib/market-types'
import { postPageMetadata } from '../lib/post-metadata'
import { presentPost, type HydratedPostRow } from '../server/present-post'
import { CID, DID, postRow } from './post-row'

const urls = {
  blobUrlTemplate: 'https://cdn.example/{did}/{cid}',
  avatarUrlTemplate: 'https://cdn.example/avatar/{did}/{cid}',
}
const URL_ = 'https://curia.example/post/x/y'

const post = (over: Partial<HydratedPostRow> = {}) =>
  presentPost(postRow({ text: 'Tide tables are a public good', ...over }), '', urls)

function market(over: Partial<MarketView> = {}): MarketView {
  return {
    id: 7,
    postUri: `at://${DID}/app.bsky.feed.post/3kabc123`,
    status: 'open',
    yesPrice: 0.634,
    traderCount: 4,
    tradeCount: 9,
    volumeMicro: '0',
    openedAt: '2026-03-01T10:00:00.000Z',
    closesAt: '2026-03-03T10:00:00.000Z',
    state: { b: '1', qYes: '0', qNo: '0' },
    createdBy: null,
    ...over,
  }
}

describe('postPageMetadata', () => {
  it('names the author, quotes the post and gives the market price for link previews', () => {
    const meta = postPageMetadata({ post: post(), market: market() }, URL_)
    expect(meta.title).toBe('Alice: “Tide tables are a public good” — Curia')
    expect(meta.description).toBe(
      "Curia's curators put it at 63% that the jury will endorse this post (4 traders). Trading is open.",
    )
    expect(meta.openGraph).toMatchObject({
      title: 'Alice: “Tide tables are a public good”',
      url: URL_,
      type: 'article',
      siteName: 'Curia',
    })
    expect(meta.twitter).toMatchObject({ card: 'summary' })
  })

  it('falls back to the handle, then to a plain label, and says when there is no text', () => {
    expect(postPageMetadata({ post: post({ displayName: null }), market: null }, URL_).title).toBe(
      '@alice.test: “Tide tables are a public good” — Curia',
    )
    expect(
      postPageMetadata({ post: post({ displayName: null, handle: null, text: '' }), market: null }, URL_)
        .title,
    ).toBe('A post by A Bluesky account — Curia')
    expect(postPageMetadata({ post: null, market: market() }, URL_).title).toBe('A post on Curia — Curia')
  })

  it('keeps untrusted text to one line of at most 100 characters, never splitting an emoji', () => {
    const hostile = `line one\n\n\tline two <script>alert(1)</script> ${'🦋'.repeat(200)}`
    const title = postPageMetadata({ post: post({ text: hostile }), market: null }, URL_).title as string
    expect(title).not.toContain('\n')
    const quoted = /“(.*)”/u.exec(title)![1]!
    expect(Array.from(quoted)).toHaveLength(100)
    expect(quoted.endsWith('🦋…')).toBe(true)
    expect(quoted).toBe(excerpt(hostile, 100))
  })

  it('describes each market state, and a post without a market', () => {
    const line = (m: MarketView | null) => postPageMetadata({ post: post(), market: m }, URL_).description
    expect(line(null)).toMatch(/^No market on this post yet/)
    // The opening 50% is nobody's forecast.
    expect(line(market({ status: 'open', traderCount: 0, yesPrice: 0.5 }))).toBe(
      'A market is open on this post and nobody has forecast it yet: be the first, on Curia.',
    )
    // Sealed until the jury rules: the preview names no price.
    expect(line(market({ status: 'closed', traderCount: 1, yesPrice: null, state: null }))).toBe(
      "Trading closed (1 trader); the price stays sealed until the jury's next round rules on it.",
    )
    expect(line(market({ status: 'settled' }))).toMatch(
      /^Settled by Curia's jury after trading closed at 63% YES/,
    )
    expect(line(market({ status: 'void' }))).toMatch(/no verdict.*4 traders got their credits back/)
  })

  it('offers the first image, with its alt text, as a large card', () => {
    const meta = postPageMetadata(
      {
        post: post({ embed: { kind: 'images', images: [{ cid: CID, alt: 'A tide table\nfor May' }] } }),
        market: null,
      },
      URL_,
    )
    expect(meta.openGraph?.images).toEqual([
      { url: `https://cdn.example/${DID}/${CID}`, alt: 'A tide table for May' },
    ])
    expect(meta.twitter).toMatchObject({ card: 'summary_large_image' })
  })
})

describe('excerpt', () => {
  it('leaves short text alone apart from whitespace', () => {
    expect(excerpt('  a\n b  ', 10)).toBe('a b')
    expect(excerpt('abcdef', 6)).toBe('abcdef')
    expect(excerpt('abcdefg', 6)).toBe('abcde…')
  })
})
