/**
 * Small, valid image files made in memory for tests: PNGs drawn with node:zlib (a few hundred
 * bytes) that carry their subject in a `tEXt` chunk named `label`, which the fake upstream reads
 * to place the picture near the words naming it (see `fakeImageEmbedding`). JPEG, GIF and WebP
 * come as their smallest recognisable headers: the builder only sniffs their magic bytes.
 */
import { createHash } from 'node:crypto'
import { deflateSync } from 'node:zlib'

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

const crc32 = (bytes: Buffer): number => {
  let crc = 0xffffffff
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

const chunk = (type: string, data: Buffer): Buffer => {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/**
 * A `size` x `size` RGB PNG whose pixels come from `seed` (different seeds, different bytes) and
 * whose `label` tEXt chunk names what it "shows".
 */
export const tinyPng = (label: string, seed = label, size = 16): Buffer => {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8 // bit depth
  header[9] = 2 // RGB
  const noise = createHash('sha256').update(seed).digest()
  const rows: Buffer[] = []
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3)
    for (let x = 0; x < size * 3; x++) row[1 + x] = (noise[(x + y) % noise.length] as number) ^ (x * y)
    rows.push(row)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('tEXt', Buffer.concat([Buffer.from('label', 'latin1'), Buffer.from([0]), Buffer.from(label, 'latin1')])),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** The first bytes of a JPEG, GIF or WebP file plus some filler: enough for magic-byte sniffing. */
export const tinyJpeg = (seed = 'jpeg'): Buffer => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), createHash('sha256').update(seed).digest(), Buffer.from([0xff, 0xd9])])
export const tinyGif = (seed = 'gif'): Buffer => Buffer.concat([Buffer.from('GIF89a', 'latin1'), createHash('sha256').update(seed).digest(), Buffer.from([0x3b])])
export const tinyWebp = (seed = 'webp'): Buffer => {
  const body = Buffer.concat([Buffer.from('WEBPVP8 ', 'latin1'), createHash('sha256').update(seed).digest()])
  const size = Buffer.alloc(4)
  size.writeUInt32LE(body.length)
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), size, body])
}
