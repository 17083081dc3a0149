import type { PostEmbed } from '@curia/db'
import { price } from '@curia/curation/market/lmsr'
import type { MarketStatus } from '@curia/curation/market/trade'
import { isDid, postAuthorDid, postUrl, profileUrl, safeHttpUrl } from '../lib/bsky-urls'
import type {
  FeedAuthorView,
  FeedExternalView,
  FeedImageView,
  FeedPostRef,
  FeedPostView,
  FeedQuoteView,
} from '../lib/feed-types'
import type { MarketBadgeView } from '../lib/market-types'
import { postPath } from '../lib/post-path'
import type { RichTextFacet } from '../lib/rich-text'

/** One hydrated row: a live post joined to its author (the author may not be indexed yet). */
export interface HydratedPostRow {
  id: number
  uri: string
  authorDid: string
  text: string
  facets: unknown
  embed: unknown
  replyParent: string | null
  quoteUri: string | null
  /** ISO 8601 in UTC. */
  createdAt: string
  likeCount: number
  repostCount: number
  handle: string | null
  displayName: string | null
  avatarCid: string | null
  /** The post's market, when it has one (all market columns are null together). */
  marketId: number | null
  marketStatus: MarketStatus | null
  marketB: string | null
  marketQYes: string | null
  marketQNo: string | null
  marketTraders: number | null
  /**
   * The quoted post (`quoteUri`) when it is indexed, live and its author active: its text, embed and time, and its
   * author's profile (all `quoted*` columns null otherwise; the author columns also when the author is not indexed).
   */
  quotedText: string | null
  quotedEmbed: unknown
  /** ISO 8601 in UTC. */
  quotedCreatedAt: string | null
  quotedAuthorDid: string | null
  quotedHandle: string | null
  quotedDisplayName: string | null
  quotedAvatarCid: string | null
  /** The reply parent's author (the DID in `replyParent`) when indexed and active: null columns otherwise. */
  parentHandle: string | null
  parentDisplayName: string | null
  parentAvatarCid: string | null
}

export interface BlobUrlTemplates {
  blobUrlTemplate: string
  avatarUrlTemplate: string
}

// CIDs are multibase strings (base32 `b...` for blobs in practice): alphanumeric only, so safe in any URL part.
const CID = /^[A-Za-z0-9]{8,128}$/

/**
 * Fills `{did}` and `{cid}` in a blob URL template; null when either is not what it claims to be. Substituted
 * unencoded, as Bluesky's own CDN URLs are written: both patterns admit only characters that are literal in a URL
 * path or query (`did:plc:...`), so a record cannot smuggle a `/`, `?`, `&` or `#` into the URL.
 */
export function blobUrl(template: string, did: string, cid: string | null | undefined): string | null {
  if (!cid || !CID.test(cid) || !isDid(did)) return null
  return template.replaceAll('{did}', did).replaceAll('{cid}', cid)
}

/** The presentation half of the feed: a row in, the DTO the page renders out. Pure. */
export function presentPost(row: HydratedPostRow, feedContext: string, urls: BlobUrlTemplates): FeedPostView {
  const embed = isObject(row.embed) ? (row.embed as PostEmbed) : null
  const media = embed?.kind === 'recordWithMedia' && isObject(embed.media) ? embed.media : embed
  const quoteUri =
    row.quoteUri ??
    (embed?.kind === 'record' || embed?.kind === 'recordWithMedia' ? stringOr(embed.uri, null) : null)

  return {
    uri: row.uri,
    bskyUrl: postUrl(row.uri) ?? `https://bsky.app/profile/${encodeURIComponent(row.authorDid)}`,
    author: presentAuthor(row.authorDid, row.handle, row.displayName, row.avatarCid, urls),
    text: row.text,
    facets: presentFacets(row.facets),
    images: media?.kind === 'images' ? presentImages(media.images, row.authorDid, urls) : [],
    external: media?.kind === 'external' ? presentExternal(media, row.authorDid, urls) : null,
    hasVideo: media?.kind === 'video',
    quote: quoteUri ? presentQuote(quoteUri, row, urls) : null,
    replyParent: row.replyParent ? presentParent(row.replyParent, row, urls) : null,
    createdAt: row.createdAt,
    likeCount: row.likeCount,
    repostCount: row.repostCount,
    feedContext,
    path: postPath(row.uri),
    market: presentMarketBadge(row),
  }
}

function presentAuthor(
  did: string,
  handle: string | null,
  displayName: string | null,
  avatarCid: string | null,
  urls: BlobUrlTemplates,
): FeedAuthorView {
  return {
    did,
    handle,
    displayName: displayName?.trim() || null,
    avatarUrl: blobUrl(urls.avatarUrlTemplate, did, avatarCid),
    profileUrl: profileUrl(did) ?? 'https://bsky.app',
  }
}

/**
 * The quoted post as the quote card shows it. Hydrated only when the row's join found it under this very URI (an
 * old row whose quote lives only in its embed is shown as a bare reference); an author Curia has not described yet
 * is shown by DID, as on the post's own card.
 */
function presentQuote(uri: string, row: HydratedPostRow, urls: BlobUrlTemplates): FeedQuoteView {
  const did = row.quotedAuthorDid
  if (uri !== row.quoteUri || did === null || row.quotedText === null || row.quotedCreatedAt === null)
    return { ...presentRef(uri), post: null }
  const embed = isObject(row.quotedEmbed) ? (row.quotedEmbed as PostEmbed) : null
  const media = embed?.kind === 'recordWithMedia' && isObject(embed.media) ? embed.media : embed
  return {
    uri,
    bskyUrl: postUrl(uri),
    author: presentAuthor(did, row.quotedHandle, row.quotedDisplayName, row.quotedAvatarCid, urls),
    post: {
      text: row.quotedText,
      createdAt: row.quotedCreatedAt,
      images: media?.kind === 'images' ? presentImages(media.images, did, urls) : [],
    },
  }
}

/** The post replied to, named by its author when Curia knows them (the post itself need not be indexed). */
function presentParent(uri: string, row: HydratedPostRow, urls: BlobUrlTemplates): FeedPostRef {
  const did = postAuthorDid(uri)
  const named = did !== null && (row.parentHandle !== null || row.parentDisplayName !== null)
  return {
    ...presentRef(uri),
    author: named
      ? presentAuthor(did, row.parentHandle, row.parentDisplayName, row.parentAvatarCid, urls)
      : null,
  }
}

/** The card's market line: the LMSR's YES price now and how many accounts have traded. */
export function presentMarketBadge(row: HydratedPostRow): MarketBadgeView | null {
  if (row.marketId === null || row.marketB === null || row.marketQYes === null || row.marketQNo === null)
    return null
  return {
    marketId: row.marketId,
    status: row.marketStatus ?? 'open',
    yesPrice: price(
      { b: BigInt(row.marketB), qYes: BigInt(row.marketQYes), qNo: BigInt(row.marketQNo) },
      'yes',
    ),
    traderCount: row.marketTraders ?? 0,
  }
}

/** Keeps facets of a known shape; their offsets are checked against the text where it is rendered. */
export function presentFacets(raw: unknown): RichTextFacet[] {
  if (!Array.isArray(raw)) return []
  return raw.filter((f): f is RichTextFacet => {
    if (!isObject(f) || typeof f.byteStart !== 'number' || typeof f.byteEnd !== 'number') return false
    return (
      (f.kind === 'link' && typeof f.uri === 'string') ||
      (f.kind === 'mention' && typeof f.did === 'string') ||
      (f.kind === 'tag' && typeof f.tag === 'string')
    )
  })
}

// The lexicon allows four images per post; a hostile record may carry more.
const MAX_IMAGES = 4

function presentImages(raw: unknown, did: string, urls: BlobUrlTemplates): FeedImageView[] {
  if (!Array.isArray(raw)) return []
  const images: FeedImageView[] = []
  for (const image of raw.slice(0, MAX_IMAGES)) {
    if (!isObject(image)) continue
    const url = blobUrl(urls.blobUrlTemplate, did, stringOr(image.cid, null))
    if (!url) continue
    images.push({
      url,
      alt: stringOr(image.alt, '').trim(),
      aspectRatio: presentAspectRatio(image.aspectRatio),
    })
  }
  return images
}

function presentAspectRatio(raw: unknown): FeedImageView['aspectRatio'] {
  if (!isObject(raw)) return null
  const { width, height } = raw
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height)) return null
  if ((width as number) <= 0 || (height as number) <= 0) return null
  return { width: width as number, height: height as number }
}

function presentExternal(
  raw: Record<string, unknown>,
  did: string,
  urls: BlobUrlTemplates,
): FeedExternalView {
  const href = safeHttpUrl(stringOr(raw.uri, ''))
  const domain = href ? new URL(href).hostname.replace(/^www\./, '') : null
  return {
    href,
    domain,
    title: stringOr(raw.title, '').trim(),
    description: stringOr(raw.description, '').trim(),
    thumbUrl: blobUrl(urls.blobUrlTemplate, did, stringOr(raw.thumbCid, null)),
  }
}

function presentRef(uri: string): FeedPostRef {
  return { uri, bskyUrl: postUrl(uri), author: null }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringOr<T>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' ? value : fallback
}
