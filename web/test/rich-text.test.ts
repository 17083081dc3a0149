import { describe, expect, it } from 'vitest'
import { segmentRichText, type RichTextFacet } from '../lib/rich-text'

const enc = new TextEncoder()
/** Byte range of the first occurrence of `needle` in `text`, computed the way a Bluesky client does. */
function bytesOf(text: string, needle: string): { byteStart: number; byteEnd: number } {
  const at = text.indexOf(needle)
  if (at < 0) throw new Error(`${needle} not in ${text}`)
  const byteStart = enc.encode(text.slice(0, at)).length
  return { byteStart, byteEnd: byteStart + enc.encode(needle).length }
}

describe('segmentRichText', () => {
  it('returns the whole text as one run when there are no facets', () => {
    expect(segmentRichText('hello world', [])).toEqual([{ kind: 'text', text: 'hello world' }])
    expect(segmentRichText('', [])).toEqual([])
  })

  it('slices by UTF-8 bytes, so a multi-byte emoji before a link does not shift it', () => {
    const text = '🦋🦋 café → see example.com/x now'
    const facet: RichTextFacet = {
      kind: 'link',
      uri: 'https://example.com/x',
      ...bytesOf(text, 'example.com/x'),
    }
    // The naive mistake (treating byte offsets as UTF-16 indices) would land 7 code units late.
    expect(text.slice(facet.byteStart, facet.byteEnd)).not.toBe('example.com/x')
    expect(segmentRichText(text, [facet])).toEqual([
      { kind: 'text', text: '🦋🦋 café → see ' },
      { kind: 'link', text: 'example.com/x', href: 'https://example.com/x' },
      { kind: 'text', text: ' now' },
    ])
  })

  it('links mentions to the profile by DID and tags to the hashtag page, in order regardless of input order', () => {
    const text = '#curia with @alice.test 👋'
    const segments = segmentRichText(text, [
      { kind: 'mention', did: 'did:plc:alice123', ...bytesOf(text, '@alice.test') },
      { kind: 'tag', tag: 'curia', ...bytesOf(text, '#curia') },
    ])
    expect(segments).toEqual([
      { kind: 'tag', text: '#curia', href: 'https://bsky.app/hashtag/curia' },
      { kind: 'text', text: ' with ' },
      { kind: 'mention', text: '@alice.test', href: 'https://bsky.app/profile/did:plc:alice123' },
      { kind: 'text', text: ' 👋' },
    ])
  })

  it('renders a javascript: (or any non-http) link facet as plain text', () => {
    const text = 'click me please'
    for (const uri of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>',
      'vbscript:x',
      '/relative',
    ]) {
      const segments = segmentRichText(text, [{ kind: 'link', uri, ...bytesOf(text, 'click me') }])
      expect(segments).toEqual([{ kind: 'text', text }])
    }
  })

  it('refuses a mention whose DID is not a DID', () => {
    const text = 'hi @bob'
    const segments = segmentRichText(text, [
      { kind: 'mention', did: 'javascript:alert(1)', ...bytesOf(text, '@bob') },
    ])
    expect(segments).toEqual([{ kind: 'text', text }])
  })

  it('ignores out-of-range, inverted, empty, fractional and non-numeric ranges without throwing', () => {
    const text = 'short ✓'
    const len = enc.encode(text).length
    const uri = 'https://example.com'
    const hostile: unknown[] = [
      { kind: 'link', uri, byteStart: 0, byteEnd: len + 1 },
      { kind: 'link', uri, byteStart: -1, byteEnd: 3 },
      { kind: 'link', uri, byteStart: 4, byteEnd: 2 },
      { kind: 'link', uri, byteStart: 3, byteEnd: 3 },
      { kind: 'link', uri, byteStart: 0.5, byteEnd: 3 },
      { kind: 'link', uri, byteStart: '0', byteEnd: '3' },
      { kind: 'link', uri, byteStart: 0, byteEnd: Number.POSITIVE_INFINITY },
      { kind: 'link', uri, byteStart: Number.NaN, byteEnd: 2 },
      { kind: 'bogus', uri, byteStart: 0, byteEnd: 2 },
      { kind: 'link', byteStart: 0, byteEnd: 2 },
      null,
      'link',
      42,
    ]
    expect(segmentRichText(text, hostile)).toEqual([{ kind: 'text', text }])
  })

  it('ignores a facet that would split a multi-byte character', () => {
    const text = 'a✓b' // ✓ is 3 bytes: offsets 1..4
    const segments = segmentRichText(text, [
      { kind: 'link', uri: 'https://x.test', byteStart: 2, byteEnd: 5 },
    ])
    expect(segments).toEqual([{ kind: 'text', text }])
  })

  it('keeps the earlier of two overlapping facets and drops the later one', () => {
    const text = 'one two three'
    const segments = segmentRichText(text, [
      { kind: 'link', uri: 'https://b.test', byteStart: 4, byteEnd: 13 }, // "two three"
      { kind: 'link', uri: 'https://a.test', byteStart: 0, byteEnd: 7 }, // "one two"
      { kind: 'link', uri: 'https://c.test', byteStart: 0, byteEnd: 7 }, // exact duplicate span
    ])
    expect(segments).toEqual([
      { kind: 'link', text: 'one two', href: 'https://a.test/' },
      { kind: 'text', text: ' three' },
    ])
  })

  it('never loses or duplicates text, whatever the facets', () => {
    const text = 'Ünïcödé 🧪 text with <script>alert(1)</script> & more 🎉'
    const len = enc.encode(text).length
    const facets: unknown[] = []
    for (let s = -2; s <= len + 2; s += 3) {
      for (let e = s - 1; e <= len + 3; e += 5)
        facets.push({ kind: 'link', uri: 'https://x.test', byteStart: s, byteEnd: e })
    }
    const segments = segmentRichText(text, facets)
    expect(segments.map((s) => s.text).join('')).toBe(text)
    expect(segments.length).toBeGreaterThan(1)
    for (const s of segments) if (s.kind !== 'text') expect(s.href).toBe('https://x.test/')
  })

  it('keeps markup in post text as text', () => {
    const text = '<img src=x onerror=alert(1)> <script>alert(2)</script>'
    expect(segmentRichText(text, [])).toEqual([{ kind: 'text', text }])
  })
})
