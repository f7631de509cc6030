/**
 * `driber index build`: turns a JSONL or CSV gallery into an index directory the service loads
 * (`retrieval.indexes[].path`). Embeds captions with a registry embedder; resumable. With
 * `--images` it embeds the pictures themselves (a folder, or a list of files and URLs) with an
 * image-capable embedder; also resumable, and bad images are skipped and counted.
 */
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { loadConfig, runningInCi } from '../../config.js'
import { isDriberError } from '../../errors.js'
import { buildImageIndex, SKIPPED_FILE, type BuildImageIndexResult, type ImageBuildProgress } from '../../retrieval/image-index-builder.js'
import { buildIndex, type BuildPhase, type BuildProgress } from '../../retrieval/index-builder.js'
import { openRegistryEmbedders } from '../../retrieval/open-registry-embedders.js'
import { positiveIntegerOption } from '../positive-integer-option.js'

const usage = `usage: driber index build --input FILE.jsonl|FILE.csv --out DIR --embedder ID [options]
       driber index build --images FOLDER|FILE.jsonl|FILE.csv --out DIR --embedder ID [options]

Builds an image index directory from a gallery of {id, url, caption?, labels?, vector?} rows
(captions embedded as text), or with --images from the pictures themselves.
  --input FILE          JSONL, or CSV with a header (labels separated by |)
  --images PATH         a folder (recursively: jpg, jpeg, png, webp, gif, recognised by their bytes)
                        or a JSONL/CSV list of {id?, url | path, caption?, labels?}; needs an
                        embedder with modalities [text, image]. Captions become caption vectors
                        for hybrid search; labels stay as metadata for filters
  --max-bytes N         --images: largest image accepted (default 10485760)
  --timeout-ms N        --images: download budget per URL (default 15000)
  --max-redirects N     --images: redirects followed per URL (default 5)
  --concurrency N       --images: images read or downloaded at once (default 8)
  --out DIR             index directory to write (an interrupted build there resumes)
  --embedder ID         embedder id from the model registry (must match the serving config)
  --batch N             captions per embedder call; with --images, images per chunk (default 64)
  --keep-identical-vectors  keep rows whose vector equals an earlier row's (different pictures
                        with the same caption); by default they are dropped
  --hnsw                also build the HNSW graph (hnsw.bin) so the hnsw backend loads it instead of building
  --m N                 HNSW graph degree (default: config retrieval.hnsw.m)
  --ef-construction N   HNSW build breadth (default: config retrieval.hnsw.efConstruction)
  --registry FILE       model registry (default: config)
`

const phaseNames: Record<BuildPhase, string> = { read: 'read', embed: 'embed', hnsw: 'hnsw', write: 'write' }

/** A bar per phase on a terminal; in CI or when piped, a line per tenth of each phase. */
const progressPrinter = (stream: NodeJS.WriteStream, fancy: boolean): { update(progress: BuildProgress): void; stop(): void } => {
  let phase: BuildPhase | undefined
  let bar: cliProgress.SingleBar | undefined
  let lastTenth = -1
  return {
    update(progress) {
      if (progress.phase !== phase) {
        bar?.stop()
        bar = undefined
        phase = progress.phase
        lastTenth = -1
        if (fancy && progress.total > 1) {
          bar = new cliProgress.SingleBar({ format: `${phaseNames[progress.phase].padEnd(6)} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}`, stream, hideCursor: true }, cliProgress.Presets.shades_classic)
          bar.start(progress.total, progress.done)
        }
      }
      if (bar !== undefined) {
        bar.update(progress.done)
        return
      }
      const tenth = progress.total === 0 ? 10 : Math.floor((progress.done / progress.total) * 10)
      if (tenth > lastTenth) {
        lastTenth = tenth
        stream.write(`${phaseNames[progress.phase]}: ${progress.done}/${progress.total}\n`)
      }
    },
    stop() {
      bar?.stop()
    },
  }
}

/**
 * The --images bar: images handled, images per second, time left and failures so far. On a
 * terminal a live bar; otherwise a line per tenth of the way.
 */
export const imageProgressPrinter = (stream: NodeJS.WritableStream & { isTTY?: boolean }, fancy: boolean, now: () => number = Date.now): { update(progress: ImageBuildProgress): void; stop(): void } => {
  let phase: ImageBuildProgress['phase'] | undefined
  let bar: cliProgress.SingleBar | undefined
  let lastTenth = -1
  let startedAt = now()
  let startedDone = 0
  const figures = (progress: ImageBuildProgress): { rate: string; eta: string; failures: number } => {
    const seconds = (now() - startedAt) / 1000
    const perSecond = seconds > 0 ? (progress.done - startedDone) / seconds : 0
    const left = perSecond > 0 ? Math.ceil((progress.total - progress.done) / perSecond) : undefined
    return { rate: perSecond.toFixed(1), eta: left === undefined ? '?' : `${left}s`, failures: progress.skipped }
  }
  return {
    update(progress) {
      if (progress.phase !== phase) {
        bar?.stop()
        bar = undefined
        phase = progress.phase
        lastTenth = -1
        // Rates count this run only: images handled by an interrupted run took no time now.
        startedAt = now()
        startedDone = progress.done
        if (fancy && progress.total > 1) {
          const label = progress.phase === 'embed' ? 'images' : progress.phase
          bar = new cliProgress.SingleBar(
            { format: `${label.padEnd(6)} [{bar}] {value}/{total} {rate} images/s eta {eta} failures {failures}`, stream: stream as NodeJS.WriteStream, hideCursor: true },
            cliProgress.Presets.shades_classic,
          )
          bar.start(progress.total, progress.done, figures(progress))
        }
      }
      if (bar !== undefined) {
        bar.update(progress.done, figures(progress))
        return
      }
      const tenth = progress.total === 0 ? 10 : Math.floor((progress.done / progress.total) * 10)
      if (tenth > lastTenth) {
        lastTenth = tenth
        const { rate, eta, failures } = figures(progress)
        stream.write(progress.phase === 'embed' ? `images: ${progress.done}/${progress.total} ${rate} images/s eta ${eta} failures ${failures}\n` : `${progress.phase}: ${progress.done}/${progress.total}\n`)
      }
    },
    stop() {
      bar?.stop()
    },
  }
}

/** The human summary of an image build (stderr); stdout gets the JSON. */
const imageSummary = (result: BuildImageIndexResult, out: string): string => {
  const reasons = Object.entries(result.skipped).filter(([, count]) => count > 0)
  const skippedTotal = reasons.reduce((sum, [, count]) => sum + count, 0)
  const lines = [
    `${result.manifest.count} images indexed from ${result.sources} (${result.embedded} embedded now, ${result.resumed} handled by an earlier run; ${result.captioned} with caption vectors)`,
    skippedTotal === 0 ? 'skipped: none' : `skipped ${skippedTotal}: ${reasons.map(([reason, count]) => `${reason} ${count}`).join(', ')} (details in ${out}/${SKIPPED_FILE})`,
  ]
  for (const item of result.skippedImages.slice(0, 10)) lines.push(`  ${item.reason}: ${item.detail}`)
  if (result.skippedImages.length > 10) lines.push(`  ... and ${result.skippedImages.length - 10} more`)
  if (result.ignored > 0) lines.push(result.ignored === 1 ? '1 file in the folder is not an image and was left alone' : `${result.ignored} files in the folder are not images and were left alone`)
  return `${lines.join('\n')}\n`
}

export const run = async (argv: string[]): Promise<number> => {
  const [subcommand, ...rest] = argv
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    process.stdout.write(usage)
    return subcommand === undefined ? 2 : 0
  }
  if (subcommand !== 'build') {
    process.stderr.write(`driber index: unknown subcommand "${subcommand}"\n${usage}`)
    return 2
  }
  let values: Record<string, string | boolean | undefined>
  let batch: number
  let m: number | undefined
  let efConstruction: number | undefined
  let maxBytes: number | undefined
  let timeoutMs: number | undefined
  let maxRedirects: number | undefined
  let concurrency: number | undefined
  try {
    values = parseArgs({
      args: rest,
      options: {
        input: { type: 'string' },
        images: { type: 'string' },
        'max-bytes': { type: 'string' },
        'timeout-ms': { type: 'string' },
        'max-redirects': { type: 'string' },
        concurrency: { type: 'string' },
        out: { type: 'string' },
        embedder: { type: 'string' },
        batch: { type: 'string' },
        hnsw: { type: 'boolean' },
        'keep-identical-vectors': { type: 'boolean' },
        m: { type: 'string' },
        'ef-construction': { type: 'string' },
        registry: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values
    if (values.help === true) {
      process.stdout.write(usage)
      return 0
    }
    if ((typeof values.input === 'string') === (typeof values.images === 'string')) throw new Error('give exactly one of --input (a caption gallery) or --images (pictures)')
    for (const required of ['out', 'embedder']) if (typeof values[required] !== 'string') throw new Error(`--${required} is required`)
    batch = positiveIntegerOption('batch', values.batch as string | undefined) ?? 64
    maxBytes = positiveIntegerOption('max-bytes', values['max-bytes'] as string | undefined)
    timeoutMs = positiveIntegerOption('timeout-ms', values['timeout-ms'] as string | undefined)
    concurrency = positiveIntegerOption('concurrency', values.concurrency as string | undefined)
    if (typeof values['max-redirects'] === 'string') {
      maxRedirects = Number(values['max-redirects'])
      if (!Number.isInteger(maxRedirects) || maxRedirects < 0) throw new Error('--max-redirects must be a whole number')
    }
    m = positiveIntegerOption('m', values.m as string | undefined)
    efConstruction = positiveIntegerOption('ef-construction', values['ef-construction'] as string | undefined)
  } catch (error) {
    process.stderr.write(`driber index build: ${(error as Error).message}\n${usage}`)
    return 2
  }

  const config = loadConfig({ overrides: typeof values.registry === 'string' ? { registryPath: values.registry } : {} })
  const registry = await openRegistryEmbedders(config)
  if (typeof values.images === 'string') {
    const printer = imageProgressPrinter(process.stderr, process.stderr.isTTY === true && !runningInCi())
    // Ctrl-C stops after the current chunk is cut short; the next run resumes from the last finished one.
    const interrupt = new AbortController()
    const onSignal = (): void => interrupt.abort()
    process.once('SIGINT', onSignal)
    try {
      const result = await buildImageIndex({
        input: values.images,
        out: values.out as string,
        embedder: registry.embedder(values.embedder as string),
        batchSize: batch,
        resilience: config.resilience,
        ...(concurrency === undefined ? {} : { loadConcurrency: concurrency }),
        limits: { ...(maxBytes === undefined ? {} : { maxBytes }), ...(timeoutMs === undefined ? {} : { timeoutMs }), ...(maxRedirects === undefined ? {} : { maxRedirects }) },
        ...(values.hnsw === true ? { hnsw: { m: m ?? config.retrieval.hnsw.m, efConstruction: efConstruction ?? config.retrieval.hnsw.efConstruction } } : {}),
        onProgress: (progress) => printer.update(progress),
        onNotice: (message) => process.stderr.write(`${message}\n`),
        signal: interrupt.signal,
      })
      printer.stop()
      process.stderr.write(imageSummary(result, values.out as string))
      const { manifest } = result
      process.stdout.write(
        `${JSON.stringify({ out: values.out, embedder: manifest.embedder, modality: 'image', dimension: manifest.dimension, count: manifest.count, captioned: result.captioned, hnsw: manifest.hnsw ?? null, sources: result.sources, embedded: result.embedded, resumed: result.resumed, skipped: result.skipped })}\n`,
      )
      return 0
    } catch (error) {
      printer.stop()
      const code = isDriberError(error) ? ` [${error.code}]` : ''
      process.stderr.write(`driber index build: ${(error as Error).message}${code}\n`)
      if (!isDriberError(error) || error.retryable || error.kind === 'CANCELLED') process.stderr.write('run the same command again to resume from the last finished chunk\n')
      return 1
    } finally {
      process.off('SIGINT', onSignal)
      await registry.close()
    }
  }
  const printer = progressPrinter(process.stderr, process.stderr.isTTY === true && !runningInCi())
  try {
    const result = await buildIndex({
      input: values.input as string,
      out: values.out as string,
      embedder: registry.embedder(values.embedder as string),
      batchSize: batch,
      dropDuplicateVectors: values['keep-identical-vectors'] !== true,
      ...(values.hnsw === true ? { hnsw: { m: m ?? config.retrieval.hnsw.m, efConstruction: efConstruction ?? config.retrieval.hnsw.efConstruction } } : {}),
      onProgress: (progress) => printer.update(progress),
      onNotice: (message) => process.stderr.write(`${message}\n`),
    })
    printer.stop()
    const { manifest } = result
    process.stdout.write(
      `${JSON.stringify({ out: values.out, embedder: manifest.embedder, dimension: manifest.dimension, count: manifest.count, hnsw: manifest.hnsw ?? null, duplicateUrls: result.duplicateUrls, duplicateVectors: result.duplicateVectors, resumedBatches: result.resumedBatches })}\n`,
    )
    return 0
  } catch (error) {
    printer.stop()
    const code = isDriberError(error) ? ` [${error.code}]` : ''
    process.stderr.write(`driber index build: ${(error as Error).message}${code}\n`)
    if (!isDriberError(error) || error.retryable) process.stderr.write('run the same command again to resume from the last finished batch\n')
    return 1
  } finally {
    await registry.close()
  }
}
