import { crc32, deflateSync } from 'node:zlib'

export type Rgb = readonly [number, number, number]

/**
 * A real PNG (8-bit RGB, no interlace) of a square filled with `color`, with a diagonal band of `accent` so
 * thumbnails are recognisable. Small enough (a few hundred bytes) to upload freely in tests.
 */
export function squarePng(sizePx: number, color: Rgb, accent: Rgb = [255, 255, 255]): Uint8Array {
  // Each scanline: filter byte 0 (None) followed by RGB triples.
  const raw = Buffer.alloc(sizePx * (1 + sizePx * 3))
  for (let y = 0; y < sizePx; y++) {
    const row = y * (1 + sizePx * 3)
    raw[row] = 0
    for (let x = 0; x < sizePx; x++) {
      const [r, g, b] = Math.abs(x - y) < sizePx / 8 ? accent : color
      raw.set([r, g, b], row + 1 + x * 3)
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(sizePx, 0)
  header.writeUInt32BE(sizePx, 4)
  header.set([8, 2, 0, 0, 0], 8) // bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(typeAndData))
  return Buffer.concat([length, typeAndData, crc])
}
