/**
 * Building links from untrusted record fields. Every function returns null rather than a URL it cannot vouch
 * for, so a caller's only choice is to render a link that is known to be http(s) or to render plain text.
 */

// did:<method>:<id> per the atproto DID syntax; the character set is also safe to place in a URL path unencoded.
const DID = /^did:[a-z]+:[A-Za-z0-9._:%-]{1,2048}$/
// A record key (atproto syntax): the same property holds.
const RKEY = /^[A-Za-z0-9._:~-]{1,512}$/
const POST_URI = /^at:\/\/([^/]+)\/app\.bsky\.feed\.post\/([^/]+)$/

export function isDid(value: string): boolean {
  return DID.test(value) && !value.endsWith(':') && !value.endsWith('%')
}

/** The absolute http(s) URL `raw` names, or null (`javascript:`, `data:`, relative or malformed URLs). */
export function safeHttpUrl(raw: string): string | null {
  if (raw.length > 8192) return null
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return null
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null
}

export function profileUrl(did: string): string | null {
  return isDid(did) ? `https://bsky.app/profile/${did}` : null
}

/** `at://<did>/app.bsky.feed.post/<rkey>` -> `https://bsky.app/profile/<did>/post/<rkey>`, or null. */
export function postUrl(atUri: string): string | null {
  const match = POST_URI.exec(atUri)
  if (!match) return null
  const [, did = '', rkey = ''] = match
  return isDid(did) && RKEY.test(rkey) ? `https://bsky.app/profile/${did}/post/${rkey}` : null
}

/** The author DID of `at://<did>/app.bsky.feed.post/<rkey>`, or null when `atUri` is no such URI. */
export function postAuthorDid(atUri: string): string | null {
  const did = POST_URI.exec(atUri)?.[1]
  return did !== undefined && isDid(did) ? did : null
}

export function hashtagUrl(tag: string): string | null {
  // Tags are at most 64 graphemes in the lexicon; 640 bytes is its byte bound. Whitespace means a malformed facet.
  if (tag.length === 0 || tag.length > 640 || /\s/.test(tag)) return null
  return `https://bsky.app/hashtag/${encodeURIComponent(tag.replace(/^#/, ''))}`
}
