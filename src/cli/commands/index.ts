/**
 * `driber index build`: turns a JSONL or CSV gallery into an index directory the service loads
 * (`retrieval.indexes[].path`). Embeds captions with a registry embedder; resumable.
 */
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { loadConfig, runningInCi } from '../../config.js'
import { isDriberError } from '../../errors.js'
import { buildIndex, type BuildPhase, type BuildProgress } from '../../retrieval/index-builder.js'
import { openRegistryEmbedders } from '../../retrieval/open-registry-embedders.js'
import { positiveIntegerOption } from '../positive-integer-option.js'

const usage = `usage: driber index build --input FILE.jsonl|FILE.csv --out DIR --embedder ID [options]

Builds an image index directory from a gallery of {id, url, caption?, labels?, vector?} rows.
  --input FILE          JSONL, or CSV with a header (labels separated by |)
  --out DIR             index directory to write (an interrupted build there resumes)
  --embedder ID         embedder id from the model registry (must match the serving config)
  --batch N             captions per embedder call (default 64)
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
  try {
    values = parseArgs({
      args: rest,
      options: {
        input: { type: 'string' },
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
    for (const required of ['input', 'out', 'embedder']) if (typeof values[required] !== 'string') throw new Error(`--${required} is required`)
    batch = positiveIntegerOption('batch', values.batch as string | undefined) ?? 64
    m = positiveIntegerOption('m', values.m as string | undefined)
    efConstruction = positiveIntegerOption('ef-construction', values['ef-construction'] as string | undefined)
  } catch (error) {
    process.stderr.write(`driber index build: ${(error as Error).message}\n${usage}`)
    return 2
  }

  const config = loadConfig({ overrides: typeof values.registry === 'string' ? { registryPath: values.registry } : {} })
  const registry = await openRegistryEmbedders(config)
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
