import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { artifactByName } from '../../../../../server/jury/artifacts'

/**
 * Semaphore's prover files for Curia's tree depth (`semaphore-20.wasm`, `semaphore-20.zkey`), streamed from the
 * installed package. Page URLs carry the version and hash, so the answer is immutable.
 */
export async function GET(request: Request, ctx: { params: Promise<{ name: string }> }): Promise<Response> {
  const { name } = await ctx.params
  const file = artifactByName(name)
  if (!file) return new Response('Not found', { status: 404, headers: { 'Cache-Control': 'no-store' } })
  const etag = `"${file.sha256}"`
  const headers = {
    'Cache-Control': 'public, max-age=31536000, immutable',
    ETag: etag,
    'Content-Type': file.kind === 'wasm' ? 'application/wasm' : 'application/octet-stream',
  }
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers })
  const stream = Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>
  return new Response(stream, { headers: { ...headers, 'Content-Length': String(file.bytes) } })
}
