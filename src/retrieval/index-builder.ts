/**
 * `driber index build`: a JSONL or CSV gallery -> an index directory (see index-directory.ts).
 *
 * Embedding is the slow, paid part, so it is resumable: after each batch the new vectors are
 * appended to `<out>/.build/embedded.f32` and then `<out>/.build/progress.json` records how many
 * batches are done (in that order, so progress never claims rows that are not on disk). A later
 * run with the same input file, embedder and batch size truncates any half-written tail and
 * continues from the next batch. A different input or embedder starts over.
 */
import { randomUUID } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs'
import path from 'node:path'
import { DriberError } from '../errors.js'
import type { EmbeddingModel } from '../providers/provider.js'
import { parseCsvGallery, parseJsonlGallery } from './gallery-file.js'
import { assembleVectors, dropDuplicateUrls, embedInBatches } from './gallery-vectors.js'
import { HnswVectorStore } from './hnsw-vector-store.js'
import {
  HNSW_FILE,
  MANIFEST_FILE,
  bytesToVectors,
  sha256,
  vectorsToBytes,
  writeFileAtomic,
  writeIndexDirectory,
  type IndexManifest,
} from './index-directory.js'

export const WORK_DIRECTORY = '.build'
const PROGRESS_FILE = 'progress.json'
const EMBEDDED_FILE = 'embedded.f32'

export type BuildPhase = 'read' | 'embed' | 'hnsw' | 'write'

export interface BuildProgress {
  phase: BuildPhase
  done: number
  total: number
}

export interface BuildIndexOptions {
  /** JSONL or CSV gallery (by extension). */
  input: string
  /** Index directory to write (created if missing). */
  out: string
  embedder: EmbeddingModel
  /** Captions per embedder call. */
  batchSize: number
  /** Drop rows whose vector equals an earlier row's (default true). */
  dropDuplicateVectors?: boolean
  /** Also build and write `hnsw.bin` with these parameters. */
  hnsw?: { m: number; efConstruction: number; seed?: number }
  onProgress?: (progress: BuildProgress) => void
  /** Told about resumption and dropped duplicates (the CLI prints it). */
  onNotice?: (message: string) => void
  signal?: AbortSignal
  now?: () => Date
}

export interface BuildIndexResult {
  manifest: IndexManifest
  /** Batches skipped because an earlier, interrupted run had embedded them. */
  resumedBatches: number
  embeddedBatches: number
  duplicateUrls: number
  duplicateVectors: number
}

interface ProgressRecord {
  inputSha256: string
  embedder: string
  batchSize: number
  pending: number
  batchesDone: number
  dimension: number | null
}

const readProgress = (file: string): ProgressRecord | undefined => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProgressRecord
  } catch {
    return undefined
  }
}

/** Builds (or resumes building) an index directory. Errors are catalog errors; the work files survive them. */
export const buildIndex = async (options: BuildIndexOptions): Promise<BuildIndexResult> => {
  const notice = options.onNotice ?? (() => {})
  const progress = options.onProgress ?? (() => {})
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new DriberError('INVALID_ARGUMENT', { message: '--batch must be a positive integer' })

  let inputBytes: Buffer
  try {
    inputBytes = readFileSync(options.input)
  } catch (error) {
    throw new DriberError('INVALID_ARGUMENT', { message: `Cannot read ${options.input}`, cause: error })
  }
  const inputSha256 = sha256(inputBytes)
  const text = inputBytes.toString('utf8')
  const parsed = options.input.toLowerCase().endsWith('.csv') ? parseCsvGallery(text, options.input) : parseJsonlGallery(text, options.input)
  if (parsed.length === 0) throw new DriberError('INVALID_ARGUMENT', { message: `${options.input} holds no images` })
  progress({ phase: 'read', done: parsed.length, total: parsed.length })
  const { entries, duplicateUrls } = dropDuplicateUrls(parsed, options.input)
  if (duplicateUrls > 0) notice(`dropped ${duplicateUrls} rows whose url appeared earlier`)

  mkdirSync(options.out, { recursive: true })
  // From here until the new manifest lands the directory is not a valid index.
  rmSync(path.join(options.out, MANIFEST_FILE), { force: true })
  const work = path.join(options.out, WORK_DIRECTORY)
  const progressFile = path.join(work, PROGRESS_FILE)
  const embeddedFile = path.join(work, EMBEDDED_FILE)
  mkdirSync(work, { recursive: true })

  const captions = entries.filter((entry) => entry.vector === undefined).map((entry) => entry.caption)
  const batches = Math.ceil(captions.length / options.batchSize)
  let state: ProgressRecord = { inputSha256, embedder: options.embedder.id, batchSize: options.batchSize, pending: captions.length, batchesDone: 0, dimension: null }
  const previous = readProgress(progressFile)
  if (
    previous !== undefined &&
    previous.inputSha256 === inputSha256 &&
    previous.embedder === options.embedder.id &&
    previous.batchSize === options.batchSize &&
    previous.pending === captions.length &&
    previous.batchesDone > 0
  ) {
    const rows = Math.min(previous.batchesDone * options.batchSize, captions.length)
    const dimension = previous.dimension ?? 0
    const expectedBytes = rows * dimension * 4
    const actualBytes = existsSync(embeddedFile) ? statSync(embeddedFile).size : 0
    if (dimension > 0 && actualBytes >= expectedBytes) {
      // Anything past the recorded batches was written by a batch that did not finish.
      if (actualBytes > expectedBytes) truncateSync(embeddedFile, expectedBytes)
      state = previous
      notice(`resuming: ${previous.batchesDone} of ${batches} embedding batches already done`)
    }
  }
  if (state.batchesDone === 0) {
    rmSync(embeddedFile, { force: true })
    writeFileAtomic(progressFile, JSON.stringify(state))
  }
  const resumedBatches = state.batchesDone

  progress({ phase: 'embed', done: Math.min(state.batchesDone * options.batchSize, captions.length), total: captions.length })
  await embedInBatches(options.embedder, captions, {
    batchSize: options.batchSize,
    startBatch: state.batchesDone,
    signal: options.signal ?? new AbortController().signal,
    requestId: `index-build-${randomUUID()}`,
    onBatch: (vectors, batch) => {
      const dimension = (vectors[0] as Float32Array).length
      if (state.dimension !== null && state.dimension !== dimension) {
        throw new DriberError('INDEX_MISMATCH', { message: `Embedder ${options.embedder.id} now returns ${dimension}-dimensional vectors, earlier batches had ${state.dimension}; delete ${work} to start over` })
      }
      const packed = new Float32Array(vectors.length * dimension)
      vectors.forEach((vector, index) => packed.set(vector, index * dimension))
      appendFileSync(embeddedFile, vectorsToBytes(packed))
      state = { ...state, dimension, batchesDone: batch + 1 }
      writeFileAtomic(progressFile, JSON.stringify(state))
      progress({ phase: 'embed', done: Math.min((batch + 1) * options.batchSize, captions.length), total: captions.length })
    },
  })

  // Everything embedded is on disk, from this run or earlier ones: read it back as one source of truth.
  const embedded: Float32Array[] = []
  if (captions.length > 0) {
    const dimension = state.dimension as number
    const all = bytesToVectors(readFileSync(embeddedFile))
    for (let row = 0; row < captions.length; row++) embedded.push(all.subarray(row * dimension, (row + 1) * dimension))
  }
  const assembled = assembleVectors(entries, embedded, options.input, state.dimension ?? options.embedder.dimension, options.dropDuplicateVectors ?? true)
  if (assembled.duplicateVectors > 0) notice(`dropped ${assembled.duplicateVectors} rows whose vector equals an earlier row's`)

  let hnsw: IndexManifest['hnsw']
  if (options.hnsw !== undefined) {
    const parameters = { m: options.hnsw.m, efConstruction: options.hnsw.efConstruction, seed: options.hnsw.seed ?? 100 }
    const store = HnswVectorStore.build(
      { vectors: assembled.vectors, dimension: assembled.dimension, records: assembled.records },
      { ...parameters, efSearch: parameters.efConstruction },
      (done, total) => progress({ phase: 'hnsw', done, total }),
    )
    store.writeGraph(path.join(options.out, HNSW_FILE))
    hnsw = parameters
  } else {
    rmSync(path.join(options.out, HNSW_FILE), { force: true })
  }

  progress({ phase: 'write', done: 0, total: 1 })
  const manifest = writeIndexDirectory(options.out, {
    embedder: options.embedder.id,
    dimension: assembled.dimension,
    vectors: assembled.vectors,
    records: assembled.records,
    ...(hnsw === undefined ? {} : { hnsw }),
    source: { file: path.basename(options.input), sha256: inputSha256, records: parsed.length, duplicateUrls, duplicateVectors: assembled.duplicateVectors },
    ...(options.now === undefined ? {} : { now: options.now }),
  })
  progress({ phase: 'write', done: 1, total: 1 })
  rmSync(work, { recursive: true, force: true })
  return { manifest, resumedBatches, embeddedBatches: batches - resumedBatches, duplicateUrls, duplicateVectors: assembled.duplicateVectors }
}
