/**
 * Approximate search with hnswlib-node (a native HNSW graph). Vectors are unit length and the
 * space is inner product, so hnswlib's distance is 1 - cosine and the score is 1 - distance.
 * Graph labels are row positions into the records array.
 *
 * The graph is either read from the `hnsw.bin` the builder wrote (large galleries: built once) or
 * built at load (small ones, or JSONL galleries). `ef` is index-wide state in hnswlib; setting it
 * right before the synchronous `searchKnn` is safe because nothing else runs on this thread.
 */
import hnswlib from 'hnswlib-node'
import { recordPredicate } from './metadata-filter.js'
import type { StoredVectors } from './memory-vector-store.js'
import type { ImageRecord, StoreHit, StoreSearchOptions, VectorStore } from './vector-store.js'

export interface HnswParameters {
  m: number
  efConstruction: number
  /** Search breadth when the request gives none. */
  efSearch: number
  /** Seed of hnswlib's level generator, so builds are reproducible. */
  seed?: number
}

export class HnswVectorStore implements VectorStore {
  readonly backend = 'hnsw' as const
  readonly dimension: number
  readonly #graph: hnswlib.HierarchicalNSW
  readonly #records: ImageRecord[]
  readonly #efSearch: number

  private constructor(graph: hnswlib.HierarchicalNSW, dimension: number, records: ImageRecord[], efSearch: number) {
    this.#graph = graph
    this.dimension = dimension
    this.#records = records
    this.#efSearch = efSearch
  }

  /** Builds the graph from vectors in memory; `onProgress` is told every 10k rows. */
  static build(data: StoredVectors, parameters: HnswParameters, onProgress?: (done: number, total: number) => void): HnswVectorStore {
    const graph = buildGraph(data.vectors, data.dimension, data.records.length, parameters, onProgress)
    return new HnswVectorStore(graph, data.dimension, data.records, parameters.efSearch)
  }

  /** Reads a graph file written by `writeGraph`; the caller has verified its checksum (hnswlib trusts its input). */
  static load(file: string, dimension: number, records: ImageRecord[], efSearch: number): HnswVectorStore {
    const graph = new hnswlib.HierarchicalNSW('ip', dimension)
    graph.readIndexSync(file)
    if (graph.getCurrentCount() !== records.length) {
      throw new RangeError(`graph holds ${graph.getCurrentCount()} vectors but the metadata has ${records.length}`)
    }
    return new HnswVectorStore(graph, dimension, records, efSearch)
  }

  get size(): number {
    return this.#records.length
  }

  /** Synchronous core of `search`, exposed for the benchmark to time the backend alone. */
  searchSync(query: Float32Array, options: StoreSearchOptions): StoreHit[] {
    const count = this.#records.length
    if (count === 0) return []
    const k = Math.min(options.k, count)
    // hnswlib needs ef >= k to return k results.
    this.#graph.setEf(Math.max(options.ef ?? this.#efSearch, k))
    const keep = recordPredicate(options.filter)
    const records = this.#records
    const result =
      keep === undefined
        ? this.#graph.searchKnn(Array.from(query), k)
        : this.#graph.searchKnn(Array.from(query), k, (label: number) => keep(records[label] as ImageRecord))
    const hits: StoreHit[] = []
    for (let index = 0; index < result.neighbors.length; index++) {
      hits.push({ record: records[result.neighbors[index] as number] as ImageRecord, score: 1 - (result.distances[index] as number) })
    }
    // hnswlib returns nearest first already; sort anyway so ties order by position like the exact store.
    return hits.sort((a, b) => b.score - a.score)
  }

  async search(query: Float32Array, options: StoreSearchOptions): Promise<StoreHit[]> {
    return this.searchSync(query, options)
  }

  /** Writes the graph so the next load skips the build. */
  writeGraph(file: string): void {
    this.#graph.writeIndexSync(file)
  }
}

/** Builds an hnswlib graph over `count` rows of `vectors` (labels = row positions). */
export const buildGraph = (
  vectors: Float32Array,
  dimension: number,
  count: number,
  parameters: HnswParameters,
  onProgress?: (done: number, total: number) => void,
): hnswlib.HierarchicalNSW => {
  const graph = new hnswlib.HierarchicalNSW('ip', dimension)
  // hnswlib refuses k > maxElements, and an empty gallery still needs a valid graph.
  graph.initIndex({ maxElements: Math.max(count, 1), m: parameters.m, efConstruction: parameters.efConstruction, randomSeed: parameters.seed ?? 100 })
  for (let row = 0; row < count; row++) {
    graph.addPoint(Array.from(vectors.subarray(row * dimension, (row + 1) * dimension)), row)
    if (onProgress !== undefined && (row + 1) % 10_000 === 0) onProgress(row + 1, count)
  }
  onProgress?.(count, count)
  return graph
}
