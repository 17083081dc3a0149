import { DEFAULT_CANDIDATE_POLICY, isCandidatePost, type CandidatePolicy } from '../candidate'
import type { PostEmbed, PostFacet, PostImage } from '@curia/db'
import {
  RECORD_LIMITS,
  blobCid,
  clampCreatedAt,
  cleanText,
  isObject,
  isPostUri,
  parseRecordUri,
  skip,
  validateClampedRecord,
  type JsonObject,
  type RecordContext,
} from './common'
import type { MapResult, PostRow } from './types'

export const POST_COLLECTION = 'app.bsky.feed.post'

/**
 * app.bsky.feed.post -> a post row. Pure.
 *
 * The candidate policy is checked first, on the raw record, because most of the network is not a candidate and
 * lexicon validation is the costliest step on the hot path; a create that is not a candidate is `filtered` without
 * being validated. An update is always mapped: it may touch a post that was added by hand.
 */
export function mapPostRecord(
  record: unknown,
  cid: string | undefined,
  operation: 'create' | 'update',
  ctx: RecordContext,
  policy: CandidatePolicy,
): MapResult {
  if (!isObject(record)) return skip('invalid_record', `${ctx.uri}: record is not an object`)
  if (typeof cid !== 'string' || cid.length === 0)
    return skip('malformed_frame', `${ctx.uri}: ${operation} without cid`)

  const langs = Array.isArray(record.langs)
    ? record.langs.filter((l): l is string => typeof l === 'string')
    : []
  const candidate = isCandidatePost(
    { authorDid: ctx.did, langs, isReply: record.reply !== undefined },
    policy,
  )
  if (!candidate && operation === 'create') return { kind: 'filtered' }

  // The claimed time is clamped before validation, so an absurd or malformed `createdAt` is corrected, not fatal
  // (and the lexicon check sees the canonical string: see validateRecord).
  const createdAt = clampCreatedAt(record.createdAt, ctx.eventTimeMs)
  const invalid = validateClampedRecord(POST_COLLECTION, record, createdAt.iso)
  if (invalid !== undefined) return skip('invalid_record', `${ctx.uri}: ${invalid}`)

  const text = cleanText(record.text as string)
  const facets = mapFacets(record.facets, Buffer.byteLength(text))
  if (facets === 'oversized')
    return skip('oversized_record', `${ctx.uri}: more than ${RECORD_LIMITS.facetFeatures} facet features`)
  const embed = record.embed === undefined ? null : mapEmbed(record.embed as JsonObject)
  if (embed === 'oversized') return skip('oversized_record', `${ctx.uri}: embed text or URI over the limits`)

  const reply = record.reply as { root: { uri: string }; parent: { uri: string } } | undefined
  const row: PostRow = {
    uri: ctx.uri,
    cid,
    authorDid: ctx.did,
    text,
    langs,
    facets,
    embed,
    replyRoot: reply ? reply.root.uri : null,
    replyParent: reply ? reply.parent.uri : null,
    quoteUri: quotedPostUri(embed),
    createdAt: createdAt.iso,
  }
  return { kind: 'op', op: { op: 'post_upsert', row, candidate } }
}

/**
 * Facets reduced to what Curia renders, one entry per feature, sorted by position. A facet whose byte range does
 * not fit the text is dropped (a renderer would slice garbage), not the whole post.
 */
function mapFacets(facets: unknown, textBytes: number): PostFacet[] | 'oversized' {
  if (!Array.isArray(facets)) return []
  const out: PostFacet[] = []
  let features = 0
  for (const facet of facets as { index: { byteStart: number; byteEnd: number }; features: JsonObject[] }[]) {
    const { byteStart, byteEnd } = facet.index
    features += facet.features.length
    if (features > RECORD_LIMITS.facetFeatures) return 'oversized'
    if (!(byteEnd > byteStart && byteEnd <= textBytes)) continue
    for (const feature of facet.features) {
      switch (feature.$type) {
        case 'app.bsky.richtext.facet#link': {
          const uri = feature.uri as string
          if (uri.length > RECORD_LIMITS.uriChars) return 'oversized'
          out.push({ kind: 'link', byteStart, byteEnd, uri: cleanText(uri) })
          break
        }
        case 'app.bsky.richtext.facet#mention':
          out.push({ kind: 'mention', byteStart, byteEnd, did: feature.did as string })
          break
        case 'app.bsky.richtext.facet#tag':
          out.push({ kind: 'tag', byteStart, byteEnd, tag: cleanText(feature.tag as string) })
          break
        // Other feature types (the union is open) are not rendered.
      }
    }
  }
  if (out.length > 1) out.sort((a, b) => a.byteStart - b.byteStart || a.byteEnd - b.byteEnd)
  return out
}

function mapImage(image: JsonObject): PostImage | 'oversized' {
  const alt = typeof image.alt === 'string' ? image.alt : ''
  if (alt.length > RECORD_LIMITS.altChars) return 'oversized'
  const out: PostImage = { cid: blobCid(image.image) ?? '', alt: cleanText(alt) }
  const ratio = image.aspectRatio
  if (isObject(ratio)) out.aspectRatio = { width: ratio.width as number, height: ratio.height as number }
  return out
}

function mapImages(items: JsonObject[]): PostEmbed | 'oversized' {
  const images: PostImage[] = []
  for (const item of items) {
    const image = mapImage(item)
    if (image === 'oversized') return 'oversized'
    images.push(image)
  }
  return { kind: 'images', images }
}

/** Embeds reduced to what Curia renders; an embed type it does not know (the union is open) becomes none. */
function mapEmbed(embed: JsonObject): PostEmbed | null | 'oversized' {
  switch (embed.$type) {
    case 'app.bsky.embed.images':
      return mapImages(embed.images as JsonObject[])
    case 'app.bsky.embed.gallery':
      // A gallery is more images (up to 20); its items are a union of which only `#image` exists today.
      return mapImages(
        (embed.items as JsonObject[]).filter((i) => i.$type === 'app.bsky.embed.gallery#image'),
      )
    case 'app.bsky.embed.video': {
      const alt = typeof embed.alt === 'string' ? embed.alt : ''
      if (alt.length > RECORD_LIMITS.altChars) return 'oversized'
      const video: PostEmbed = { kind: 'video', cid: blobCid(embed.video) ?? '', alt: cleanText(alt) }
      const ratio = embed.aspectRatio
      if (isObject(ratio))
        video.aspectRatio = { width: ratio.width as number, height: ratio.height as number }
      return video
    }
    case 'app.bsky.embed.external': {
      const external = embed.external as { uri: string; title: string; description: string; thumb?: unknown }
      if (
        external.uri.length > RECORD_LIMITS.uriChars ||
        external.title.length > RECORD_LIMITS.titleChars ||
        external.description.length > RECORD_LIMITS.descriptionChars
      ) {
        return 'oversized'
      }
      const out: PostEmbed = {
        kind: 'external',
        uri: cleanText(external.uri),
        title: cleanText(external.title),
        description: cleanText(external.description),
      }
      const thumbCid = blobCid(external.thumb)
      if (thumbCid !== undefined) out.thumbCid = thumbCid
      return out
    }
    case 'app.bsky.embed.record':
      return { kind: 'record', uri: (embed.record as { uri: string }).uri }
    case 'app.bsky.embed.recordWithMedia': {
      const uri = ((embed.record as JsonObject).record as { uri: string }).uri
      const media = mapEmbed(embed.media as JsonObject)
      if (media === 'oversized') return 'oversized'
      return media === null ? { kind: 'record', uri } : { kind: 'recordWithMedia', uri, media }
    }
    default:
      return null
  }
}

/** The quoted post, when the embed quotes a post (a record embed may also show a feed, a list or a starter pack). */
function quotedPostUri(embed: PostEmbed | null): string | null {
  if (embed === null) return null
  if ((embed.kind === 'record' || embed.kind === 'recordWithMedia') && isPostUri(embed.uri)) return embed.uri
  return null
}

const CID = /^[A-Za-z0-9]{8,128}$/

/**
 * A post record fetched on demand by its URI (a curator opens a market on a post the stream never brought) -> its
 * row, by the stream's own rules: lexicon validation, limits, cleaning, the clamped `createdAt`. It is mapped as an
 * update, so the candidate policy does not apply: a post a curator asked for is stored whatever the policy says.
 */
export function mapFetchedPost(
  input: { uri: string; cid: string; record: unknown },
  nowMs: number,
): { ok: true; row: PostRow } | { ok: false; detail: string } {
  const parts = parseRecordUri(input.uri)
  if (!parts || parts.collection !== POST_COLLECTION)
    return { ok: false, detail: `${input.uri}: not a post URI` }
  if (!CID.test(input.cid)) return { ok: false, detail: `${input.uri}: malformed cid` }
  const ctx: RecordContext = { did: parts.did, rkey: parts.rkey, uri: input.uri, eventTimeMs: nowMs }
  const result = mapPostRecord(input.record, input.cid, 'update', ctx, DEFAULT_CANDIDATE_POLICY)
  if (result.kind === 'op' && result.op.op === 'post_upsert') return { ok: true, row: result.op.row }
  return { ok: false, detail: result.kind === 'skip' ? result.detail : `${input.uri}: not mapped` }
}
