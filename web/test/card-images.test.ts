import { describe, expect, it } from 'vitest'
import { cardImageUrls } from '../lib/card-images'
import type { FeedAuthorView, FeedPostView } from '../lib/feed-types'
import { postView } from './post-row'

const author = (name: string, avatarUrl: string | null): FeedAuthorView => ({
  did: `did:plc:${name}`,
  handle: `${name}.test`,
  displayName: null,
  avatarUrl,
  profileUrl: `https://bsky.app/profile/did:plc:${name}`,
})
const image = (url: string) => ({ url, alt: '', aspectRatio: null })

const post = (over: Partial<FeedPostView>): FeedPostView =>
  postView('post1', 'A', { author: author('a', 'https://cdn.test/avatar-a'), ...over })

describe('cardImageUrls', () => {
  it('lists every image the card loads: avatar, images, link thumbnail, quoted and parent posts', () => {
    const urls = cardImageUrls(
      post({
        images: [image('https://cdn.test/i1'), image('https://cdn.test/i2')],
        external: {
          href: 'https://example.com',
          domain: 'example.com',
          title: 't',
          description: '',
          thumbUrl: 'https://cdn.test/thumb',
        },
        quote: {
          uri: 'at://did:plc:q/app.bsky.feed.post/2',
          bskyUrl: null,
          author: author('q', 'https://cdn.test/avatar-q'),
          post: { text: 'q', createdAt: '2026-11-01T00:00:00.000Z', images: [image('https://cdn.test/qi')] },
        },
        replyParent: {
          uri: 'at://did:plc:p/app.bsky.feed.post/3',
          bskyUrl: null,
          author: author('p', 'https://cdn.test/avatar-a'),
          post: { text: 'p', createdAt: '2026-11-01T00:00:00.000Z', images: [] },
        },
      }),
    )
    expect(urls).toEqual([
      'https://cdn.test/avatar-a',
      'https://cdn.test/i1',
      'https://cdn.test/i2',
      'https://cdn.test/thumb',
      'https://cdn.test/avatar-q',
      'https://cdn.test/qi',
    ])
  })

  it('leaves out what the card does not show: no avatar, a referenced post Curia does not have', () => {
    const urls = cardImageUrls(
      post({
        author: author('a', null),
        quote: { uri: 'at://did:plc:q/app.bsky.feed.post/2', bskyUrl: null, author: null, post: null },
      }),
    )
    expect(urls).toEqual([])
  })
})
