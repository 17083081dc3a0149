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
} from '../lib/feed-types'
import { isPriceSealed, type MarketBadgeView } from '../lib/market-types'
import { postPath } from '../lib/post-path'
import type { TradedPostChange } from '../lib/jury/types'
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
   * The post this one quotes (`quoted*`, from `quoteUri`) and the post it replies to (`parent*`, from
   * `replyParent`): each post's text, embed and time when it is indexed and live, and its author's profile when
   * indexed; every column null while the author's account is not active.
   */
  quotedText: string | null
  quotedEmbed: unknown
  /** ISO 8601 in UTC. */
  quotedCreatedAt: string | null
  quotedHandle: string | null
  quotedDisplayName: string | null
  quotedAvatarCid: string | null
  parentText: string | null
  parentEmbed: unknown
  /** ISO 8601 in UTC. */
  parentCreatedAt: string | null
  parentHandle: string | null
  parentDisplayName: string | null
  parentAvatarCid: string | null
  /** Hydrated as traded only: what the author has done since its market kept the copy shown, if anything. */
  tradedChange?: TradedPostChange | null
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
  const embed = asEmbed(row.embed)
  const media = mediaOf(embed)
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
    quote: quoteUri ? presentReference(quoteUri, row, 'quoted', urls) : null,
    replyParent: row.replyParent ? presentReference(row.replyParent, row, 'parent', urls) : null,
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
 * A post this one quotes or replies to, from the row's `quoted*` or `parent*` columns: its author named when Curia
 * knows them, the post itself when Curia has it (its author then shown by DID if not yet described, as on a post's
 * own card). A quote known only from an old row's embed (no `quoteUri` to join on) is a bare reference.
 */
function presentReference(
  uri: string,
  row: HydratedPostRow,
  which: 'quoted' | 'parent',
  urls: BlobUrlTemplates,
): FeedPostRef {
  const did = postAuthorDid(uri)
  const joined = which === 'parent' ? uri === row.replyParent : uri === row.quoteUri
  if (did === null || !joined) return presentRef(uri)
  const c =
    which === 'quoted'
      ? {
          text: row.quotedText,
          embed: row.quotedEmbed,
          createdAt: row.quotedCreatedAt,
          handle: row.quotedHandle,
          displayName: row.quotedDisplayName,
          avatarCid: row.quotedAvatarCid,
        }
      : {
          text: row.parentText,
          embed: row.parentEmbed,
          createdAt: row.parentCreatedAt,
          handle: row.parentHandle,
          displayName: row.parentDisplayName,
          avatarCid: row.parentAvatarCid,
        }
  const post = c.text !== null && c.createdAt !== null ? { text: c.text, createdAt: c.createdAt } : null
  const named = c.handle !== null || c.displayName !== null
  if (!post && !named) return presentRef(uri)
  const media = mediaOf(asEmbed(c.embed))
  return {
    uri,
    bskyUrl: postUrl(uri),
    author: presentAuthor(did, c.handle, c.displayName, c.avatarCid, urls),
    post: post && {
      ...post,
      images: media?.kind === 'images' ? presentImages(media.images, did, urls) : [],
    },
  }
}

/** The card's market line: the LMSR's YES price now (none while sealed) and how many accounts have traded. */
export function presentMarketBadge(row: HydratedPostRow): MarketBadgeView | null {
  if (row.marketId === null || row.marketB === null || row.marketQYes === null || row.marketQNo === null)
    return null
  const status = row.marketStatus ?? 'open'
  return {
    marketId: row.marketId,
    status,
    yesPrice: isPriceSealed(status)
      ? null
      : price({ b: BigInt(row.marketB), qYes: BigInt(row.marketQYes), qNo: BigInt(row.marketQNo) }, 'yes'),
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

function asEmbed(raw: unknown): PostEmbed | null {
  return isObject(raw) ? (raw as PostEmbed) : null
}

/** A post's own media: its embed, or the media half of a record-with-media embed. */
function mediaOf(embed: PostEmbed | null): PostEmbed | Record<string, unknown> | null {
  return embed?.kind === 'recordWithMedia' && isObject(embed.media) ? embed.media : embed
}

function presentRef(uri: string): FeedPostRef {
  return { uri, bskyUrl: postUrl(uri), author: null, post: null }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringOr<T>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' ? value : fallback
}
