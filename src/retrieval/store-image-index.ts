/**
 * An `ImageIndex` over any `VectorStore`: embeds the descriptions with the index's embedder, asks
 * the store for each description's top k, and fuses.
 *
 * Fusion is the maximum cosine per image across descriptions. Describe returns alternative
 * phrasings or alternative pictures, and an image that matches one of them well is a good answer;
 * a mean would punish it for not also matching the others. Max fusion is also exact on top of
 * per-description top-k lists: if an image is in the fused top k, its best description ranks it
 * within that description's top k (otherwise k images would beat it under max), so no candidate
 * is lost by asking each description for only k.
 */
import { DriberError } from '../errors.js'
import type { ImageResult } from '../core/types.js'
import type { EmbeddingModel } from '../providers/provider.js'
import type { ImageIndex, LocalImageFile, SearchOptions } from './image-index.js'
import { openLocalImageFile } from './local-image-file.js'
import { compileFilter } from './metadata-filter.js'
import type { ImageRecord, StoreHit, VectorStore } from './vector-store.js'
import { normalised } from './vector-math.js'

export interface SearchLimits {
  maxK: number
  /** Largest `ef` a request may ask for. */
  maxEf: number
}

export class StoreImageIndex implements ImageIndex {
  readonly name: string
  readonly embedderId: string
  readonly store: VectorStore
  readonly #embedder: EmbeddingModel
  readonly #limits: SearchLimits
  /** id -> absolute path of the records that have a local image (kept here because pgvector rows carry no path). */
  readonly #localFiles: ReadonlyMap<string, string>

  constructor(name: string, embedder: EmbeddingModel, store: VectorStore, limits: SearchLimits, records: readonly ImageRecord[] = []) {
    this.name = name
    this.embedderId = embedder.id
    this.#embedder = embedder
    this.store = store
    this.#limits = limits
    this.#localFiles = new Map(records.flatMap((record) => (record.path === undefined ? [] : [[record.id, record.path] as const])))
  }

  /** Where this service serves the local image of `id`. */
  imagePath(id: string): string {
    return `/v1/images/${encodeURIComponent(this.name)}/${encodeURIComponent(id)}`
  }

  async localImage(id: string): Promise<LocalImageFile | undefined> {
    const file = this.#localFiles.get(id)
    return file === undefined ? undefined : openLocalImageFile(file)
  }

  get size(): number {
    return this.store.size
  }

  async search(descriptions: string[], options: SearchOptions): Promise<ImageResult[]> {
    const texts = [...new Set(descriptions.map((description) => description.trim()).filter((description) => description.length > 0))]
    if (texts.length === 0) throw new DriberError('INVALID_ARGUMENT', { message: 'descriptions must hold at least one non-empty description' })
    if (!Number.isInteger(options.k) || options.k < 1 || options.k > this.#limits.maxK) {
      throw new DriberError('INVALID_ARGUMENT', { message: `k must be an integer from 1 to ${this.#limits.maxK}`, details: { k: options.k, maxK: this.#limits.maxK } })
    }
    if (options.ef !== undefined && (!Number.isInteger(options.ef) || options.ef < 1 || options.ef > this.#limits.maxEf)) {
      throw new DriberError('INVALID_ARGUMENT', { message: `ef must be an integer from 1 to ${this.#limits.maxEf}`, details: { ef: options.ef, maxEf: this.#limits.maxEf } })
    }
    compileFilter(options.filter)
    if (options.signal.aborted) throw new DriberError('CANCELLED')

    const embedded = await this.#embedder.embed({ texts, signal: options.signal, requestId: options.requestId })
    if (embedded.vectors.length !== texts.length) {
      throw new DriberError('UPSTREAM_REJECTED', { message: `Embedder ${this.embedderId} returned ${embedded.vectors.length} vectors for ${texts.length} descriptions` })
    }
    const queries = embedded.vectors.map((vector) => {
      if (vector.length !== this.store.dimension) {
        throw new DriberError('INDEX_MISMATCH', {
          message: `Embedder ${this.embedderId} returned ${vector.length}-dimensional vectors but index ${this.name} holds ${this.store.dimension}-dimensional ones`,
        })
      }
      return normalised(vector, 'a description embedding')
    })

    const storeOptions = { k: options.k, ...(options.ef === undefined ? {} : { ef: options.ef }), ...(options.filter === undefined ? {} : { filter: options.filter }) }
    const best = new Map<string, StoreHit>()
    for (const query of queries) {
      if (options.signal.aborted) throw new DriberError('CANCELLED')
      for (const hit of await this.store.search(query, storeOptions)) {
        const earlier = best.get(hit.record.id)
        if (earlier === undefined || hit.score > earlier.score) best.set(hit.record.id, hit)
      }
    }
    const results = fuseResults([...best.values()], options.k)
    if (this.#localFiles.size === 0) return results
    // A local image has no address a client can open except ours; an image with its own web url keeps it.
    return results.map((result) => (this.#localFiles.has(result.id) && !/^https?:\/\//i.test(result.url) ? { ...result, url: this.imagePath(result.id) } : result))
  }

  async close(): Promise<void> {
    await this.store.close?.()
  }
}

/** Best first (ties by id, for stable answers), one result per url, at most k. */
export const fuseResults = (hits: StoreHit[], k: number): ImageResult[] => {
  hits.sort((a, b) => b.score - a.score || (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0))
  const urls = new Set<string>()
  const results: ImageResult[] = []
  for (const hit of hits) {
    if (urls.has(hit.record.url)) continue
    urls.add(hit.record.url)
    results.push({ id: hit.record.id, url: hit.record.url, caption: hit.record.caption, score: hit.score })
    if (results.length === k) break
  }
  return results
}
