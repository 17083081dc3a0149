/**
 * Answers any `/<did>/<cid>` with a generated SVG so seeded images render offline (colour and label derived from
 * the CID). For looking at the page only; the demo serves real blobs from its PDS.
 *
 *   npx tsx web/scripts/dev-blob-server.ts 4999
 */
import { createServer } from 'node:http'

const port = Number(process.argv[2] ?? 4999)
createServer((req, res) => {
  const cid = (req.url ?? '').split('/').pop() ?? ''
  let hash = 0
  for (const ch of cid) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0
  const hue = hash % 360
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800" viewBox="0 0 1200 800">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue} 60% 62%)"/><stop offset="1" stop-color="hsl(${(hue + 50) % 360} 55% 38%)"/></linearGradient></defs>
<rect width="1200" height="800" fill="url(#g)"/><circle cx="${300 + (hash % 600)}" cy="300" r="140" fill="hsl(${hue} 80% 85% / .55)"/>
<path d="M0 640 L300 460 L560 600 L820 420 L1200 640 V800 H0Z" fill="hsl(${(hue + 180) % 360} 30% 20% / .45)"/></svg>`
  res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=3600' })
  res.end(svg)
}).listen(port, '127.0.0.1', () => console.log(`dev blob server on http://127.0.0.1:${port}`))
