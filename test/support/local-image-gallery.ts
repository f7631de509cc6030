/**
 * A small local-image gallery for tests: real PNG files (drawn here, a few hundred bytes each, so
 * browsers decode them) and a JSONL gallery naming them by `path`, beside rows that cover the
 * other cases: an image with its own web url, a path whose file is gone, a path to a text file.
 * The captions are those of `test/fixtures/http-gallery.jsonl`, so the fake embedder ranks them.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { deflateSync } from 'node:zlib'

const CRC_TABLE = Array.from({ length: 256 }, (_, value) => {
  let crc = value
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1
  return crc >>> 0
})

const crc32 = (bytes: Uint8Array): number => {
  let crc = 0xffffffff
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

const chunk = (type: string, data: Buffer): Buffer => {
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(typed))
  return Buffer.concat([length, typed, crc])
}

/** An RGB PNG of `width` x `height`: a diagonal blend from `from` to `to`. */
export const drawPng = (width: number, height: number, from: [number, number, number], to: [number, number, number]): Buffer => {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit depth, truecolour, deflate, no filter method, no interlace
  const rows: number[] = []
  for (let y = 0; y < height; y++) {
    rows.push(0) // filter type: none
    for (let x = 0; x < width; x++) {
      const share = (x + y) / (width + height - 2)
      for (let channel = 0; channel < 3; channel++) rows.push(Math.round((from[channel] as number) * (1 - share) + (to[channel] as number) * share))
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

export interface LocalImageGallery {
  /** The JSONL gallery to configure as an index path. */
  gallery: string
  /** The PNG files by record id. */
  files: Record<'turtle' | 'dog' | 'cake', string>
}

/** Writes the images and `gallery.jsonl` under `directory` (paths in the gallery are relative to it, as users write them). */
export const writeLocalImageGallery = (directory: string): LocalImageGallery => {
  const images = path.join(directory, 'images')
  mkdirSync(images, { recursive: true })
  const files = {
    turtle: path.join(images, 'turtle.png'),
    dog: path.join(images, 'dog.png'),
    cake: path.join(images, 'cake.png'),
  }
  writeFileSync(files.turtle, drawPng(96, 64, [20, 110, 160], [120, 210, 200]))
  writeFileSync(files.dog, drawPng(96, 64, [190, 140, 60], [90, 160, 70]))
  writeFileSync(files.cake, drawPng(96, 64, [90, 50, 30], [240, 200, 160]))
  writeFileSync(path.join(images, 'notes.png'), 'not an image, whatever its name says\n')
  const rows = [
    { id: 'turtle', path: 'images/turtle.png', caption: 'a sea turtle swimming in clear water' },
    { id: 'dog', path: 'images/dog.png', caption: 'a golden retriever playing fetch in a park' },
    { id: 'cake', path: files.cake, caption: 'a chocolate birthday cake with candles' },
    { id: 'kite', url: 'https://images.example.org/kite.jpg', caption: 'a red kite flying over a windy beach' },
    { id: 'gone', path: 'images/gone.png', caption: 'a lighthouse at dusk' },
    { id: 'notes', path: 'images/notes.png', caption: 'handwritten notes on lined paper' },
  ]
  const gallery = path.join(directory, 'gallery.jsonl')
  writeFileSync(gallery, rows.map((row) => JSON.stringify(row)).join('\n') + '\n')
  return { gallery, files }
}
