import type { PostEmbed, PostFacet, PostImage } from '@curia/db'

/**
 * An `app.bsky.feed.post` record fetched on demand (a curator opens a market on a post Curia has not indexed) ->
 * the columns the reader renders. The indexer's `mapPostRecord` (indexer/src/records/post.ts) is the full mapper
 * with lexicon validation; the web app may not import the indexer, so this is the reduced form: every field is
 * type-checked and anything unexpected is dropped rather than trusted. Pure.
 *
 * TODO(indexer owner): move the indexer's pure mapper under @curia/curation so both use one.
 */

export interface FetchedPostRow {
  uri: string
  cid: string
  authorDid: string
  text: string
  langs: string[]
  facets: PostFacet[]
  embed: PostEmbed | null
  replyRoot: string | null
  replyParent: string | null
  quoteUri: string | null
  /** ISO 8601; a claimed time in the future (or absurd) is replaced by `nowMs`. */
  createdAt: string
}

const LIMITS = { textChars: 30_000, facets: 300, altChars: 10_000, uriChars: 8_192, titleChars: 3_000 }
const POST_URI = /^at:\/\/did:[a-z]+:[A-Za-z0-9._:%-]+\/app\.bsky\.feed\.post\/[A-Za-z0-9._:~-]{1,512}$/
const CID = /^[A-Za-z0-9]{8,128}$/
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

export function postRowFromRecord(
  input: { uri: string; cid: string; authorDid: string; record: unknown },
  nowMs: number,
): FetchedPostRow | null {
  const r = input.record
  if (!isObject(r) || r.$type !== 'app.bsky.feed.post' || typeof r.text !== 'string') return null
  if (!CID.test(input.cid)) return null
  const text = clean(r.text.slice(0, LIMITS.textChars))
  const embed = mapEmbed(r.embed, 0)
  const reply = isObject(r.reply) ? r.reply : null
  return {
    uri: input.uri,
    cid: input.cid,
    authorDid: input.authorDid,
    text,
    langs: Array.isArray(r.langs)
      ? r.langs.filter((l): l is string => typeof l === 'string').slice(0, 3)
      : [],
    facets: mapFacets(r.facets, Buffer.byteLength(text)),
    embed,
    replyRoot: refUri(reply?.root),
    replyParent: refUri(reply?.parent),
    quoteUri:
      embed && (embed.kind === 'record' || embed.kind === 'recordWithMedia') && POST_URI.test(embed.uri)
        ? embed.uri
        : null,
    createdAt: clampCreatedAt(r.createdAt, nowMs),
  }
}

function clampCreatedAt(claimed: unknown, nowMs: number): string {
  if (typeof claimed === 'string' && RFC3339.test(claimed)) {
    const ms = Date.parse(claimed)
    if (Number.isFinite(ms) && ms >= 0 && ms <= nowMs) return new Date(ms).toISOString()
  }
  return new Date(nowMs).toISOString()
}

function mapFacets(raw: unknown, textBytes: number): PostFacet[] {
  if (!Array.isArray(raw)) return []
  const out: PostFacet[] = []
  for (const facet of raw.slice(0, LIMITS.facets)) {
    if (!isObject(facet) || !isObject(facet.index) || !Array.isArray(facet.features)) continue
    const { byteStart, byteEnd } = facet.index
    if (!Number.isSafeInteger(byteStart) || !Number.isSafeInteger(byteEnd)) continue
    const start = byteStart as number
    const end = byteEnd as number
    if (!(start >= 0 && end > start && end <= textBytes)) continue
    for (const f of facet.features) {
      if (!isObject(f)) continue
      if (
        f.$type === 'app.bsky.richtext.facet#link' &&
        typeof f.uri === 'string' &&
        f.uri.length <= LIMITS.uriChars
      )
        out.push({ kind: 'link', byteStart: start, byteEnd: end, uri: clean(f.uri) })
      else if (f.$type === 'app.bsky.richtext.facet#mention' && typeof f.did === 'string')
        out.push({ kind: 'mention', byteStart: start, byteEnd: end, did: f.did })
      else if (f.$type === 'app.bsky.richtext.facet#tag' && typeof f.tag === 'string')
        out.push({ kind: 'tag', byteStart: start, byteEnd: end, tag: clean(f.tag) })
    }
  }
  return out.sort((a, b) => a.byteStart - b.byteStart || a.byteEnd - b.byteEnd)
}

function mapEmbed(raw: unknown, depth: number): PostEmbed | null {
  if (!isObject(raw) || depth > 1) return null
  switch (raw.$type) {
    case 'app.bsky.embed.images': {
      if (!Array.isArray(raw.images)) return null
      const images = raw.images.slice(0, 4).flatMap((i): PostImage[] => {
        if (!isObject(i)) return []
        const cid = blobCid(i.image)
        if (!cid) return []
        const image: PostImage = {
          cid,
          alt: typeof i.alt === 'string' ? clean(i.alt.slice(0, LIMITS.altChars)) : '',
        }
        const ratio = aspectRatio(i.aspectRatio)
        if (ratio) image.aspectRatio = ratio
        return [image]
      })
      return { kind: 'images', images }
    }
    case 'app.bsky.embed.external': {
      const e = raw.external
      if (!isObject(e) || typeof e.uri !== 'string' || e.uri.length > LIMITS.uriChars) return null
      const out: PostEmbed = {
        kind: 'external',
        uri: clean(e.uri),
        title: typeof e.title === 'string' ? clean(e.title.slice(0, LIMITS.titleChars)) : '',
        description:
          typeof e.description === 'string' ? clean(e.description.slice(0, LIMITS.titleChars)) : '',
      }
      const thumb = blobCid(e.thumb)
      if (thumb) out.thumbCid = thumb
      return out
    }
    case 'app.bsky.embed.video': {
      const cid = blobCid(raw.video)
      if (!cid) return null
      const out: PostEmbed = {
        kind: 'video',
        cid,
        alt: typeof raw.alt === 'string' ? clean(raw.alt.slice(0, LIMITS.altChars)) : '',
      }
      const ratio = aspectRatio(raw.aspectRatio)
      if (ratio) out.aspectRatio = ratio
      return out
    }
    case 'app.bsky.embed.record': {
      const uri = refUri(raw.record)
      return uri ? { kind: 'record', uri } : null
    }
    case 'app.bsky.embed.recordWithMedia': {
      const uri = isObject(raw.record) ? refUri(raw.record.record) : null
      if (!uri) return null
      const media = mapEmbed(raw.media, depth + 1)
      return media ? { kind: 'recordWithMedia', uri, media } : { kind: 'record', uri }
    }
    default:
      return null
  }
}

function refUri(ref: unknown): string | null {
  return isObject(ref) && typeof ref.uri === 'string' && ref.uri.startsWith('at://') && ref.uri.length <= 8192
    ? ref.uri
    : null
}

/** A blob in its JSON form: `{ $type: 'blob', ref: { $link: cid }, ... }` (or the legacy `{ cid }`). */
function blobCid(blob: unknown): string | null {
  if (!isObject(blob)) return null
  const cid = isObject(blob.ref) && typeof blob.ref.$link === 'string' ? blob.ref.$link : blob.cid
  return typeof cid === 'string' && CID.test(cid) ? cid : null
}

function aspectRatio(raw: unknown): { width: number; height: number } | null {
  if (!isObject(raw) || !Number.isSafeInteger(raw.width) || !Number.isSafeInteger(raw.height)) return null
  const width = raw.width as number
  const height = raw.height as number
  return width > 0 && height > 0 ? { width, height } : null
}

/** NUL cannot be stored in Postgres text; lone surrogates cannot be stored in jsonb. */
function clean(value: string): string {
  const out = value.replaceAll('\u0000', ' ')
  return (out as unknown as { toWellFormed(): string }).toWellFormed()
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
