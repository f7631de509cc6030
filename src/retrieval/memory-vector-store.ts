/**
 * Exact search: every unit vector in one Float32Array (row-major, count x dimension), scored by
 * dot product against the query and kept in a bounded top-k heap. Linear in the gallery, exact
 * by construction; the reference the approximate backends are measured against.
 */
import { recordPredicate } from './metadata-filter.js'
import { TopKHeap } from './top-k-heap.js'
import type { ImageRecord, StoreHit, StoreSearchOptions, VectorStore } from './vector-store.js'
import { dotRow } from './vector-math.js'

export interface StoredVectors {
  /** Unit vectors, row-major, `records.length * dimension` floats. */
  vectors: Float32Array
  dimension: number
  records: ImageRecord[]
}

export class MemoryVectorStore implements VectorStore {
  readonly backend = 'memory' as const
  readonly dimension: number
  readonly #vectors: Float32Array
  readonly #records: ImageRecord[]

  constructor(data: StoredVectors) {
    if (data.vectors.length !== data.records.length * data.dimension) {
      throw new RangeError(`expected ${data.records.length} x ${data.dimension} floats, got ${data.vectors.length}`)
    }
    this.dimension = data.dimension
    this.#vectors = data.vectors
    this.#records = data.records
  }

  get size(): number {
    return this.#records.length
  }

  /** Synchronous core of `search`, exposed for the benchmark to time the backend alone. */
  searchSync(query: Float32Array, options: StoreSearchOptions): StoreHit[] {
    const count = this.#records.length
    if (count === 0) return []
    const heap = new TopKHeap(Math.min(options.k, count))
    const keep = recordPredicate(options.filter)
    const vectors = this.#vectors
    const dimension = this.dimension
    for (let row = 0; row < count; row++) {
      if (keep !== undefined && !keep(this.#records[row] as ImageRecord)) continue
      const score = dotRow(query, vectors, row, dimension)
      if (score > heap.threshold) heap.push(row, score)
    }
    return heap.sorted().map((entry) => ({ record: this.#records[entry.position] as ImageRecord, score: entry.score }))
  }

  async search(query: Float32Array, options: StoreSearchOptions): Promise<StoreHit[]> {
    return this.searchSync(query, options)
  }
}
