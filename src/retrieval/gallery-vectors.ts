/**
 * Turning gallery entries into the stored form: embed the captions that came without a vector
 * (in batches, through the index's embedder), normalise, and drop duplicates. Shared by the
 * builder and by the loader of plain JSONL galleries, so both store exactly the same thing.
 */
import { DriberError } from '../errors.js'
import type { EmbeddingModel } from '../providers/provider.js'
import type { GalleryEntry } from './gallery-file.js'
import type { ImageRecord } from './vector-store.js'
import { normaliseInPlace } from './vector-math.js'

/** Keeps the first entry of each url; a repeated id with another url is an error (ids are what results are keyed by). */
export const dropDuplicateUrls = (entries: GalleryEntry[], source: string): { entries: GalleryEntry[]; duplicateUrls: number } => {
  const seenUrls = new Set<string>()
  const urlById = new Map<string, string>()
  const kept: GalleryEntry[] = []
  for (const entry of entries) {
    if (seenUrls.has(entry.url)) continue
    const earlier = urlById.get(entry.id)
    if (earlier !== undefined) {
      throw new DriberError('INDEX_CORRUPT', {
        message: `${source}: id "${entry.id}" is used for two different urls (${earlier} and ${entry.url}); ids must be unique`,
        details: { path: source, id: entry.id },
      })
    }
    seenUrls.add(entry.url)
    urlById.set(entry.id, entry.url)
    kept.push(entry)
  }
  return { entries: kept, duplicateUrls: entries.length - kept.length }
}

export interface EmbedBatchesOptions {
  batchSize: number
  signal: AbortSignal
  requestId: string
  /** Called after each batch with the vectors it produced, in order (the builder persists them). */
  onBatch?: (vectors: Float32Array[], batchIndex: number) => void
  /** Batches already done (resume): they are skipped. */
  startBatch?: number
}

/** Embeds texts batch by batch, checking the embedder returns one vector per text, all of one dimension. */
export const embedInBatches = async (embedder: EmbeddingModel, texts: string[], options: EmbedBatchesOptions): Promise<Float32Array[]> => {
  const vectors: Float32Array[] = []
  let dimension: number | undefined
  const batches = Math.ceil(texts.length / options.batchSize)
  for (let batch = options.startBatch ?? 0; batch < batches; batch++) {
    if (options.signal.aborted) throw new DriberError('CANCELLED', { message: 'Embedding was cancelled' })
    const slice = texts.slice(batch * options.batchSize, (batch + 1) * options.batchSize)
    const response = await embedder.embed({ texts: slice, signal: options.signal, requestId: options.requestId })
    if (response.vectors.length !== slice.length) {
      throw new DriberError('UPSTREAM_REJECTED', { message: `Embedder ${embedder.id} returned ${response.vectors.length} vectors for ${slice.length} texts` })
    }
    for (const vector of response.vectors) {
      dimension ??= vector.length
      if (vector.length !== dimension) throw new DriberError('UPSTREAM_REJECTED', { message: `Embedder ${embedder.id} returned vectors of ${dimension} and ${vector.length} dimensions` })
    }
    vectors.push(...response.vectors)
    options.onBatch?.(response.vectors, batch)
  }
  return vectors
}

export interface AssembledVectors {
  vectors: Float32Array
  dimension: number
  records: ImageRecord[]
  duplicateVectors: number
}

/**
 * Packs entries into one row-major Float32Array of unit vectors, taking each entry's own vector
 * or, in order, the next of `embedded` for entries without one. Identical vectors (after
 * normalisation) keep their first entry when `dropDuplicateVectors` is set: the same picture twice
 * under two urls would otherwise fill a top-k with copies. Galleries embedded from captions alone
 * can give different pictures the same caption, hence the switch.
 */
export const assembleVectors = (
  entries: GalleryEntry[],
  embedded: Float32Array[],
  source: string,
  expectedDimension?: number,
  dropDuplicateVectors = true,
): AssembledVectors => {
  let nextEmbedded = 0
  let dimension = expectedDimension
  const rows: Float32Array[] = []
  const records: ImageRecord[] = []
  const seen = new Set<string>()
  let duplicateVectors = 0
  for (const entry of entries) {
    let vector: Float32Array
    if (entry.vector !== undefined) vector = Float32Array.from(entry.vector)
    else {
      const next = embedded[nextEmbedded++]
      if (next === undefined) throw new DriberError('INTERNAL', { message: `${source}: fewer embedded vectors than captions` })
      vector = Float32Array.from(next)
    }
    dimension ??= vector.length
    if (vector.length !== dimension) {
      throw new DriberError('INDEX_MISMATCH', {
        message: `${source}: image "${entry.id}" has a ${vector.length}-dimensional vector, the others (or the embedder) have ${dimension}`,
        details: { path: source, id: entry.id, dimension: vector.length, expected: dimension },
      })
    }
    try {
      normaliseInPlace(vector, `${source}: image "${entry.id}"`)
    } catch (error) {
      // A zero vector in a gallery is bad data in the file, not a bad request.
      throw new DriberError('INDEX_CORRUPT', { message: (error as Error).message, details: { path: source, id: entry.id } })
    }
    const key = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64')
    if (dropDuplicateVectors && seen.has(key)) {
      duplicateVectors++
      continue
    }
    seen.add(key)
    rows.push(vector)
    records.push({ id: entry.id, url: entry.url, caption: entry.caption, labels: entry.labels, ...(entry.path === undefined ? {} : { path: entry.path }) })
  }
  const finalDimension = dimension ?? 0
  const vectors = new Float32Array(rows.length * finalDimension)
  rows.forEach((row, index) => vectors.set(row, index * finalDimension))
  return { vectors, dimension: finalDimension, records, duplicateVectors }
}
