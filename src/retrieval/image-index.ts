/**
 * How the core sees retrieval: named image indexes that answer a batch of descriptions with scored
 * images. Embedding the descriptions is the index's business (it knows which embedder built it).
 */
import type { Readable } from 'node:stream'
import type { ImageResult, SearchBy } from '../core/types.js'

export interface SearchOptions {
  k: number
  signal: AbortSignal
  requestId: string
  /** Optional exact-match metadata filter (e.g. {labels: "dog"}); backends that cannot filter ignore nothing: they throw INVALID_ARGUMENT. */
  filter?: Record<string, string>
  /** HNSW search breadth, within configured limits. */
  ef?: number
  /** Which vectors to compare with: the pictures', the captions', or both fused; the index's default (`searchModes[0]`) when absent. */
  by?: SearchBy
}

/** A local image file ready to be streamed: what `GET /v1/images/{index}/{id}` sends. */
export interface LocalImageFile {
  /** image/jpeg, image/png, image/gif or image/webp. */
  contentType: string
  bytes: number
  modified: Date
  /** A strong validator that changes with the file. */
  etag: string
  open(): Readable
}

export interface ImageIndex {
  readonly name: string
  readonly embedderId: string
  readonly size: number
  /** What `by` may be for this index, default first (caption-only indexes: just `caption`). */
  readonly searchModes?: readonly SearchBy[]
  /** Top-k images for the descriptions (scores fused across descriptions), best first, de-duplicated. */
  search(descriptions: string[], options: SearchOptions): Promise<ImageResult[]>
  /**
   * The local image file of the record with this id, looked up by id only; undefined when no
   * record has that id, the record has no local `path`, or its file is missing or not an image.
   */
  localImage?(id: string): Promise<LocalImageFile | undefined>
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
