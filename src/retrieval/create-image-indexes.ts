/**
 * Builds the service's image indexes from `config.retrieval.indexes`. Each index loads on its own:
 * one that fails (missing file, corrupt or truncated data, another embedder, unknown embedder,
 * unreachable database) is kept as a failure with its typed error, reported by `status()` for
 * /readyz and thrown by `get(name)`, while the others serve.
 */
import { createHash, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import pg from 'pg'
import type { Logger } from 'pino'
import { resolveDataPath, type Config } from '../config.js'
import { DriberError, isDriberError, toDriberError } from '../errors.js'
import type { EmbeddingModel } from '../providers/provider.js'
import { captionVectorsFile, readCaptionVectors, writeCaptionVectors } from './caption-vector-cache.js'
import { readGalleryFile } from './gallery-file.js'
import { assembleVectors, dropDuplicateUrls, embedInBatches } from './gallery-vectors.js'
import { HnswVectorStore, type HnswParameters } from './hnsw-vector-store.js'
import type { ImageIndex, ImageIndexes } from './image-index.js'
import { METADATA_FILE, VECTORS_FILE, isIndexDirectory, readIndexDirectory } from './index-directory.js'
import { MemoryVectorStore } from './memory-vector-store.js'
import { PgvectorVectorStore, type SqlPool } from './pgvector-vector-store.js'
import { StoreImageIndex } from './store-image-index.js'
import type { ImageRecord, VectorStore } from './vector-store.js'

/** What retrieval needs of the model registry. */
export interface EmbedderSource {
  embedder(id: string): EmbeddingModel
}

export interface CreateImageIndexesOptions {
  config: Config
  embedders: EmbedderSource
  logger: Logger
  /** Makes the pgvector connection pool; defaults to `pg.Pool`. Tests may pass their own. */
  createPool?: (connectionString: string, size: number) => SqlPool
}

export type IndexEntry = Config['retrieval']['indexes'][number]

interface LoadedData {
  vectors: Float32Array
  dimension: number
  records: ImageRecord[]
  /** Identity of the data, for the pgvector table's build record. */
  build: string
  hnswFile?: string
}

const defaultPool = (logger: Logger) => (connectionString: string, size: number): SqlPool => {
  const pool = new pg.Pool({ connectionString, max: size })
  // An idle connection dropped by the server emits 'error' on the pool; unhandled, it would end the process.
  pool.on('error', (error) => logger.warn({ err: { message: error.message } }, 'pgvector connection error'))
  return pool as unknown as SqlPool
}

/** The embedder of an index, or EMBEDDER_UNAVAILABLE naming the index. */
const resolveEmbedder = (entry: IndexEntry, embedders: EmbedderSource): EmbeddingModel => {
  try {
    return embedders.embedder(entry.embedder)
  } catch (error) {
    const cause = toDriberError(error)
    throw new DriberError('EMBEDDER_UNAVAILABLE', {
      message: `Index ${entry.name} needs embedder "${entry.embedder}": ${cause.message}`,
      details: { index: entry.name, embedder: entry.embedder, ...(cause.details ?? {}) },
      cause: error,
    })
  }
}

/** Reads an index directory, or a JSONL/CSV gallery whose captions without vectors are embedded now. */
const loadData = async (entry: IndexEntry, embedder: EmbeddingModel, config: Config, logger: Logger): Promise<LoadedData> => {
  const location = resolveDataPath(entry.path)
  if (isIndexDirectory(location)) {
    const loaded = readIndexDirectory(location, { expectedEmbedder: entry.embedder, verifyChecksums: config.retrieval.verifyChecksums })
    const files = loaded.manifest.files
    return {
      vectors: loaded.vectors,
      dimension: loaded.manifest.dimension,
      records: loaded.records,
      build: `${files[VECTORS_FILE]?.sha256}:${files[METADATA_FILE]?.sha256}`,
      ...(loaded.hnswFile === undefined ? {} : { hnswFile: loaded.hnswFile }),
    }
  }
  const parsed = readGalleryFile(location)
  const { entries, duplicateUrls } = dropDuplicateUrls(parsed, entry.path)
  if (duplicateUrls > 0) logger.warn({ duplicateUrls }, 'gallery repeats urls; kept the first of each')
  const captions = entries.filter((item) => item.vector === undefined).map((item) => item.caption)
  const embedded = await captionVectors(embedder, captions, config, logger)
  // Identical vectors stay: captions alone often repeat across different pictures, and a served
  // gallery should not lose images silently (the builder drops them, and says so).
  const assembled = assembleVectors(entries, embedded, entry.path, embedded[0]?.length ?? embedder.dimension, false)
  const build = createHash('sha256').update(readFileSync(location)).update(`\0${entry.embedder}`).digest('hex')
  return { vectors: assembled.vectors, dimension: assembled.dimension, records: assembled.records, build }
}

/**
 * Vectors for the captions that came without one: from the on-disk cache when it holds this exact
 * (embedder, captions) pair, else embedded now and cached. In-process embedders are not cached:
 * they cost no network round trip, and a fresh clone should not write to the user's cache.
 */
const captionVectors = async (embedder: EmbeddingModel, captions: string[], config: Config, logger: Logger): Promise<Float32Array[]> => {
  if (captions.length === 0) return []
  const { enabled, dir } = config.retrieval.vectorCache
  const file = enabled && dir !== undefined && embedder.provider !== 'embedded' ? captionVectorsFile(dir, embedder, captions) : undefined
  if (file !== undefined) {
    const cached = readCaptionVectors(file, captions.length)
    if (cached !== undefined) {
      logger.info({ captions: captions.length, cache: file }, 'gallery caption vectors read from the cache')
      return cached
    }
  }
  logger.info({ captions: captions.length }, 'embedding gallery captions that have no vector')
  const embedded = await embedInBatches(embedder, captions, {
    batchSize: config.retrieval.embedBatchSize,
    signal: new AbortController().signal,
    requestId: `index-load-${randomUUID()}`,
  })
  if (file !== undefined) {
    const problem = writeCaptionVectors(file, embedded)
    if (problem !== undefined) logger.warn({ cache: file, err: { message: problem.message } }, 'could not cache the gallery caption vectors; the next start embeds them again')
  }
  return embedded
}

const hnswParameters = (entry: IndexEntry, config: Config): HnswParameters & { maxEf: number } => ({
  m: entry.hnsw?.m ?? config.retrieval.hnsw.m,
  efConstruction: entry.hnsw?.efConstruction ?? config.retrieval.hnsw.efConstruction,
  efSearch: entry.hnsw?.efSearch ?? config.retrieval.hnsw.efSearch,
  maxEf: entry.hnsw?.maxEf ?? config.retrieval.hnsw.maxEf,
})

const openStore = async (entry: IndexEntry, data: LoadedData, options: CreateImageIndexesOptions, logger: Logger): Promise<VectorStore> => {
  const parameters = hnswParameters(entry, options.config)
  const stored = { vectors: data.vectors, dimension: data.dimension, records: data.records }
  switch (entry.backend) {
    case 'memory':
      return new MemoryVectorStore(stored)
    case 'hnsw': {
      if (data.hnswFile !== undefined) return HnswVectorStore.load(data.hnswFile, data.dimension, data.records, parameters.efSearch)
      logger.info({ images: data.records.length }, 'building the HNSW graph at load (build the index with --hnsw to skip this)')
      return HnswVectorStore.build(stored, parameters)
    }
    case 'pgvector': {
      const connectionString = entry.connectionStringEnv !== undefined ? options.config.secrets(entry.connectionStringEnv) : entry.connectionString
      if (connectionString === undefined || connectionString === '') {
        throw new DriberError('INDEX_UNAVAILABLE', {
          message: `Index ${entry.name} uses pgvector but has no connection string (set connectionString, or connectionStringEnv and that variable)`,
          details: { index: entry.name },
        })
      }
      const pool = (options.createPool ?? defaultPool(logger))(connectionString, options.config.retrieval.pgPoolSize)
      try {
        return await PgvectorVectorStore.open({
          pool,
          table: entry.table ?? 'driber_images',
          embedder: entry.embedder,
          dimension: data.dimension,
          source: { build: data.build, vectors: data.vectors, records: data.records },
          efSearch: parameters.efSearch,
          onNotice: (message) => logger.info(message),
        })
      } catch (error) {
        await pool.end().catch(() => {})
        if (isDriberError(error)) throw error
        // Connection strings may hold passwords: the message names the index, not the string.
        throw new DriberError('INDEX_UNAVAILABLE', { message: `Index ${entry.name}: cannot prepare the pgvector table (${(error as Error).message})`, details: { index: entry.name }, cause: error })
      }
    }
  }
}

/** Loads one configured index; throws the catalog error that explains why it cannot serve. */
export const loadImageIndex = async (entry: IndexEntry, options: CreateImageIndexesOptions): Promise<StoreImageIndex> => {
  // Every line below carries `index` from here; they must not add it again (a key twice in one line).
  const logger = options.logger.child({ index: entry.name })
  const embedder = resolveEmbedder(entry, options.embedders)
  const data = await loadData(entry, embedder, options.config, logger)
  if (embedder.dimension !== undefined && data.records.length > 0 && embedder.dimension !== data.dimension) {
    throw new DriberError('INDEX_MISMATCH', {
      message: `Index ${entry.name} holds ${data.dimension}-dimensional vectors but embedder ${entry.embedder} produces ${embedder.dimension}`,
      details: { index: entry.name, dimension: data.dimension, embedderDimension: embedder.dimension },
    })
  }
  const store = await openStore(entry, data, options, logger)
  return new StoreImageIndex(entry.name, embedder, store, { maxK: options.config.limits.maxK, maxEf: hnswParameters(entry, options.config).maxEf })
}

type Slot = { name: string; index: StoreImageIndex; error?: undefined } | { name: string; index?: undefined; error: DriberError }

/** Loads every configured index (in parallel); never throws for a broken index. */
export const createImageIndexes = async (options: CreateImageIndexesOptions): Promise<ImageIndexes & { close(): Promise<void> }> => {
  const { config, logger } = options
  const slots: Slot[] = await Promise.all(
    config.retrieval.indexes.map(async (entry): Promise<Slot> => {
      try {
        const index = await loadImageIndex(entry, options)
        logger.info({ index: entry.name, images: index.size, backend: entry.backend, embedder: entry.embedder }, 'image index ready')
        return { name: entry.name, index }
      } catch (error) {
        const failure = isDriberError(error) && error.kind !== 'INTERNAL' ? error : new DriberError('INDEX_UNAVAILABLE', { message: `Index ${entry.name} failed to load: ${(error as Error)?.message ?? String(error)}`, cause: error })
        logger.error({ index: entry.name, code: failure.code, err: { message: failure.message } }, 'image index unavailable')
        return { name: entry.name, error: failure }
      }
    }),
  )
  const byName = new Map(slots.map((slot) => [slot.name, slot]))
  const names = slots.map((slot) => slot.name)
  return {
    defaultName: config.retrieval.defaultIndex,
    names: () => [...names],
    get(name?: string): ImageIndex {
      const requested = name ?? config.retrieval.defaultIndex
      const slot = byName.get(requested)
      if (slot === undefined) {
        throw new DriberError('UNKNOWN_INDEX', {
          message: `No image index "${requested}"; indexes: ${names.join(', ') || '(none configured)'}`,
          details: { requested, indexes: names },
        })
      }
      if (slot.error !== undefined) {
        // A fresh error per call (same kind and message): errors carry per-request state in some transports.
        throw new DriberError(slot.error.kind, { message: slot.error.message, details: { index: requested, ...(slot.error.details ?? {}) } })
      }
      return slot.index
    },
    status: () =>
      slots.map((slot) =>
        slot.error === undefined
          ? { name: slot.name, ready: true, size: slot.index.size }
          : { name: slot.name, ready: false, size: 0, error: `${slot.error.code}: ${slot.error.message}` },
      ),
    close: async () => {
      await Promise.all(slots.map((slot) => slot.index?.close().catch(() => {})))
    },
  }
}
