import { hashtagUrl, profileUrl, safeHttpUrl } from './bsky-urls'

/** A facet as the indexer stores it: a span of the post's UTF-8 bytes and what it points to. */
export type RichTextFacet =
  | { kind: 'link'; byteStart: number; byteEnd: number; uri: string }
  | { kind: 'mention'; byteStart: number; byteEnd: number; did: string }
  | { kind: 'tag'; byteStart: number; byteEnd: number; tag: string }

export type RichTextSegment =
  { kind: 'text'; text: string } | { kind: 'link' | 'mention' | 'tag'; text: string; href: string }

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * Splits post text into plain and linked runs.
 *
 * Facets index UTF-8 bytes (the atproto rich-text model), not UTF-16 code units: slicing the JS string at those
 * offsets shifts every link after an emoji or an accented letter. So the text is encoded once and sliced as bytes.
 *
 * Facets come from records anyone can write. One that is out of range, inverted, not on a character boundary,
 * overlapping an earlier one, or pointing at something other than an http(s) URL / a DID / a tag is dropped and
 * its span stays plain text: never an error, never a `javascript:` link.
 */
export function segmentRichText(text: string, facets: readonly unknown[]): RichTextSegment[] {
  const bytes = encoder.encode(text)
  const spans = facets
    .map((facet) => toSpan(facet, bytes))
    .filter((span): span is Span => span !== null)
    .sort((a, b) => a.start - b.start || a.end - b.end)

  const segments: RichTextSegment[] = []
  let cursor = 0
  for (const span of spans) {
    if (span.start < cursor) continue // overlaps a span already taken: the earlier one wins
    if (span.start > cursor)
      segments.push({ kind: 'text', text: decoder.decode(bytes.subarray(cursor, span.start)) })
    segments.push({
      kind: span.kind,
      text: decoder.decode(bytes.subarray(span.start, span.end)),
      href: span.href,
    })
    cursor = span.end
  }
  if (cursor < bytes.length) segments.push({ kind: 'text', text: decoder.decode(bytes.subarray(cursor)) })
  return segments
}

interface Span {
  kind: 'link' | 'mention' | 'tag'
  start: number
  end: number
  href: string
}

function toSpan(facet: unknown, bytes: Uint8Array): Span | null {
  if (typeof facet !== 'object' || facet === null) return null
  const f = facet as Record<string, unknown>
  const start = f.byteStart
  const end = f.byteEnd
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return null
  const s = start as number
  const e = end as number
  if (s < 0 || e <= s || e > bytes.length) return null
  if (!isCharBoundary(bytes, s) || !isCharBoundary(bytes, e)) return null

  let href: string | null = null
  if (f.kind === 'link' && typeof f.uri === 'string') href = safeHttpUrl(f.uri)
  else if (f.kind === 'mention' && typeof f.did === 'string') href = profileUrl(f.did)
  else if (f.kind === 'tag' && typeof f.tag === 'string') href = hashtagUrl(f.tag)
  if (href === null) return null
  return { kind: f.kind as Span['kind'], start: s, end: e, href }
}

/** A UTF-8 continuation byte is 0b10xxxxxx; an offset landing on one would split a character in two. */
function isCharBoundary(bytes: Uint8Array, offset: number): boolean {
  return offset === bytes.length || ((bytes[offset] ?? 0) & 0xc0) !== 0x80
}
