/**
 * Benchmark of the embedded tier: per-call latency of Decide (next turn), Decide ranking and
 * Describe through the embedded chat model (p50/p99 over PhotoChat-like dialogues), embedder
 * latency, one-off load times (vocabulary file, NLP model, Decide weights) and process memory.
 * Writes `bench/results/embedded.json`.
 *
 *   npx tsx bench/embedded.ts [--data ../shared/data/photochat/dev.json] [--calls 500] [--out FILE]
 *
 * Without --data it uses the committed test fixture, so it runs on a fresh clone.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { projectRoot } from '../src/config.js'
import type { Dialogue } from '../src/core/types.js'
import { contextBeforeShare, readPhotoChat } from '../src/evaluation/photochat-dataset.js'
import { embeddedProvider } from '../src/providers/embedded/embedded-provider.js'
import { convertPackagedEmbeddings, defaultVocabularyPath, readVocabularyFile } from '../src/providers/embedded/glove-vocabulary.js'
import { clearAnalysisCache, warmTextAnalysis } from '../src/providers/embedded/text-analysis.js'
import { clearCueCache } from '../src/providers/embedded/decide-features.js'
import { clearTermCache } from '../src/providers/embedded/lexical-features.js'
import type { ChatRequest, StageTask } from '../src/providers/provider.js'
import type { EmbedderEntry, ModelEntry } from '../src/registry/registry-schema.js'

export interface EmbeddedBenchOptions {
  data?: string
  calls?: number
  out?: string
}

export interface LatencySummary {
  calls: number
  p50_ms: number
  p99_ms: number
  mean_ms: number
}

export interface EmbeddedBenchResult {
  machine: { cpu: string; cores: number; node: string; platform: string }
  data: string
  load: { vocabulary_file_bytes: number; vocabulary_load_ms: number; vocabulary_build_ms: number | null; nlp_model_load_ms: number; runtime_load_ms: number }
  /** Uncached: every call analyses its dialogue from scratch (a new conversation). */
  latency: { decide: LatencySummary; rank: LatencySummary; describe: LatencySummary; embed: LatencySummary }
  /** Cached turn analyses, as when a live chat asks again after each new turn. */
  latency_cached: { decide: LatencySummary; rank: LatencySummary; describe: LatencySummary }
  memory: { rss_bytes: number; heap_used_bytes: number; heap_total_bytes: number; external_bytes: number }
  written_at: string
}

const percentile = (sorted: number[], fraction: number): number => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0

const summarise = (samples: number[]): LatencySummary => {
  const sorted = [...samples].sort((left, right) => left - right)
  const round = (value: number) => Math.round(value * 1000) / 1000
  return { calls: samples.length, p50_ms: round(percentile(sorted, 0.5)), p99_ms: round(percentile(sorted, 0.99)), mean_ms: round(samples.reduce((sum, value) => sum + value, 0) / Math.max(1, samples.length)) }
}

/** Runs the benchmark and writes the result file; returns the result. */
export const runEmbeddedBench = async (options: EmbeddedBenchOptions = {}): Promise<EmbeddedBenchResult> => {
  const data = options.data ?? path.join(projectRoot, 'test', 'fixtures', 'embedded', 'photochat-mini.json')
  const calls = options.calls ?? 500
  const out = options.out ?? path.join(projectRoot, 'bench', 'results', 'embedded.json')

  // One-off costs, measured first in a fresh process (as at service start), before anything else loads.
  const vocabularyFile = defaultVocabularyPath()
  let builtMs: number | null = null
  if (!existsSync(vocabularyFile)) {
    const begin = performance.now()
    convertPackagedEmbeddings({ target: vocabularyFile })
    builtMs = performance.now() - begin
  }
  const begin = performance.now()
  readVocabularyFile(vocabularyFile)
  const vocabularyLoadMs = performance.now() - begin
  let started = performance.now()
  started = performance.now()
  warmTextAnalysis()
  const nlpLoadMs = performance.now() - started
  started = performance.now()
  const { loadEmbeddedRuntime } = await import('../src/providers/embedded/embedded-runtime.js')
  loadEmbeddedRuntime()
  const runtimeLoadMs = performance.now() - started

  const contexts: Dialogue[] = readPhotoChat(data)
    .map(contextBeforeShare)
    .filter((dialogue) => dialogue.length > 0)
  const model = embeddedProvider.createChatModel({ id: 'driber-lite' } as ModelEntry, () => undefined)
  const embedder = embeddedProvider.createEmbeddingModel({ id: 'driber-lite-embed' } as EmbedderEntry, () => undefined)
  const request = (task: StageTask): ChatRequest => ({
    stage: task.stage,
    task,
    messages: [],
    output: { mode: 'json_schema', name: `driber_${task.stage}`, schema: {} },
    decoding: {},
    timeoutMs: 10_000,
    signal: new AbortController().signal,
    requestId: 'bench',
  })
  const time = async (run: (dialogue: Dialogue) => Promise<unknown>, cached = false): Promise<number[]> => {
    // Warm-up pass over a few dialogues (JIT), not recorded.
    for (const dialogue of contexts.slice(0, 10)) await run(dialogue)
    const samples: number[] = []
    for (let i = 0; i < calls; i++) {
      const dialogue = contexts[i % contexts.length] as Dialogue
      if (!cached) {
        clearAnalysisCache()
        clearCueCache()
        clearTermCache()
      } else await run(dialogue)
      const begin = performance.now()
      await run(dialogue)
      samples.push(performance.now() - begin)
    }
    return samples
  }
  // Each call includes one event-loop turn (the model yields before computing), as in the service.
  const decide = await time((dialogue) => model.chat(request({ stage: 'decide', dialogue })))
  const rank = await time((dialogue) => model.chat(request({ stage: 'rank', dialogue })))
  const describe = await time((dialogue) => model.chat(request({ stage: 'describe', dialogue, restrictions: ['prefix'], n: 3 })))
  const decideCached = await time((dialogue) => model.chat(request({ stage: 'decide', dialogue })), true)
  const rankCached = await time((dialogue) => model.chat(request({ stage: 'rank', dialogue })), true)
  const describeCached = await time((dialogue) => model.chat(request({ stage: 'describe', dialogue, restrictions: ['prefix'], n: 3 })), true)
  const embed = await time((dialogue) => embedder.embed({ texts: [dialogue.map((turn) => turn.text).join(' ')], signal: new AbortController().signal, requestId: 'bench' }))
  const memory = process.memoryUsage()
  const cpus = os.cpus()
  const result: EmbeddedBenchResult = {
    machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version, platform: `${process.platform}-${process.arch}` },
    data: path.relative(projectRoot, data) || data,
    load: {
      vocabulary_file_bytes: existsSync(vocabularyFile) ? statSync(vocabularyFile).size : 0,
      vocabulary_load_ms: Math.round(vocabularyLoadMs * 10) / 10,
      vocabulary_build_ms: builtMs === null ? null : Math.round(builtMs),
      nlp_model_load_ms: Math.round(nlpLoadMs * 10) / 10,
      runtime_load_ms: Math.round(runtimeLoadMs * 10) / 10,
    },
    latency: { decide: summarise(decide), rank: summarise(rank), describe: summarise(describe), embed: summarise(embed) },
    latency_cached: { decide: summarise(decideCached), rank: summarise(rankCached), describe: summarise(describeCached) },
    memory: { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed, heap_total_bytes: memory.heapTotal, external_bytes: memory.external },
    written_at: new Date().toISOString(),
  }
  mkdirSync(path.dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`)
  return result
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { data: { type: 'string' }, calls: { type: 'string' }, out: { type: 'string' } } })
  const result = await runEmbeddedBench({
    ...(values.data === undefined ? {} : { data: values.data }),
    ...(values.calls === undefined ? {} : { calls: Number(values.calls) }),
    ...(values.out === undefined ? {} : { out: values.out }),
  })
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
}
