/**
 * How the core sees retrieval: named image indexes that answer a batch of descriptions with scored
 * images. Embedding the descriptions is the index's business (it knows which embedder built it).
 */
import type { ImageResult } from '../core/types.js'

export interface SearchOptions {
  k: number
  signal: AbortSignal
  requestId: string
  /** Optional exact-match metadata filter (e.g. {labels: "dog"}); backends that cannot filter ignore nothing: they throw INVALID_ARGUMENT. */
  filter?: Record<string, string>
  /** HNSW search breadth, within configured limits. */
  ef?: number
}

export interface ImageIndex {
  readonly name: string
  readonly embedderId: string
  readonly size: number
  /** Top-k images for the descriptions (scores fused across descriptions), best first, de-duplicated. */
  search(descriptions: string[], options: SearchOptions): Promise<ImageResult[]>
  close?(): Promise<void>
}

export interface ImageIndexes {
  readonly defaultName: string
  /**
   * Throws UNKNOWN_INDEX (listing names), or for a known index that failed to load the error that
   * explains it: INDEX_UNAVAILABLE, INDEX_MISMATCH, INDEX_CORRUPT or EMBEDDER_UNAVAILABLE.
   */
  get(name?: string): ImageIndex
  names(): string[]
  /** Per-index load status, for /readyz; `loaded: false` for an index that loads on its first search and has not yet. */
  status(): Array<{ name: string; ready: boolean; size: number; loaded?: boolean; error?: string }>
  /** Releases backends (pgvector pools). Call once at shutdown. */
  close?(): Promise<void>
}
