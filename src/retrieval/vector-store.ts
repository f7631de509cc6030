/**
 * The backend seam: a store of unit vectors with their image records that answers one query
 * vector with its nearest rows by cosine. `memory` (exact scan), `hnsw` (approximate, in
 * process) and `pgvector` (PostgreSQL) implement it; the image index above embeds descriptions,
 * fuses their hits and de-duplicates, so that logic exists once for all backends.
 */
import type { MetadataFilter } from './metadata-filter.js'

/** What a gallery says about one image. `labels` may be empty. */
export interface ImageRecord {
  id: string
  url: string
  caption: string
  labels: string[]
  /**
   * Absolute path of a local image file, recorded by `driber index build --images`. Such records
   * are served by this service (`/v1/images/<index>/<id>`) unless `url` is their own http(s) URL.
   */
  path?: string
}

export type BackendName = 'memory' | 'hnsw' | 'pgvector'

export interface StoreSearchOptions {
  /** Rows wanted (a store may return fewer when it holds fewer, or fewer match the filter). */
  k: number
  /** Search breadth for approximate backends; exact ones ignore it. Already within configured limits. */
  ef?: number
  filter?: MetadataFilter
}

export interface StoreHit {
  record: ImageRecord
  /** Cosine similarity in [-1, 1]. */
  score: number
}

export interface VectorStore {
  readonly backend: BackendName
  readonly size: number
  readonly dimension: number
  /** The k rows nearest to a unit query vector, best first. */
  search(query: Float32Array, options: StoreSearchOptions): Promise<StoreHit[]>
  close?(): Promise<void>
}
