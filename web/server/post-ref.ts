/**
 * What a curator may paste into "Open a market": a bsky.app post URL or an at-URI, naming the author by handle or
 * DID. Pure: a handle still has to be resolved to a DID before the post's at-URI exists. An account alone (a handle
 * or a DID, as sign-in and the operator's allowlist take it) is read by curation's parseAccountRef.
 */
import { parseAccountRef } from '@curia/curation/records/identity'

export type PostRef = { repo: { kind: 'did' | 'handle'; value: string }; rkey: string }

const RKEY = /^[A-Za-z0-9._:~-]{1,512}$/
const BSKY_HOSTS = new Set(['bsky.app', 'www.bsky.app', 'staging.bsky.app'])

/** The author (DID or handle, lower-cased) and record key a pasted link names, or a sentence saying why not. */
export function parsePostRef(input: unknown): { ok: true; ref: PostRef } | { ok: false; message: string } {
  const text = typeof input === 'string' ? input.trim() : ''
  if (text === '') return { ok: false, message: 'Paste a link to a Bluesky post.' }
  if (text.length > 3000) return { ok: false, message: 'That is too long to be a link to a post.' }

  let repo: string | undefined
  let rkey: string | undefined
  if (text.startsWith('at://')) {
    const m = /^at:\/\/([^/?#]+)\/app\.bsky\.feed\.post\/([^/?#]+)$/.exec(text)
    if (!m)
      return {
        ok: false,
        message: 'An at-URI of a post looks like at://<handle or DID>/app.bsky.feed.post/<id>.',
      }
    repo = m[1]
    rkey = m[2]
  } else {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      return { ok: false, message: 'Paste a post link like https://bsky.app/profile/<handle>/post/<id>.' }
    }
    if (url.protocol !== 'https:' || !BSKY_HOSTS.has(url.hostname)) {
      return { ok: false, message: 'Only bsky.app post links (or at:// URIs) can be opened.' }
    }
    const m = /^\/profile\/([^/]+)\/post\/([^/]+)\/?$/.exec(url.pathname)
    if (!m) return { ok: false, message: 'That bsky.app link is not a post (…/profile/<handle>/post/<id>).' }
    repo = safeDecode(m[1]!)
    rkey = m[2]
  }
  if (!rkey || !RKEY.test(rkey)) return { ok: false, message: 'The post id in that link is not valid.' }
  const author = parseAccountRef(repo)
  if (author.ok) return { ok: true, ref: { repo: author.ref, rkey } }
  return { ok: false, message: 'The author in that link is neither a handle nor a DID.' }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
