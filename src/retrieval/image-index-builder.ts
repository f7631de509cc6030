/**
 * `driber index build --images`: a folder of pictures, or a JSONL/CSV list of files and URLs, ->
 * an index directory of image vectors (and, for images that have captions, caption vectors for
 * hybrid search), in the format of index-directory.ts with `modality: image`.
 *
 * The work goes in chunks of `batchSize` images: read or fetch them (`loadConcurrency` at once),
 * embed the usable ones with the embedder's image form (the embedder spreads a chunk over its own
 * `max_concurrency`), embed their captions, then persist. Unusable images are skipped with a
 * reason (image-loader.ts) and counted; they never fail the build. Embedder failures are retried
 * per `config.resilience` (the policy the service uses for model calls); an image the embedder
 * refuses outright is found by retrying its chunk one image at a time and skipped.
 *
 * Resumable: `.build/image-vectors.f32` and `.build/caption-vectors.f32` get each chunk's rows, and
 * only then `.build/images.jsonl` one line per source handled (embedded, with its row, or
 * skipped). A rerun after an interruption trusts the log, cuts any vectors past it and carries on
 * with the sources it does not name, so nothing is embedded twice. A different embedder or input
 * starts over; a finished build removes `.build`.
 */
import { createHash, randomUUID } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ResilienceSettings } from '../core/retry-policy.js'
import { policyFor, retryDelayMs } from '../core/retry-policy.js'
import { DriberError, toDriberError } from '../errors.js'
import { embedsImages, type EmbeddingModel, type ImageInput } from '../providers/provider.js'
import { HnswVectorStore } from './hnsw-vector-store.js'
import { DEFAULT_IMAGE_LOAD_LIMITS, ImageLoader, SKIP_REASONS, type ImageLoadLimits, type SkipReason } from './image-loader.js'
import { listImageSources, type ImageSource } from './image-sources.js'
import { HNSW_FILE, MANIFEST_FILE, bytesToVectors, vectorsToBytes, writeFileAtomic, writeIndexDirectory, type IndexManifest } from './index-directory.js'
import type { ImageRecord } from './vector-store.js'
import { normaliseInPlace } from './vector-math.js'
import { WORK_DIRECTORY } from './index-builder.js'

const STATE_FILE = 'images-state.json'
const LOG_FILE = 'images.jsonl'
const IMAGE_VECTORS_FILE = 'image-vectors.f32'
const CAPTION_VECTORS_WORK_FILE = 'caption-vectors.f32'
/** Skip details kept beside the index for the operator (not part of the index format). */
export const SKIPPED_FILE = 'skipped.jsonl'

export interface ImageBuildProgress {
  phase: 'embed' | 'hnsw' | 'write'
  /** Sources handled (embedded or skipped), this run and resumed ones. */
  done: number
  total: number
  /** Sources skipped so far. */
  skipped: number
}

export interface BuildImageIndexOptions {
  /** A folder (walked recursively) or a JSONL/CSV list of `{id?, url | path, caption?, labels?}`. */
  input: string
  out: string
  embedder: EmbeddingModel
  /** Images per chunk (read, embedded and persisted together). */
  batchSize: number
  /** Images read or fetched at once. */
  loadConcurrency?: number
  limits?: Partial<ImageLoadLimits>
  /** Retries of failed embedder calls (the service's `resilience` config). */
  resilience: Pick<ResilienceSettings, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'retryAfterCapMs'>
  hnsw?: { m: number; efConstruction: number; seed?: number }
  onProgress?: (progress: ImageBuildProgress) => void
  onNotice?: (message: string) => void
  signal?: AbortSignal
  now?: () => Date
}

export interface SkippedImage {
  id: string
  source: string
  reason: SkipReason
  detail: string
}

export interface BuildImageIndexResult {
  manifest: IndexManifest
  sources: number
  /** Embedded by this run. */
  embedded: number
  /** Handled by an earlier, interrupted run and not redone. */
  resumed: number
  /** Per reason, every reason listed (zeros included) so scripts can read them without guessing. */
  skipped: Record<SkipReason, number>
  skippedImages: SkippedImage[]
  /** Folder files that are not images (not failures). */
  ignored: number
  captioned: number
}

interface State {
  kind: 'images'
  input: string
  embedder: string
  dimension: number | null
}

/** One line of the work log: a source embedded into a row, or skipped. */
type LogLine = { key: string; row: number; record: ImageRecord; sha256: string; captioned: boolean } | { key: string; skip: SkipReason; id: string; source: string; detail: string }

/** Skip reasons a resumed build retries: the network may have recovered. */
const TRANSIENT_SKIPS: ReadonlySet<SkipReason> = new Set<SkipReason>(['timeout', 'fetch_failed'])

const describeLocation = (source: ImageSource): string => (source.location.kind === 'file' ? source.location.path : source.location.url)

const emptyCounts = (): Record<SkipReason, number> => Object.fromEntries(SKIP_REASONS.map((reason) => [reason, 0])) as Record<SkipReason, number>

/** Runs `work` over `items` with at most `concurrency` at once, keeping input order in the results. */
const mapBounded = async <Item, Result>(items: Item[], concurrency: number, work: (item: Item) => Promise<Result>): Promise<Result[]> => {
  const results = new Array<Result>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index] as Item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}

/** Reads the work log, dropping a last line cut short by an interruption (and truncating the file to match). */
const readLog = (file: string): LogLine[] => {
  if (!existsSync(file)) return []
  const text = readFileSync(file, 'utf8')
  const end = text.lastIndexOf('\n') + 1
  if (end < text.length) truncateSync(file, Buffer.byteLength(text.slice(0, end)))
  return text
    .slice(0, end)
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as LogLine)
}

/** Builds (or resumes building) an image index directory. Errors are catalog errors; the work files survive them. */
export const buildImageIndex = async (options: BuildImageIndexOptions): Promise<BuildImageIndexResult> => {
  const notice = options.onNotice ?? (() => {})
  const progress = options.onProgress ?? (() => {})
  const signal = options.signal ?? new AbortController().signal
  const embedder = options.embedder
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new DriberError('INVALID_ARGUMENT', { message: '--batch must be a positive integer' })
  if (!embedsImages(embedder)) {
    throw new DriberError('INVALID_ARGUMENT', {
      message: `Embedder "${embedder.id}" embeds text only; --images needs one with modalities: [text, image] and an image_input in the model registry`,
      details: { embedder: embedder.id },
    })
  }
  const limits: ImageLoadLimits = { ...DEFAULT_IMAGE_LOAD_LIMITS, ...options.limits }
  const listing = listImageSources(options.input)
  const sources = listing.sources
  if (sources.length === 0 && listing.problems.length === 0) {
    throw new DriberError('INVALID_ARGUMENT', { message: `${options.input} holds no images${listing.ignored > 0 ? ` (only ${listing.ignored} other file${listing.ignored === 1 ? '' : 's'})` : ''}` })
  }

  mkdirSync(options.out, { recursive: true })
  // From here until the new manifest lands the directory is not a valid index.
  rmSync(path.join(options.out, MANIFEST_FILE), { force: true })
  const work = path.join(options.out, WORK_DIRECTORY)
  const stateFile = path.join(work, STATE_FILE)
  const logFile = path.join(work, LOG_FILE)
  const imageFile = path.join(work, IMAGE_VECTORS_FILE)
  const captionFile = path.join(work, CAPTION_VECTORS_WORK_FILE)
  mkdirSync(work, { recursive: true })

  const input = path.resolve(options.input)
  let state: State = { kind: 'images', input, embedder: embedder.id, dimension: null }
  let log: LogLine[] = []
  try {
    const previous = JSON.parse(readFileSync(stateFile, 'utf8')) as State
    if (previous.kind === 'images' && previous.input === input && previous.embedder === embedder.id) {
      log = readLog(logFile)
      const rows = log.filter((line) => 'row' in line).length
      const expectedBytes = rows * (previous.dimension ?? 0) * 4
      const sizeOf = (file: string): number => (existsSync(file) ? statSync(file).size : 0)
      if (sizeOf(imageFile) >= expectedBytes && sizeOf(captionFile) >= expectedBytes && (rows === 0 || previous.dimension !== null)) {
        // Rows past the log were written by a chunk that did not finish: they are redone.
        truncateSync(imageFile, expectedBytes)
        truncateSync(captionFile, expectedBytes)
        state = previous
      } else log = []
    }
  } catch {
    log = []
  }
  if (log.length === 0) {
    for (const file of [logFile, imageFile, captionFile]) writeFileSync(file, '')
    state = { ...state, dimension: null }
    writeFileAtomic(stateFile, JSON.stringify(state))
  }

  // A download that timed out or failed on the network may work now: a resumed build tries it again.
  const handled = new Set(log.filter((line) => !('skip' in line && TRANSIENT_SKIPS.has(line.skip))).map((line) => line.key))
  // Sources the log names but the input no longer lists are not counted (nor indexed, below).
  const resumed = sources.filter((source) => handled.has(source.key)).length
  if (resumed > 0) notice(`resuming: ${resumed} of ${sources.length} images already handled`)
  let rows = log.filter((line) => 'row' in line).length
  const seenIds = new Set<string>()
  const seenBytes = new Set<string>()
  for (const line of log) {
    if ('row' in line) {
      seenIds.add(line.record.id)
      seenBytes.add(line.sha256)
    }
  }
  const listed = new Set(sources.map((source) => source.key))
  let skippedCount = log.filter((line) => 'skip' in line && handled.has(line.key) && listed.has(line.key)).length + listing.problems.length
  const total = sources.length + listing.problems.length
  let done = resumed + listing.problems.length
  progress({ phase: 'embed', done, total, skipped: skippedCount })

  const loader = new ImageLoader(limits)
  const requestId = `index-build-${randomUUID()}`
  let embeddedNow = 0

  /** One embedder call, retried per the resilience policy. */
  const withRetries = async <T>(call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call()
      } catch (error) {
        const failure = toDriberError(error)
        if (signal.aborted) throw new DriberError('CANCELLED', { message: 'The index build was cancelled' })
        const delay = policyFor(failure).action === 'retry' && attempt < options.resilience.maxAttempts ? retryDelayMs(attempt, failure, options.resilience as ResilienceSettings) : undefined
        if (delay === undefined) throw failure
        notice(`embedder ${embedder.id} failed (${failure.code}); retry ${attempt} of ${options.resilience.maxAttempts - 1} in ${delay} ms`)
        await sleep(delay, undefined, { signal }).catch(() => {})
      }
    }
  }

  /** Vectors for images; a chunk the embedder refuses is retried image by image so one bad picture is skipped alone. */
  const embedImages = async (images: ImageInput[]): Promise<Array<Float32Array | DriberError>> => {
    const call = (batch: ImageInput[]): Promise<Float32Array[]> =>
      withRetries(async () => {
        const response = await (embedder.embedImages as NonNullable<EmbeddingModel['embedImages']>)({ images: batch, signal, requestId })
        if (response.vectors.length !== batch.length) throw new DriberError('UPSTREAM_UNAVAILABLE', { message: `Embedder ${embedder.id} returned ${response.vectors.length} vectors for ${batch.length} images` })
        return response.vectors
      })
    try {
      return await call(images)
    } catch (error) {
      const failure = toDriberError(error)
      if (failure.kind !== 'UPSTREAM_REJECTED') throw failure
      if (images.length === 1) return [failure]
      const one = await mapBounded(images, 1, async (image) => {
        try {
          return (await call([image]))[0] as Float32Array
        } catch (singleError) {
          const single = toDriberError(singleError)
          if (single.kind !== 'UPSTREAM_REJECTED') throw single
          return single
        }
      })
      return one
    }
  }

  const checkDimension = (vector: Float32Array): void => {
    if (state.dimension === null) {
      state = { ...state, dimension: vector.length }
      writeFileAtomic(stateFile, JSON.stringify(state))
    }
    if (vector.length !== state.dimension) {
      throw new DriberError('INDEX_MISMATCH', { message: `Embedder ${embedder.id} returned ${vector.length}-dimensional vectors, earlier ones had ${state.dimension}; delete ${work} to start over` })
    }
  }

  try {
    const pending = sources.filter((source) => !handled.has(source.key))
    for (let start = 0; start < pending.length; start += options.batchSize) {
      if (signal.aborted) throw new DriberError('CANCELLED', { message: 'The index build was cancelled' })
      const chunk = pending.slice(start, start + options.batchSize)
      const lines: LogLine[] = []
      const skipLine = (source: ImageSource, reason: SkipReason, detail: string): void => {
        lines.push({ key: source.key, skip: reason, id: source.id, source: describeLocation(source), detail })
      }
      // Ids first: a repeated id is skipped without reading the picture.
      const wanted = chunk.filter((source) => {
        if (!seenIds.has(source.id)) {
          seenIds.add(source.id)
          return true
        }
        skipLine(source, 'duplicate_id', `id "${source.id}" was used by an earlier image`)
        return false
      })
      const loaded = await mapBounded(wanted, options.loadConcurrency ?? 8, async (source) => ({ source, result: await loader.load(source.location, signal) }))
      const usable: Array<{ source: ImageSource; image: ImageInput; sha256: string }> = []
      for (const { source, result } of loaded) {
        if (!result.ok) {
          seenIds.delete(source.id)
          skipLine(source, result.reason, result.detail)
          continue
        }
        const digest = createHash('sha256').update(result.bytes).digest('hex')
        if (seenBytes.has(digest)) {
          skipLine(source, 'duplicate_image', `${describeLocation(source)} has the same bytes as an earlier image`)
          continue
        }
        seenBytes.add(digest)
        usable.push({ source, image: { bytes: result.bytes, mediaType: result.mediaType }, sha256: digest })
      }

      const imageVectors = usable.length === 0 ? [] : await embedImages(usable.map((item) => item.image))
      const embeddedItems: Array<{ item: (typeof usable)[number]; vector: Float32Array }> = []
      usable.forEach((item, index) => {
        const vector = imageVectors[index] as Float32Array | DriberError
        if (vector instanceof DriberError) {
          seenIds.delete(item.source.id)
          seenBytes.delete(item.sha256)
          skipLine(item.source, 'embedder_rejected', vector.message)
        } else embeddedItems.push({ item, vector })
      })
      const captioned = embeddedItems.filter((entry) => entry.item.source.caption.length > 0)
      const captionVectors =
        captioned.length === 0
          ? []
          : await withRetries(async () => (await embedder.embed({ texts: captioned.map((entry) => entry.item.source.caption), signal, requestId })).vectors)

      const dimension = (): number => state.dimension as number
      const imageRows: Float32Array[] = []
      const captionRows: Float32Array[] = []
      let captionIndex = 0
      for (const { item, vector } of embeddedItems) {
        checkDimension(vector)
        normaliseInPlace(vector, `image "${item.source.id}"`)
        let caption = new Float32Array(dimension())
        if (item.source.caption.length > 0) {
          caption = Float32Array.from(captionVectors[captionIndex++] as Float32Array)
          checkDimension(caption)
          normaliseInPlace(caption, `the caption of image "${item.source.id}"`)
        }
        imageRows.push(vector)
        captionRows.push(caption)
        const location = item.source.location
        const record: ImageRecord =
          location.kind === 'file'
            ? { id: item.source.id, url: pathToFileURL(location.path).href, caption: item.source.caption, labels: item.source.labels, path: location.path }
            : { id: item.source.id, url: location.url, caption: item.source.caption, labels: item.source.labels }
        lines.push({ key: item.source.key, row: rows++, record, sha256: item.sha256, captioned: item.source.caption.length > 0 })
      }
      // Vectors before the log: the log never names a row that is not on disk.
      const pack = (vectors: Float32Array[]): Buffer => {
        const packed = new Float32Array(vectors.length * (state.dimension ?? 0))
        vectors.forEach((vector, index) => packed.set(vector, index * (state.dimension ?? 0)))
        return vectorsToBytes(packed)
      }
      if (imageRows.length > 0) {
        appendFileSync(imageFile, pack(imageRows))
        appendFileSync(captionFile, pack(captionRows))
      }
      appendFileSync(logFile, lines.map((line) => `${JSON.stringify(line)}\n`).join(''))
      embeddedNow += imageRows.length
      skippedCount += lines.filter((line) => 'skip' in line).length
      done += chunk.length
      progress({ phase: 'embed', done, total, skipped: skippedCount })
    }
  } finally {
    await loader.close()
  }

  // Everything is on disk now, from this run or an interrupted one: the log and the vector files are the one source of truth.
  // The last line of a key wins (a transient skip retried by this run); sources no longer listed are left out.
  const current = new Set(sources.map((source) => source.key))
  const latest = new Map<string, LogLine>()
  for (const line of readLog(logFile)) if (current.has(line.key)) latest.set(line.key, line)
  const finalLog = [...latest.values()]
  const dimension = state.dimension ?? embedder.dimension ?? 0
  const allImages = bytesToVectors(readFileSync(imageFile))
  const allCaptions = bytesToVectors(readFileSync(captionFile))
  // Row order is embedding order, as in a build that was never interrupted.
  const kept = finalLog.filter((line): line is Extract<LogLine, { row: number }> => 'row' in line).sort((a, b) => a.row - b.row)
  const vectors = new Float32Array(kept.length * dimension)
  const captionVectors = new Float32Array(kept.length * dimension)
  kept.forEach((line, index) => {
    vectors.set(allImages.subarray(line.row * dimension, (line.row + 1) * dimension), index * dimension)
    captionVectors.set(allCaptions.subarray(line.row * dimension, (line.row + 1) * dimension), index * dimension)
  })
  const records = kept.map((line) => line.record)
  const captioned = kept.filter((line) => line.captioned).length

  const skippedImages: SkippedImage[] = listing.problems.map((problem) => ({ id: '', source: problem.where, reason: 'invalid_row' as const, detail: problem.detail }))
  for (const line of finalLog) if ('skip' in line) skippedImages.push({ id: line.id, source: line.source, reason: line.skip, detail: line.detail })
  const skipped = emptyCounts()
  for (const item of skippedImages) skipped[item.reason]++

  if (records.length === 0) {
    // An empty index would serve nothing and look healthy: say so instead.
    writeFileSync(path.join(options.out, SKIPPED_FILE), skippedImages.map((item) => `${JSON.stringify(item)}\n`).join(''))
    rmSync(work, { recursive: true, force: true })
    const reasons = Object.entries(skipped).filter(([, count]) => count > 0).map(([reason, count]) => `${reason} ${count}`)
    throw new DriberError('INVALID_ARGUMENT', {
      message: `None of the ${total} images could be indexed (${reasons.join(', ')}); see ${path.join(options.out, SKIPPED_FILE)}`,
      details: { skipped: Object.fromEntries(Object.entries(skipped).filter(([, count]) => count > 0)) },
    })
  }

  let hnsw: IndexManifest['hnsw']
  if (options.hnsw !== undefined) {
    const parameters = { m: options.hnsw.m, efConstruction: options.hnsw.efConstruction, seed: options.hnsw.seed ?? 100 }
    const store = HnswVectorStore.build({ vectors, dimension, records }, { ...parameters, efSearch: parameters.efConstruction }, (graphDone, graphTotal) =>
      progress({ phase: 'hnsw', done: graphDone, total: graphTotal, skipped: skippedCount }),
    )
    store.writeGraph(path.join(options.out, HNSW_FILE))
    hnsw = parameters
  } else rmSync(path.join(options.out, HNSW_FILE), { force: true })

  progress({ phase: 'write', done: 0, total: 1, skipped: skippedCount })
  writeFileSync(path.join(options.out, SKIPPED_FILE), skippedImages.map((item) => `${JSON.stringify(item)}\n`).join(''))
  const manifest = writeIndexDirectory(options.out, {
    embedder: embedder.id,
    dimension,
    vectors,
    records,
    modality: 'image',
    ...(captioned > 0 ? { captionVectors } : {}),
    ...(hnsw === undefined ? {} : { hnsw }),
    images: { input: path.basename(input), kind: listing.kind, sources: total, skipped: Object.fromEntries(Object.entries(skipped).filter(([, count]) => count > 0)) },
    ...(options.now === undefined ? {} : { now: options.now }),
  })
  progress({ phase: 'write', done: 1, total: 1, skipped: skippedCount })
  rmSync(work, { recursive: true, force: true })
  return { manifest, sources: total, embedded: embeddedNow, resumed, skipped, skippedImages, ignored: listing.ignored, captioned }
}
