/**
 * The on-disk index format written by `driber index build` and read at start:
 *
 *   manifest.json    format version, embedder id, dimension, count, sha256 and size of each data file
 *   vectors.f32      little-endian Float32, count x dimension, unit length, row i = metadata line i
 *   metadata.jsonl   one `{id, url, caption, labels, path?}` per line (`path`: a local image file)
 *   hnsw.bin         optional hnswlib graph over the same rows (labels = row positions)
 *   caption-vectors.f32  optional (image indexes): the captions' text vectors, row i = metadata
 *                    line i, all zeros for an image without a caption
 *
 * `modality` in the manifest says what `vectors.f32` holds: `text` (captions; the default, and
 * what a manifest without the field means) or `image` (the pictures themselves).
 *
 * The manifest is written last (atomically, by rename), so a directory with a manifest is
 * complete. Loading checks sizes always and checksums by default: a truncated or altered file
 * fails at start with INDEX_CORRUPT instead of returning wrong images (or crashing the native
 * HNSW reader) later.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { endianness } from 'node:os'
import path from 'node:path'
import { DriberError } from '../errors.js'
import type { ImageRecord } from './vector-store.js'

export const INDEX_FORMAT = 'driber-image-index'
export const INDEX_FORMAT_VERSION = 1
export const MANIFEST_FILE = 'manifest.json'
export const VECTORS_FILE = 'vectors.f32'
export const METADATA_FILE = 'metadata.jsonl'
export const HNSW_FILE = 'hnsw.bin'
export const CAPTION_VECTORS_FILE = 'caption-vectors.f32'

/** What the rows of `vectors.f32` are embeddings of. */
export type IndexModality = 'text' | 'image'

export interface FileEntry {
  bytes: number
  sha256: string
}

export interface IndexManifest {
  format: typeof INDEX_FORMAT
  formatVersion: number
  embedder: string
  dimension: number
  count: number
  metric: 'cosine'
  /** Absent in indexes built before images: `text`. */
  modality?: IndexModality
  createdAt: string
  files: Record<string, FileEntry>
  /** Present when `hnsw.bin` was written: the parameters it was built with. */
  hnsw?: { m: number; efConstruction: number; seed: number }
  /** What the builder read and dropped, for the operator's benefit. */
  source?: { file: string; sha256: string; records: number; duplicateUrls: number; duplicateVectors: number }
  /** Image builds: what was read, and how many images were skipped for each reason. */
  images?: { input: string; kind: 'folder' | 'list'; sources: number; skipped: Record<string, number> }
}

export interface LoadedIndexDirectory {
  directory: string
  manifest: IndexManifest
  vectors: Float32Array
  records: ImageRecord[]
  /** Path of a verified `hnsw.bin`, when the directory has one. */
  hnswFile?: string
  /** Image indexes with captions: caption text vectors, row-aligned with `vectors` (zero rows: no caption). */
  captionVectors?: Float32Array
}

/** An index's modality, reading the manifests written before the field existed as `text`. */
export const manifestModality = (manifest: Pick<IndexManifest, 'modality'>): IndexModality => manifest.modality ?? 'text'

/** Reads only `manifest.json`'s modality and embedder (start-up checks), or undefined when `directory` has no readable manifest. */
export const peekManifest = (directory: string): Pick<IndexManifest, 'embedder' | 'modality'> | undefined => {
  try {
    const value = JSON.parse(readFileSync(path.join(directory, MANIFEST_FILE), 'utf8')) as Partial<IndexManifest>
    return typeof value.embedder === 'string' ? { embedder: value.embedder, ...(value.modality === undefined ? {} : { modality: value.modality }) } : undefined
  } catch {
    return undefined
  }
}

export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

/** Whether `location` is an index directory (has a manifest) rather than a JSONL gallery. */
export const isIndexDirectory = (location: string): boolean => {
  try {
    return statSync(location).isDirectory()
  } catch {
    return false
  }
}

/** Float32 rows as little-endian bytes, whatever this machine's byte order. */
export const vectorsToBytes = (vectors: Float32Array): Buffer => {
  if (endianness() === 'LE') return Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength)
  const bytes = Buffer.alloc(vectors.byteLength)
  for (let index = 0; index < vectors.length; index++) bytes.writeFloatLE(vectors[index] as number, index * 4)
  return bytes
}

/** Little-endian bytes as a Float32Array (copied when unaligned or on a big-endian machine). */
export const bytesToVectors = (bytes: Buffer): Float32Array => {
  const count = bytes.byteLength / 4
  if (endianness() === 'LE' && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, count)
  const vectors = new Float32Array(count)
  for (let index = 0; index < count; index++) vectors[index] = bytes.readFloatLE(index * 4)
  return vectors
}

export const metadataToJsonl = (records: ImageRecord[]): string =>
  records
    .map((record) => JSON.stringify({ id: record.id, url: record.url, caption: record.caption, labels: record.labels, ...(record.path === undefined ? {} : { path: record.path }) }))
    .join('\n') + (records.length > 0 ? '\n' : '')

/** Writes a file via a temporary name and rename, so readers never see half of it. */
export const writeFileAtomic = (file: string, data: string | Uint8Array): void => {
  const temporary = `${file}.tmp-${process.pid}`
  writeFileSync(temporary, data)
  renameSync(temporary, file)
}

export interface WriteIndexOptions {
  embedder: string
  dimension: number
  vectors: Float32Array
  records: ImageRecord[]
  /** Already written `hnsw.bin` in the directory, and its parameters. */
  hnsw?: { m: number; efConstruction: number; seed: number }
  source?: IndexManifest['source']
  images?: IndexManifest['images']
  /** Default `text`. */
  modality?: IndexModality
  /** Image indexes: caption vectors row-aligned with `vectors` (zero rows for images without a caption). */
  captionVectors?: Float32Array
  now?: () => Date
}

/** Writes vectors and metadata, then the manifest that vouches for them (and for `hnsw.bin` if given). */
export const writeIndexDirectory = (directory: string, options: WriteIndexOptions): IndexManifest => {
  const vectorBytes = vectorsToBytes(options.vectors)
  const metadataBytes = Buffer.from(metadataToJsonl(options.records), 'utf8')
  writeFileAtomic(path.join(directory, VECTORS_FILE), vectorBytes)
  writeFileAtomic(path.join(directory, METADATA_FILE), metadataBytes)
  const files: Record<string, FileEntry> = {
    [VECTORS_FILE]: { bytes: vectorBytes.byteLength, sha256: sha256(vectorBytes) },
    [METADATA_FILE]: { bytes: metadataBytes.byteLength, sha256: sha256(metadataBytes) },
  }
  if (options.captionVectors !== undefined) {
    const captionBytes = vectorsToBytes(options.captionVectors)
    writeFileAtomic(path.join(directory, CAPTION_VECTORS_FILE), captionBytes)
    files[CAPTION_VECTORS_FILE] = { bytes: captionBytes.byteLength, sha256: sha256(captionBytes) }
  }
  if (options.hnsw !== undefined) {
    const graph = readFileSync(path.join(directory, HNSW_FILE))
    files[HNSW_FILE] = { bytes: graph.byteLength, sha256: sha256(graph) }
  }
  const manifest: IndexManifest = {
    format: INDEX_FORMAT,
    formatVersion: INDEX_FORMAT_VERSION,
    embedder: options.embedder,
    dimension: options.dimension,
    count: options.records.length,
    metric: 'cosine',
    ...(options.modality === undefined || options.modality === 'text' ? {} : { modality: options.modality }),
    createdAt: (options.now ?? (() => new Date()))().toISOString(),
    files,
    ...(options.hnsw === undefined ? {} : { hnsw: options.hnsw }),
    ...(options.source === undefined ? {} : { source: options.source }),
    ...(options.images === undefined ? {} : { images: options.images }),
  }
  writeFileAtomic(path.join(directory, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`)
  return manifest
}

const corrupt = (directory: string, problem: string, cause?: unknown): DriberError =>
  new DriberError('INDEX_CORRUPT', { message: `Index ${directory} is corrupt: ${problem}`, details: { path: directory, problem }, cause })

const parseManifest = (directory: string): IndexManifest => {
  const file = path.join(directory, MANIFEST_FILE)
  if (!existsSync(file)) {
    throw new DriberError('INDEX_UNAVAILABLE', {
      message: `${directory} has no ${MANIFEST_FILE}: not an index directory, or its build did not finish (run driber index build again to resume)`,
      details: { path: directory },
    })
  }
  let manifest: unknown
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw corrupt(directory, `${MANIFEST_FILE} is not valid JSON`, error)
  }
  const value = manifest as Partial<IndexManifest>
  if (typeof manifest !== 'object' || manifest === null || value.format !== INDEX_FORMAT) throw corrupt(directory, `${MANIFEST_FILE} is not a driber index manifest`)
  if (value.formatVersion !== INDEX_FORMAT_VERSION) {
    throw corrupt(directory, `format version ${String(value.formatVersion)} is not supported (this driber reads ${INDEX_FORMAT_VERSION})`)
  }
  if (typeof value.embedder !== 'string' || !Number.isInteger(value.dimension) || !Number.isInteger(value.count) || typeof value.files !== 'object' || value.files === null) {
    throw corrupt(directory, `${MANIFEST_FILE} lacks embedder, dimension, count or files`)
  }
  for (const name of [VECTORS_FILE, METADATA_FILE]) if (value.files[name] === undefined) throw corrupt(directory, `${MANIFEST_FILE} does not list ${name}`)
  if (value.modality !== undefined && value.modality !== 'text' && value.modality !== 'image') throw corrupt(directory, `${MANIFEST_FILE} has an unknown modality "${String(value.modality)}"`)
  return value as IndexManifest
}

/** Reads a data file listed in the manifest, checking its size and (optionally) its sha256. */
const readVerified = (directory: string, manifest: IndexManifest, name: string, verifyChecksums: boolean): Buffer => {
  const entry = manifest.files[name] as FileEntry
  const file = path.join(directory, name)
  let data: Buffer
  try {
    data = readFileSync(file)
  } catch (error) {
    throw corrupt(directory, `${name} is missing or unreadable`, error)
  }
  if (data.byteLength !== entry.bytes) throw corrupt(directory, `${name} has ${data.byteLength} bytes, the manifest says ${entry.bytes} (truncated or replaced)`)
  if (verifyChecksums && sha256(data) !== entry.sha256) throw corrupt(directory, `${name} does not match its sha256 in the manifest`)
  return data
}

export interface ReadIndexOptions {
  /** The embedder configured for this index; a different one in the manifest is INDEX_MISMATCH. */
  expectedEmbedder?: string
  verifyChecksums?: boolean
}

/** Loads and verifies an index directory. Throws INDEX_UNAVAILABLE, INDEX_MISMATCH or INDEX_CORRUPT. */
export const readIndexDirectory = (directory: string, options: ReadIndexOptions = {}): LoadedIndexDirectory => {
  const manifest = parseManifest(directory)
  if (options.expectedEmbedder !== undefined && manifest.embedder !== options.expectedEmbedder) {
    throw new DriberError('INDEX_MISMATCH', {
      message: `Index ${directory} was built with embedder "${manifest.embedder}" but is configured with "${options.expectedEmbedder}"; rebuild it with --embedder ${options.expectedEmbedder} or configure ${manifest.embedder}`,
      details: { path: directory, built: manifest.embedder, configured: options.expectedEmbedder },
    })
  }
  const verify = options.verifyChecksums ?? true
  const vectorBytes = readVerified(directory, manifest, VECTORS_FILE, verify)
  if (vectorBytes.byteLength !== manifest.count * manifest.dimension * 4) {
    throw corrupt(directory, `${VECTORS_FILE} holds ${vectorBytes.byteLength} bytes, not ${manifest.count} x ${manifest.dimension} floats`)
  }
  const metadataText = readVerified(directory, manifest, METADATA_FILE, verify).toString('utf8')
  const lines = metadataText.split('\n').filter((line) => line.length > 0)
  if (lines.length !== manifest.count) throw corrupt(directory, `${METADATA_FILE} has ${lines.length} lines, the manifest says ${manifest.count}`)
  const records: ImageRecord[] = lines.map((line, index) => {
    try {
      const value = JSON.parse(line) as ImageRecord
      if (typeof value.id !== 'string' || typeof value.url !== 'string') throw new Error('id and url must be strings')
      if (value.path !== undefined && (typeof value.path !== 'string' || !path.isAbsolute(value.path))) throw new Error('path must be an absolute path')
      const record: ImageRecord = { id: value.id, url: value.url, caption: typeof value.caption === 'string' ? value.caption : '', labels: Array.isArray(value.labels) ? value.labels.map(String) : [] }
      if (value.path !== undefined) record.path = value.path
      return record
    } catch (error) {
      throw corrupt(directory, `${METADATA_FILE} line ${index + 1} is not a valid record`, error)
    }
  })
  let hnswFile: string | undefined
  if (manifest.files[HNSW_FILE] !== undefined) {
    // Verified like the rest: hnswlib reads its file without bounds checks.
    readVerified(directory, manifest, HNSW_FILE, verify)
    hnswFile = path.join(directory, HNSW_FILE)
  }
  let captionVectors: Float32Array | undefined
  if (manifest.files[CAPTION_VECTORS_FILE] !== undefined) {
    const captionBytes = readVerified(directory, manifest, CAPTION_VECTORS_FILE, verify)
    if (captionBytes.byteLength !== vectorBytes.byteLength) throw corrupt(directory, `${CAPTION_VECTORS_FILE} holds ${captionBytes.byteLength} bytes, not ${manifest.count} x ${manifest.dimension} floats`)
    captionVectors = bytesToVectors(captionBytes)
  }
  return {
    directory,
    manifest,
    vectors: bytesToVectors(vectorBytes),
    records,
    ...(hnswFile === undefined ? {} : { hnswFile }),
    ...(captionVectors === undefined ? {} : { captionVectors }),
  }
}
