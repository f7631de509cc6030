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
 *
 * Image indexes may also hold caption vectors (hybrid). `by: image | caption` searches one list as
 * above; `both` fuses the two lists by reciprocal rank (RRF: score = sum over lists of
 * 1 / (60 + rank), Cormack et al. 2009). Ranks, not cosines, because the two cosines live on
 * different scales: with CLIP-family models a matching image scores around 0.3 against its
 * description while a matching caption scores 0.7 or more, so a max or a sum of cosines would
 * let captions decide alone. RRF rewards images both lists rank high and still finds an image
 * that only one list knows (a picture without a caption). Each list is searched to a depth of
 * max(50, 2k) so that near-misses of one list can be lifted by the other; `score` in `both` is the
 * RRF score (higher is better, at most 2/61), in `image` and `caption` the cosine.
 */
import { DriberError } from '../errors.js'
import type { ImageResult, SearchBy } from '../core/types.js'
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

/** RRF's damping constant: the value its authors found robust, so one list's top rank cannot swamp the other list. */
export const RRF_K = 60

/** How many hits each list contributes to `both`. */
const fusionDepth = (k: number): number => Math.max(50, 2 * k)

export interface StoreImageIndexOptions {
  /** What `store` holds: caption text vectors (the default) or image vectors. */
  modality?: 'text' | 'image'
  /** Image indexes: caption vectors of the images that have a caption, for `by: caption | both`. */
  captionStore?: VectorStore
  /** The index's records: those with a local `path` are served by `localImage` (pgvector rows carry no path). */
  records?: readonly ImageRecord[]
}

export class StoreImageIndex implements ImageIndex {
  readonly name: string
  readonly embedderId: string
  readonly store: VectorStore
  readonly searchModes: readonly SearchBy[]
  readonly #embedder: EmbeddingModel
  readonly #limits: SearchLimits
  readonly #stores: Partial<Record<'image' | 'caption', VectorStore>>
  /** id -> absolute path of the records that have a local image (kept here because pgvector rows carry no path). */
  readonly #localFiles: ReadonlyMap<string, string>

  constructor(name: string, embedder: EmbeddingModel, store: VectorStore, limits: SearchLimits, options: StoreImageIndexOptions = {}) {
    this.name = name
    this.embedderId = embedder.id
    this.#embedder = embedder
    this.store = store
    this.#limits = limits
    if (options.modality === 'image') {
      this.#stores = { image: store, ...(options.captionStore === undefined ? {} : { caption: options.captionStore }) }
      // Both when there is something to fuse: captions, where people wrote them, are the most precise signal there is.
      this.searchModes = options.captionStore === undefined ? ['image'] : ['both', 'image', 'caption']
    } else {
      this.#stores = { caption: store }
      this.searchModes = ['caption']
    }
    this.#localFiles = new Map((options.records ?? []).flatMap((record) => (record.path === undefined ? [] : [[record.id, record.path] as const])))
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
    const by = options.by ?? (this.searchModes[0] as SearchBy)
    if (!this.searchModes.includes(by)) {
      throw new DriberError('INVALID_ARGUMENT', {
        message: `Index ${this.name} cannot search by ${by}; it offers: ${this.searchModes.join(', ')}`,
        details: { field: 'by', by, index: this.name, offered: [...this.searchModes] },
      })
    }
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

    if (by !== 'both') {
      const hits = await this.#searchList(this.#stores[by] as VectorStore, queries, options.k, options)
      return this.#served(fuseResults([...hits.values()], options.k, this.name))
    }
    const depth = fusionDepth(options.k)
    const lists = [await this.#searchList(this.#stores.image as VectorStore, queries, depth, options), await this.#searchList(this.#stores.caption as VectorStore, queries, depth, options)]
    const fused = new Map<string, StoreHit>()
    for (const list of lists) {
      ranked(list).forEach((hit, position) => {
        const earlier = fused.get(hit.record.id)
        const share = 1 / (RRF_K + position + 1)
        fused.set(hit.record.id, { record: hit.record, score: (earlier?.score ?? 0) + share })
      })
    }
    return this.#served(fuseResults([...fused.values()], options.k, this.name))
  }

  /** A local image has no address a client can open except ours (a store may not know its path); an image with its own web url keeps it. */
  #served(results: ImageResult[]): ImageResult[] {
    if (this.#localFiles.size === 0) return results
    return results.map((result) => (this.#localFiles.has(result.id) && !/^https?:\/\//i.test(result.url) ? { ...result, url: this.imagePath(result.id) } : result))
  }

  /** One list's hits for every description, fused by the maximum cosine per image (see the file comment). */
  async #searchList(store: VectorStore, queries: Float32Array[], k: number, options: SearchOptions): Promise<Map<string, StoreHit>> {
    const storeOptions = { k, ...(options.ef === undefined ? {} : { ef: options.ef }), ...(options.filter === undefined ? {} : { filter: options.filter }) }
    const best = new Map<string, StoreHit>()
    for (const query of queries) {
      if (options.signal.aborted) throw new DriberError('CANCELLED')
      for (const hit of await store.search(query, storeOptions)) {
        const earlier = best.get(hit.record.id)
        if (earlier === undefined || hit.score > earlier.score) best.set(hit.record.id, hit)
      }
    }
    return best
  }

  async close(): Promise<void> {
    await this.store.close?.()
    if (this.#stores.caption !== this.store) await this.#stores.caption?.close?.()
  }
}

const byScoreThenId = (a: StoreHit, b: StoreHit): number => b.score - a.score || (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0)

/** A list's hits best first (ties by id). */
const ranked = (hits: Map<string, StoreHit>): StoreHit[] => [...hits.values()].sort(byScoreThenId)

/**
 * The URL a client can fetch an image at. Local files (built with `--images` from a folder) are
 * served by this service at `/v1/images/<index>/<id>`; their stored `file:` URL names a path on
 * this machine, which is neither reachable nor anybody else's business.
 */
export const publicUrl = (record: { id: string; url: string; path?: string }, indexName: string | undefined): string => {
  if (/^https?:/i.test(record.url)) return record.url
  if (indexName !== undefined && (record.path !== undefined || record.url.startsWith('file:'))) return `/v1/images/${encodeURIComponent(indexName)}/${encodeURIComponent(record.id)}`
  return record.url
}

/** Best first (ties by id, for stable answers), one result per url, at most k. */
export const fuseResults = (hits: StoreHit[], k: number, indexName?: string): ImageResult[] => {
  hits.sort(byScoreThenId)
  const urls = new Set<string>()
  const results: ImageResult[] = []
  for (const hit of hits) {
    if (urls.has(hit.record.url)) continue
    urls.add(hit.record.url)
    results.push({ id: hit.record.id, url: publicUrl(hit.record, indexName), caption: hit.record.caption, score: hit.score })
    if (results.length === k) break
  }
  return results
}
