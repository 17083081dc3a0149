/**
 * Curia's own page for a post: `/post/<did>/<rkey>`. DIDs and record keys use only characters that are literal in
 * a URL path (checked here), so the path needs no encoding and reads like the at-URI it stands for.
 */
const POST_URI =
  /^at:\/\/(did:[a-z]+:[A-Za-z0-9._:-]{1,2048})\/app\.bsky\.feed\.post\/([A-Za-z0-9._:~-]{1,512})$/

export function postPath(atUri: string): string | null {
  const m = POST_URI.exec(atUri)
  if (!m) return null
  return `/post/${m[1]}/${m[2]}`
}

export function postUriFromPath(did: string, rkey: string): string | null {
  const uri = `at://${did}/app.bsky.feed.post/${rkey}`
  return POST_URI.test(uri) ? uri : null
}

/**
 * The id of a post card's author link, which names the card (aria-labelledby): `post-<n>-author` for the n-th post
 * of a feed, else one made from the post's URI, so several cards on a page (a ballot, a round) each name their own
 * author. Every character but ASCII letters, digits and `-` is written as `_<hex>_`: the id has no space (which
 * would split aria-labelledby's list) and two URIs never share one.
 */
export function postHeadingId(uri: string, position?: number): string {
  if (position !== undefined) return `post-${position}-author`
  const safe = Array.from(uri, (c) => (/^[A-Za-z0-9-]$/.test(c) ? c : `_${c.codePointAt(0)!.toString(16)}_`))
  return `post-${safe.join('')}-author`
}
