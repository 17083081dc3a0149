import type { FeedPostView } from '../lib/feed-types'
import type { HydratedPostRow } from '../server/present-post'

export const DID = 'did:plc:abcdefghijklmnopqrstuvwx'
export const CID = 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy'

/** A hydrated post row as the feed query returns it: Alice's post, no market, with `over` applied. */
export function postRow(over: Partial<HydratedPostRow> = {}): HydratedPostRow {
  return {
    id: 1,
    uri: `at://${DID}/app.bsky.feed.post/3kabc123`,
    authorDid: DID,
    text: 'hello',
    facets: [],
    embed: null,
    replyParent: null,
    quoteUri: null,
    createdAt: '2026-03-01T10:00:00.000Z',
    likeCount: 3,
    repostCount: 1,
    handle: 'alice.test',
    displayName: 'Alice',
    avatarCid: CID,
    marketId: null,
    marketStatus: null,
    marketB: null,
    marketQYes: null,
    marketQNo: null,
    marketTraders: null,
    quotedText: null,
    quotedEmbed: null,
    quotedCreatedAt: null,
    quotedHandle: null,
    quotedDisplayName: null,
    quotedAvatarCid: null,
    parentText: null,
    parentEmbed: null,
    parentCreatedAt: null,
    parentHandle: null,
    parentDisplayName: null,
    parentAvatarCid: null,
    ...over,
  }
}

/** A post as the page renders it: `rkey`'s post by `name` (its DID made from the rkey), with `over` applied. */
export function postView(rkey: string, name: string, over: Partial<FeedPostView> = {}): FeedPostView {
  const did = `did:plc:${rkey.padEnd(24, 'x')}`
  return {
    uri: `at://${did}/app.bsky.feed.post/${rkey}`,
    bskyUrl: `https://bsky.app/profile/${did}/post/${rkey}`,
    author: {
      did,
      handle: `${rkey}.test`,
      displayName: name,
      avatarUrl: null,
      profileUrl: `https://bsky.app/profile/${did}`,
    },
    text: `A post by ${name}`,
    facets: [],
    images: [],
    external: null,
    hasVideo: false,
    quote: null,
    replyParent: null,
    createdAt: '2026-03-01T11:00:00Z',
    likeCount: 0,
    repostCount: 0,
    feedContext: '',
    path: null,
    market: null,
    ...over,
  }
}
