/**
 * `driber eval retrieve --index DIR --queries FILE`: Recall@1/5/10 and MRR of an index over
 * query -> gold-id pairs. Reached through `driber eval retrieve ...` (eval.ts dispatches here).
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import pino from 'pino'
import { loadConfig } from '../../config.js'
import { isDriberError } from '../../errors.js'
import { loadImageIndex } from '../../retrieval/create-image-indexes.js'
import { isIndexDirectory, readIndexDirectory } from '../../retrieval/index-directory.js'
import { openRegistryEmbedders } from '../../retrieval/open-registry-embedders.js'
import { evaluateRetrieval, readRetrievalQueries } from '../../retrieval/retrieval-evaluation.js'
import { positiveIntegerOption } from '../positive-integer-option.js'

const usage = `usage: driber eval retrieve --index DIR|FILE.jsonl --queries FILE [options]

Scores retrieval: Recall@1/5/10 and MRR (over the top 10) of the gold image per query.
  --index PATH          an index directory (driber index build) or a JSONL gallery
  --queries FILE        JSONL of {"query": string or [string], "gold_id": string}
  --embedder ID         registry embedder (default: the index's own; required for a JSONL gallery)
  --backend NAME        memory (exact, default) or hnsw
  --ef N                HNSW search breadth
  --registry FILE       model registry (default: config)
`

export const run = async (argv: string[]): Promise<number> => {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: argv,
      options: {
        index: { type: 'string' },
        queries: { type: 'string' },
        embedder: { type: 'string' },
        backend: { type: 'string' },
        ef: { type: 'string' },
        registry: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values
    if (values.help === true) {
      process.stdout.write(usage)
      return 0
    }
    for (const required of ['index', 'queries']) if (typeof values[required] !== 'string') throw new Error(`--${required} is required`)
    if (values.backend !== undefined && values.backend !== 'memory' && values.backend !== 'hnsw') throw new Error('--backend must be memory or hnsw')
    positiveIntegerOption('ef', values.ef as string | undefined)
  } catch (error) {
    process.stderr.write(`driber eval retrieve: ${(error as Error).message}\n${usage}`)
    return 2
  }
  const indexPath = path.resolve(values.index as string)
  const config = loadConfig({ overrides: typeof values.registry === 'string' ? { registryPath: values.registry } : {} })
  const registry = await openRegistryEmbedders(config)
  try {
    const embedder = (values.embedder as string | undefined) ?? (isIndexDirectory(indexPath) ? readIndexDirectory(indexPath, { verifyChecksums: false }).manifest.embedder : undefined)
    if (embedder === undefined) throw new Error('--embedder is required for a JSONL gallery')
    const queries = readRetrievalQueries(values.queries as string)
    const index = await loadImageIndex(
      { name: 'eval', path: indexPath, embedder, backend: (values.backend as 'memory' | 'hnsw' | undefined) ?? 'memory' },
      { config, embedders: registry, logger: pino({ level: 'silent' }) },
    )
    const evaluation = await evaluateRetrieval(index, queries, values.ef === undefined ? {} : { ef: Number(values.ef) })
    process.stdout.write(`${JSON.stringify({ index: indexPath, embedder, backend: index.store.backend, queries: evaluation.queries, ...evaluation.scores }, null, 2)}\n`)
    return 0
  } catch (error) {
    const code = isDriberError(error) ? ` [${error.code}]` : ''
    process.stderr.write(`driber eval retrieve: ${(error as Error).message}${code}\n`)
    return 1
  } finally {
    await registry.close()
  }
}
