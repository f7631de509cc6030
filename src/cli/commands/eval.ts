/**
 * `driber eval`: evaluates a registry model on PhotoChat-format data through the in-process core
 * (the same composition as the server) and writes a JSON and a Markdown report.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { resolveDataPath, type Config } from '../../config.js'
import { RESTRICTIONS, type Restriction } from '../../core/types.js'
import { EVALUATION_TASKS, evaluateModel, type EvaluationTask } from '../../evaluation/evaluate-model.js'
import { readPhotoChat, SEMANTICS, type Semantics } from '../../evaluation/photochat-dataset.js'
import { renderMarkdownReport } from '../../evaluation/render-report.js'
import { contentLemmas } from '../../providers/embedded/sentence-embedder.js'
import { positiveIntegerOption } from '../positive-integer-option.js'
import { withEvaluationApp, writeReports } from '../evaluation-app.js'

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
  --semantics turn|message|both  label sets to score (default both): turn = does the speaker's
                         next turn carry an image (the product's question); message = is the very
                         next message the photo (PhotoChat's labels, the paper's setup)
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
  semantics: Semantics[]
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
      semantics: { type: 'string' },
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
  const semanticsOption = values.semantics ?? 'both'
  if (semanticsOption !== 'both' && !(SEMANTICS as readonly string[]).includes(semanticsOption)) throw new Error('--semantics must be turn, message or both')
  if (values.seed !== undefined && !/^\d+$/.test(values.seed)) throw new Error(`--seed must be a non-negative integer, got "${values.seed}"`)
  const parsed: EvalArguments = {
    data: values.data,
    tasks: tasks as EvaluationTask[],
    concurrency: positiveIntegerOption('concurrency', values.concurrency, 4),
    seed: values.seed === undefined ? 13 : Number(values.seed),
    prefixes,
    semantics: semanticsOption === 'both' ? [...SEMANTICS] : [semanticsOption as Semantics],
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
  const options = parsed
  const dialogues = readPhotoChat(options.data)
  return withEvaluationApp(options.registry, async (app, config, progress) => {
    const gallery = options.tasks.includes('retrieve') ? galleryUrls(config, options.index) : undefined
    const report = await evaluateModel(app.core, dialogues, {
      ...(options.model === undefined ? {} : { model: options.model }),
      tasks: options.tasks,
      concurrency: options.concurrency,
      seed: options.seed,
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      prefixes: options.prefixes,
      semantics: options.semantics,
      restrictions: options.restrictions,
      ...(options.index === undefined ? {} : { index: options.index }),
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
    writeReports(options.out, { 'eval-report.json': `${JSON.stringify({ command, ...report }, null, 2)}\n`, 'eval-report.md': markdown })
    process.stdout.write(markdown)
    return 0
  })
}
