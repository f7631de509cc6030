/**
 * Vectors of gallery captions kept on disk between starts, so a JSONL gallery served with a remote
 * embedder is embedded once, not at every start (about 8 s for 500 captions against a real API).
 *
 * One file per (embedder, captions) pair, named by a SHA-256 over the embedder's identity (id,
 * provider and what decides its vectors: base URL, upstream model, dimension) and every caption in
 * order, so a changed caption, another model behind the same id, or another gallery never reads
 * stale vectors. A file that does not match what was asked (wrong size, magic, count) is ignored
 * and rewritten. Writes go to a temporary file renamed into place, so a crash never leaves half a
 * file; a cache that cannot be read or written only costs the embedding, never the start.
 */
import { createHash, randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { EmbeddingModel } from '../providers/provider.js'

const MAGIC = 0x56425244 // "DRBV" little-endian
const FORMAT_VERSION = 1
const HEADER_BYTES = 16

/** The cache file for `captions` embedded by `embedder`, under `directory`. */
export const captionVectorsFile = (directory: string, embedder: Pick<EmbeddingModel, 'id' | 'provider' | 'fingerprint'>, captions: readonly string[]): string => {
  const hash = createHash('sha256')
  hash.update(`driber-caption-vectors\u0000${FORMAT_VERSION}\u0000${embedder.provider}\u0000${embedder.id}\u0000${embedder.fingerprint ?? ''}\u0000`)
  for (const caption of captions) hash.update(`${Buffer.byteLength(caption)}:`).update(caption)
  return path.join(directory, 'caption-vectors', `${hash.digest('hex')}.f32`)
}

/** The cached vectors, one per caption, or undefined when there is no usable file. */
export const readCaptionVectors = (file: string, count: number): Float32Array[] | undefined => {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch {
    return undefined
  }
  if (bytes.length < HEADER_BYTES) return undefined
  const magic = bytes.readUInt32LE(0)
  const version = bytes.readUInt32LE(4)
  const rows = bytes.readUInt32LE(8)
  const dimension = bytes.readUInt32LE(12)
  if (magic !== MAGIC || version !== FORMAT_VERSION || rows !== count || dimension === 0 || bytes.length !== HEADER_BYTES + rows * dimension * 4) return undefined
  // A copy into an aligned buffer: the file's bytes may sit at any offset of Node's pool.
  const all = new Float32Array(rows * dimension)
  new Uint8Array(all.buffer).set(bytes.subarray(HEADER_BYTES))
  return Array.from({ length: rows }, (_, row) => all.subarray(row * dimension, (row + 1) * dimension))
}

/** Writes the vectors atomically; returns the error instead of throwing (the cache is an optimisation). */
export const writeCaptionVectors = (file: string, vectors: readonly Float32Array[]): Error | undefined => {
  const dimension = vectors[0]?.length ?? 0
  if (dimension === 0 || vectors.some((vector) => vector.length !== dimension)) return new Error('vectors of unequal or zero dimension are not cached')
  const bytes = Buffer.alloc(HEADER_BYTES + vectors.length * dimension * 4)
  bytes.writeUInt32LE(MAGIC, 0)
  bytes.writeUInt32LE(FORMAT_VERSION, 4)
  bytes.writeUInt32LE(vectors.length, 8)
  bytes.writeUInt32LE(dimension, 12)
  vectors.forEach((vector, row) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).copy(bytes, HEADER_BYTES + row * dimension * 4))
  const temporary = `${file}.${randomUUID()}.tmp`
  try {
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(temporary, bytes)
    renameSync(temporary, file)
    return undefined
  } catch (error) {
    try {
      rmSync(temporary, { force: true })
    } catch {
      // The directory itself is unusable: there is no temporary file to remove.
    }
    return error instanceof Error ? error : new Error(String(error))
  }
}
