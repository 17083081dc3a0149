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
