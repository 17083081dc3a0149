import type { MarketBadgeView } from './market-types'
import type { RichTextFacet } from './rich-text'

/**
 * What the reader's page receives for one post: everything already resolved to strings a component can render
 * (URLs built, blobs turned into links), so the browser never sees database rows or CIDs.
 */
export interface FeedPostView {
  uri: string
  /** The post on bsky.app, where a reader can reply, like or repost. */
  bskyUrl: string
  author: FeedAuthorView
  text: string
  /** Spans of `text` by UTF-8 byte offsets, as stored; validated again when rendered. */
  facets: RichTextFacet[]
  images: FeedImageView[]
  external: FeedExternalView | null
  /** A video is not played inline; the card links to it on bsky.app. */
  hasVideo: boolean
  quote: FeedPostRef | null
  replyParent: FeedPostRef | null
  /** ISO 8601, as the author's client stamped it. */
  createdAt: string
  likeCount: number
  repostCount: number
  /** Which snapshot and rank served this post (opaque to the page). */
  feedContext: string
  /** Curia's page for the post (market, chart, trading); null for a URI that cannot have one. */
  path: string | null
  /** The post's market, when it has one. */
  market: MarketBadgeView | null
}

export interface FeedAuthorView {
  did: string
  /** Null until the indexer has resolved the handle. */
  handle: string | null
  displayName: string | null
  avatarUrl: string | null
  profileUrl: string
}

export interface FeedImageView {
  url: string
  alt: string
  aspectRatio: { width: number; height: number } | null
}

export interface FeedExternalView {
  /** Null when the card's URL is not http(s): the card then renders, but not as a link. */
  href: string | null
  domain: string | null
  title: string
  description: string
  thumbUrl: string | null
}

/** A post another one quotes or replies to: the reference, and what Curia knows of it. */
export interface FeedPostRef {
  uri: string
  /** Null when the URI is not a well-formed post URI. */
  bskyUrl: string | null
  /** Who wrote it, when Curia has indexed them (or the post) and their account is active. */
  author: FeedAuthorView | null
  /** The post itself; null when it is not in Curia's index, was deleted, or its author's account is not active. */
  post: FeedReferencedPost | null
}

/**
 * What a quote or reply-context box shows of the referenced post. Its text is plain (the box is one link to the
 * post, so the text's own links and mentions are not links in it), and its embeds beyond images are left to
 * bsky.app.
 */
export interface FeedReferencedPost {
  text: string
  /** ISO 8601, as the author's client stamped it. */
  createdAt: string
  images: FeedImageView[]
}

export interface FeedPage {
  posts: FeedPostView[]
  /** Pass back to get the next page; absent at the end of the feed. */
  cursor: string | null
}

/** The JSON body of every non-2xx answer from /api/feed. */
export interface FeedErrorBody {
  error: 'bad_cursor' | 'bad_request' | 'unavailable'
  message: string
}

/** How many posts the reader's page asks for at a time (first render and each scroll). */
export const FEED_PAGE_SIZE = 20
