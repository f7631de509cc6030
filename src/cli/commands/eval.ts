/**
 * `driber eval`: evaluates a registry model on PhotoChat-format data through the in-process core
 * (the same composition as the server) and writes a JSON and a Markdown report.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import pino from 'pino'
import { loadConfig, resolveDataPath, type Config } from '../../config.js'
import { RESTRICTIONS, type Restriction } from '../../core/types.js'
import { EVALUATION_TASKS, evaluateModel, type EvaluationTask } from '../../evaluation/evaluate-model.js'
import { readPhotoChat } from '../../evaluation/photochat-dataset.js'
import { renderMarkdownReport } from '../../evaluation/render-report.js'
import { contentLemmas } from '../../providers/embedded/sentence-embedder.js'
import { positiveIntegerOption } from '../positive-integer-option.js'
import { createProgressReporter } from '../progress-reporter.js'

const usage = `usage: driber eval --data FILE [options]

Evaluates a model from the registry on PhotoChat-format dialogues (JSON array or JSONL).
(To score an image index alone: driber eval retrieve --index DIR --queries FILE; see --help there.
 To choose cascade thresholds: driber eval --cascade --data FILE; see --help there.)
  --data FILE            dialogues (e.g. ../shared/data/photochat/dev.json)
  --model NAME           model id, alias or scale (default: each route's primary)
  --tasks LIST           comma-separated: ${EVALUATION_TASKS.join(',')} (default: all)
  --concurrency N        calls in flight (default 4)
  --limit N              only the first N dialogues
  --seed S               seed for the balanced set and the random baselines (default 13)
  --prefixes all|balanced  Decide on every prefix (default) or only on the balanced set
  --restrictions LIST    Describe restrictions (default: prefix)
  --index NAME           image index for Retrieve (default: the configured default)
  --registry FILE        model registry (default: config)
  --out DIR              write eval-report.json and eval-report.md there
`

export interface EvalArguments {
  data: string
  model?: string
  tasks: EvaluationTask[]
  concurrency: number
  limit?: number
  seed: number
  prefixes: 'all' | 'balanced'
  restrictions: Restriction[]
  index?: string
  registry?: string
  out?: string
}

/** Parses the command line; throws an Error with a usage message on bad input. */
export const parseEvalArguments = (argv: string[]): EvalArguments | 'help' => {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      model: { type: 'string' },
      tasks: { type: 'string' },
      concurrency: { type: 'string' },
      limit: { type: 'string' },
      seed: { type: 'string' },
      prefixes: { type: 'string' },
      restrictions: { type: 'string' },
      index: { type: 'string' },
      registry: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help === true) return 'help'
  if (values.data === undefined) throw new Error('--data is required')
  const tasks = (values.tasks ?? EVALUATION_TASKS.join(',')).split(',').map((task) => task.trim()).filter((task) => task.length > 0)
  for (const task of tasks) if (!(EVALUATION_TASKS as readonly string[]).includes(task)) throw new Error(`unknown task "${task}" (known: ${EVALUATION_TASKS.join(', ')})`)
  const restrictions = (values.restrictions ?? 'prefix').split(',').map((item) => item.trim()).filter((item) => item.length > 0)
  for (const restriction of restrictions) if (!(RESTRICTIONS as readonly string[]).includes(restriction)) throw new Error(`unknown restriction "${restriction}" (known: ${RESTRICTIONS.join(', ')})`)
  const prefixes = values.prefixes ?? 'all'
  if (prefixes !== 'all' && prefixes !== 'balanced') throw new Error('--prefixes must be all or balanced')
  if (values.seed !== undefined && !/^\d+$/.test(values.seed)) throw new Error(`--seed must be a non-negative integer, got "${values.seed}"`)
  const parsed: EvalArguments = {
    data: values.data,
    tasks: tasks as EvaluationTask[],
    concurrency: positiveIntegerOption('concurrency', values.concurrency, 4),
    seed: values.seed === undefined ? 13 : Number(values.seed),
    prefixes,
    restrictions: restrictions as Restriction[],
  }
  const limit = positiveIntegerOption('limit', values.limit)
  if (limit !== undefined) parsed.limit = limit
  if (values.model !== undefined) parsed.model = values.model
  if (values.index !== undefined) parsed.index = values.index
  if (values.registry !== undefined) parsed.registry = values.registry
  if (values.out !== undefined) parsed.out = values.out
  return parsed
}

/** URLs of a JSONL gallery, when the index is a plain JSONL file (index directories are not read here). */
export const galleryUrls = (config: Config, name?: string): Set<string> | undefined => {
  const entry = config.retrieval.indexes.find((index) => index.name === (name ?? config.retrieval.defaultIndex))
  if (entry === undefined || !entry.path.endsWith('.jsonl')) return undefined
  try {
    const urls = new Set<string>()
    for (const line of readFileSync(resolveDataPath(entry.path), 'utf8').split('\n')) {
      if (line.trim() === '') continue
      const record = JSON.parse(line) as { url?: unknown }
      if (typeof record.url === 'string') urls.add(record.url)
    }
    return urls
  } catch {
    return undefined
  }
}

export const run = async (argv: string[]): Promise<number> => {
  // `driber eval retrieve --index DIR --queries FILE` scores an index alone (src/retrieval owns it).
  if (argv[0] === 'retrieve') return (await import('./eval-retrieve.js')).run(argv.slice(1))
  // `driber eval --cascade ...` chooses cascade thresholds (src/evaluation/cascade-evaluation.ts).
  if (argv.includes('--cascade')) return (await import('./eval-cascade.js')).run(argv.filter((arg) => arg !== '--cascade'))
  let parsed: EvalArguments | 'help'
  try {
    parsed = parseEvalArguments(argv)
  } catch (error) {
    process.stderr.write(`driber eval: ${(error as Error).message}\n${usage}`)
    return 2
  }
  if (parsed === 'help') {
    process.stdout.write(usage)
    return 0
  }
  const config = loadConfig({ overrides: parsed.registry === undefined ? {} : { registryPath: parsed.registry } })
  const dialogues = readPhotoChat(parsed.data)
  // The same composition as the server, without listening.
  const { buildApp } = await import('../../app.js')
  const app = await buildApp(config, { logger: pino({ level: 'silent' }) })
  const progress = createProgressReporter()
  try {
    await app.ready()
    const gallery = parsed.tasks.includes('retrieve') ? galleryUrls(config, parsed.index) : undefined
    const report = await evaluateModel(app.core, dialogues, {
      ...(parsed.model === undefined ? {} : { model: parsed.model }),
      tasks: parsed.tasks,
      concurrency: parsed.concurrency,
      seed: parsed.seed,
      ...(parsed.limit === undefined ? {} : { limit: parsed.limit }),
      prefixes: parsed.prefixes,
      restrictions: parsed.restrictions,
      ...(parsed.index === undefined ? {} : { index: parsed.index }),
      ...(gallery === undefined ? {} : { galleryUrls: gallery }),
      retrieveK: config.limits.maxK,
      requestMs: config.deadlines.defaultRequestMs,
      lemmatise: contentLemmas,
      onProgress: ({ task, done, total }) => {
        if (done === 0) progress.start(task, total)
        else progress.update(done)
        if (done === total) progress.stop()
      },
    })
    const command = `driber eval ${argv.join(' ')}`
    const markdown = renderMarkdownReport(report, command)
    if (parsed.out !== undefined) {
      mkdirSync(parsed.out, { recursive: true })
      writeFileSync(path.join(parsed.out, 'eval-report.json'), `${JSON.stringify({ command, ...report }, null, 2)}\n`)
      writeFileSync(path.join(parsed.out, 'eval-report.md'), markdown)
    }
    process.stdout.write(markdown)
    return 0
  } finally {
    progress.stop()
    await app.close({ drainMs: 0 })
  }
}
