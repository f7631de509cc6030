/**
 * `driber augment`: annotates a dialogue dataset with image-sharing predictions through the
 * in-process core and appends one JSONL line per dialogue to OUT; re-running skips what is done.
 * Ctrl-C stops starting new dialogues, lets the ones in flight finish and prints the summary.
 */
import { parseArgs } from 'node:util'
import pino from 'pino'
import { loadConfig } from '../../config.js'
import { RESTRICTIONS, type Restriction } from '../../core/types.js'
import { augmentDataset } from '../../evaluation/augment-dataset.js'
import { readPhotoChat } from '../../evaluation/photochat-dataset.js'
import { positiveIntegerOption } from '../positive-integer-option.js'
import { createProgressReporter } from '../progress-reporter.js'

const usage = `usage: driber augment --data FILE --out OUT.jsonl [options]

Annotates dialogues (PhotoChat JSON, or JSONL of dialogues) with predicted share turns, confidences,
intents, descriptions and retrieved image ids. Resumable: ids already in OUT are skipped.
  --data FILE          dialogues
  --out FILE           output JSONL (appended to)
  --model NAME         model id, alias or scale (default: each route's primary)
  --concurrency N      dialogues in flight (default 4)
  --k K                images retrieved per dialogue (default 5)
  --turns N            best-ranked turns annotated per dialogue (default 3)
  --restrictions LIST  Describe restrictions (default: prefix)
  --limit N            only the first N dialogues
  --index NAME         image index (default: the configured default)
  --registry FILE      model registry (default: config)
`

export const run = async (argv: string[]): Promise<number> => {
  let values
  try {
    values = parseArgs({
      args: argv,
      options: {
        data: { type: 'string' },
        out: { type: 'string' },
        model: { type: 'string' },
        concurrency: { type: 'string' },
        k: { type: 'string' },
        turns: { type: 'string' },
        restrictions: { type: 'string' },
        limit: { type: 'string' },
        index: { type: 'string' },
        registry: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values
    if (values.help === true) {
      process.stdout.write(usage)
      return 0
    }
    if (values.data === undefined || values.out === undefined) throw new Error('--data and --out are required')
    positiveIntegerOption('concurrency', values.concurrency, 4)
    positiveIntegerOption('k', values.k, 5)
    positiveIntegerOption('turns', values.turns, 3)
    positiveIntegerOption('limit', values.limit, 1)
    for (const restriction of (values.restrictions ?? 'prefix').split(',')) {
      if (!(RESTRICTIONS as readonly string[]).includes(restriction)) throw new Error(`unknown restriction "${restriction}" (known: ${RESTRICTIONS.join(', ')})`)
    }
  } catch (error) {
    process.stderr.write(`driber augment: ${(error as Error).message}\n${usage}`)
    return 2
  }
  const config = loadConfig({ overrides: values.registry === undefined ? {} : { registryPath: values.registry } })
  const all = readPhotoChat(values.data as string)
  const dialogues = values.limit === undefined ? all : all.slice(0, positiveIntegerOption('limit', values.limit, all.length))
  const { buildApp } = await import('../../app.js')
  const app = await buildApp(config, { logger: pino({ level: 'silent' }) })
  const progress = createProgressReporter()
  const stop = new AbortController()
  const onSignal = (): void => {
    process.stderr.write('\ndriber augment: interrupted; finishing the dialogues in flight (Ctrl-C again to quit now)\n')
    stop.abort()
    process.once('SIGINT', () => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  try {
    await app.ready()
    const summary = await augmentDataset(app.core, dialogues, values.out as string, {
      ...(values.model === undefined ? {} : { model: values.model }),
      concurrency: positiveIntegerOption('concurrency', values.concurrency, 4),
      k: Math.min(positiveIntegerOption('k', values.k, 5), config.limits.maxK),
      turns: positiveIntegerOption('turns', values.turns, 3),
      restrictions: (values.restrictions ?? 'prefix').split(',') as Restriction[],
      ...(values.index === undefined ? {} : { index: values.index }),
      requestMs: config.deadlines.defaultRequestMs,
      maxTurns: config.limits.maxTurns,
      signal: stop.signal,
      onProgress: (done, total) => {
        if (done === 0) progress.start('augment', total)
        else progress.update(done)
      },
    })
    progress.stop()
    process.stdout.write(`${JSON.stringify({ out: values.out, ...summary }, null, 2)}\n`)
    return stop.signal.aborted ? 130 : summary.failed > 0 ? 1 : 0
  } finally {
    process.removeListener('SIGINT', onSignal)
    progress.stop()
    await app.close({ drainMs: 0 })
  }
}
