/**
 * `driber eval --cascade`: runs each model of a cascade once over labelled PhotoChat-format
 * dialogues, replays the cascade for a range of thresholds, and reports quality against cost with
 * a recommended `min_confidence` (Markdown table, JSON, and an SVG plot).
 */
import { parseArgs } from 'node:util'
import { collectAnswers, DEFAULT_THRESHOLDS, evaluateCascade, renderCascadeMarkdown, renderCascadeSvg } from '../../evaluation/cascade-evaluation.js'
import { balancedSelection } from '../../evaluation/evaluate-model.js'
import { everyPrefix, readPhotoChat, SEMANTICS, type NextTurnItem, type Semantics } from '../../evaluation/photochat-dataset.js'
import { positiveIntegerOption } from '../positive-integer-option.js'
import { withEvaluationApp, writeReports } from '../evaluation-app.js'

const usage = `usage: driber eval --cascade --data FILE [options]

Runs each model of a Decide cascade once over labelled dialogues, then reports macro-F1, the share
of requests escalated and the tokens spent for each min_confidence, and recommends the cheapest
threshold whose quality stays within --margin of the largest model alone.
  --data FILE            PhotoChat-format dialogues (e.g. ../shared/data/photochat/dev.json)
  --models LIST          the cascade, smallest first (default: the registry's decide route)
  --prefixes balanced|all  Decide items: the balanced set (default) or every prefix
  --semantics turn|message  labels: the product's turn semantics (default) or PhotoChat's message labels
  --margin POINTS        macro-F1 points the cascade may lose against the largest model (default 1)
  --thresholds A:B:STEP  thresholds to try (default 0.50:0.99:0.01, and 1)
  --limit N              only the first N dialogues
  --concurrency N        calls in flight (default 4)
  --seed S               seed for the balanced set (default 13)
  --registry FILE        model registry (default: config)
  --out DIR              write cascade-report.json, cascade-report.md and cascade-report.svg there
`

export interface EvalCascadeArguments {
  data: string
  models?: string[]
  prefixes: 'all' | 'balanced'
  semantics: Semantics
  margin: number
  thresholds: number[]
  limit?: number
  concurrency: number
  seed: number
  registry?: string
  out?: string
}

const parseThresholds = (raw: string): number[] => {
  const match = /^(\d*\.?\d+):(\d*\.?\d+):(\d*\.?\d+)$/.exec(raw)
  if (match === null) throw new Error(`--thresholds must be FROM:TO:STEP such as 0.5:0.95:0.05, got "${raw}"`)
  const [from, to, step] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (!(from >= 0 && to <= 1 && from <= to && step > 0)) throw new Error('--thresholds needs 0 <= FROM <= TO <= 1 and STEP > 0')
  const values: number[] = []
  for (let index = 0; from + index * step <= to + 1e-9; index++) values.push(Math.round((from + index * step) * 10_000) / 10_000)
  return values
}

/** Parses the command line (without `--cascade`); throws an Error with a usage message on bad input. */
export const parseEvalCascadeArguments = (argv: string[]): EvalCascadeArguments | 'help' => {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      models: { type: 'string' },
      prefixes: { type: 'string' },
      semantics: { type: 'string' },
      margin: { type: 'string' },
      thresholds: { type: 'string' },
      limit: { type: 'string' },
      concurrency: { type: 'string' },
      seed: { type: 'string' },
      registry: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help === true) return 'help'
  if (values.data === undefined) throw new Error('--data is required')
  const prefixes = values.prefixes ?? 'balanced'
  if (prefixes !== 'all' && prefixes !== 'balanced') throw new Error('--prefixes must be balanced or all')
  const semantics = values.semantics ?? 'turn'
  if (!(SEMANTICS as readonly string[]).includes(semantics)) throw new Error(`--semantics must be ${SEMANTICS.join(' or ')}`)
  const margin = values.margin === undefined ? 1 : Number(values.margin)
  if (!Number.isFinite(margin) || margin < 0) throw new Error(`--margin must be a non-negative number of macro-F1 points, got "${values.margin}"`)
  if (values.seed !== undefined && !/^\d+$/.test(values.seed)) throw new Error(`--seed must be a non-negative integer, got "${values.seed}"`)
  const parsed: EvalCascadeArguments = {
    data: values.data,
    prefixes,
    semantics: semantics as Semantics,
    margin,
    thresholds: values.thresholds === undefined ? [...DEFAULT_THRESHOLDS] : parseThresholds(values.thresholds),
    concurrency: positiveIntegerOption('concurrency', values.concurrency, 4),
    seed: values.seed === undefined ? 13 : Number(values.seed),
  }
  if (values.models !== undefined) {
    const models = values.models.split(',').map((model) => model.trim()).filter((model) => model.length > 0)
    if (models.length < 2) throw new Error('--models needs at least two models, smallest first')
    parsed.models = models
  }
  const limit = positiveIntegerOption('limit', values.limit)
  if (limit !== undefined) parsed.limit = limit
  if (values.registry !== undefined) parsed.registry = values.registry
  if (values.out !== undefined) parsed.out = values.out
  return parsed
}

/** The Decide items: every prefix of every dialogue, or the balanced set (one positive, one negative each). */
export const cascadeItems = (dialogues: ReturnType<typeof readPhotoChat>, prefixes: 'all' | 'balanced', seed: number, semantics: Semantics = 'turn'): NextTurnItem[] => {
  const byDialogue = dialogues.map((dialogue) => everyPrefix(dialogue, semantics))
  if (prefixes === 'all') return byDialogue.flat()
  return balancedSelection(byDialogue, seed).map(([dialogue, item]) => (byDialogue[dialogue] as NextTurnItem[])[item] as NextTurnItem)
}

export const run = async (argv: string[]): Promise<number> => {
  let parsed: EvalCascadeArguments | 'help'
  try {
    parsed = parseEvalCascadeArguments(argv)
  } catch (error) {
    process.stderr.write(`driber eval --cascade: ${(error as Error).message}\n${usage}`)
    return 2
  }
  if (parsed === 'help') {
    process.stdout.write(usage)
    return 0
  }
  const options = parsed
  const all = readPhotoChat(options.data)
  const items = cascadeItems(options.limit === undefined ? all : all.slice(0, options.limit), options.prefixes, options.seed, options.semantics)
  return withEvaluationApp(options.registry, async (app, config, progress) => {
    const models = options.models ?? app.registry.list().routes.decide ?? []
    if (models.length < 2) {
      process.stderr.write(`driber eval --cascade: the registry's decide route has ${models.length} model(s); name the cascade with --models small,large\n`)
      return 2
    }
    progress.start(`decide x ${models.length} models`, items.length * models.length)
    const answers = await collectAnswers(app.core, items, models, {
      concurrency: options.concurrency,
      requestMs: config.deadlines.defaultRequestMs,
      onProgress: (done) => progress.update(done),
    })
    progress.stop()
    const report = evaluateCascade(
      answers,
      models,
      items.map((item) => item.label),
      { thresholds: options.thresholds, margin: options.margin },
    )
    const command = `driber eval --cascade ${argv.join(' ')}`
    const markdown = renderCascadeMarkdown(report, command)
    writeReports(options.out, {
      'cascade-report.json': `${JSON.stringify({ command, ...report }, null, 2)}\n`,
      'cascade-report.md': markdown,
      'cascade-report.svg': renderCascadeSvg(report),
    })
    process.stdout.write(markdown)
    return 0
  })
}
