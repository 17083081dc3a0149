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
