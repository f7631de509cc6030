/**
 * Retrieval benchmark: for each gallery size, random 512-d unit vectors (generated here, never
 * stored) served by the exact backend and by HNSW (hnswlib-node), measuring
 *
 *   - build time and memory (RSS and external memory growth) of each backend,
 *   - p50/p99 latency of single-description top-10 searches (the backend alone),
 *   - HNSW Recall@10 against the exact top 10 of the same queries,
 *   - the retrieval layer's own overhead: `StoreImageIndex.search` (validation, normalising the
 *     query, fusion, result shaping) minus the backend search, with an embedder that answers
 *     instantly from a table so no model time is counted.
 *
 * Random unit vectors in 512 dimensions are a worst case for HNSW (no cluster structure, so
 * neighbours are barely closer than strangers); real embeddings reach a given recall at a lower ef.
 *
 *   tsx bench/retrieval.ts [--sizes 10000,100000,1000000] [--queries 200] [--m 16]
 *                          [--ef-construction 100] [--ef 64,128,256] [--out bench/results/retrieval.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { availableParallelism, cpus, totalmem } from 'node:os'
import type { EmbeddingModel } from '../src/providers/provider.js'
import { HnswVectorStore } from '../src/retrieval/hnsw-vector-store.js'
import { MemoryVectorStore } from '../src/retrieval/memory-vector-store.js'
import { clusteredUnitVectors, randomUnitVectors } from '../src/retrieval/random-unit-vectors.js'
import { StoreImageIndex } from '../src/retrieval/store-image-index.js'
import type { ImageRecord, StoreHit, VectorStore } from '../src/retrieval/vector-store.js'

export interface RetrievalBenchOptions {
  sizes: number[]
  dimension: number
  /** Queries timed per backend (exact at 1M is slow: it uses at most `exactQueries`). */
  queries: number
  exactQueries: number
  k: number
  m: number
  efConstruction: number
  /** ef values to measure HNSW at. */
  efs: number[]
  seed: number
  /** `uniform` (the random unit vectors) or `clustered` (size/100 centres, spread 1: like topical embeddings). */
  distribution: 'uniform' | 'clustered'
  /** Skip HNSW (quick exact-only timings). */
  exactOnly: boolean
  out?: string
  log?: (line: string) => void
}

export const defaultRetrievalBenchOptions: RetrievalBenchOptions = {
  sizes: [10_000, 100_000, 1_000_000],
  dimension: 512,
  queries: 200,
  exactQueries: 50,
  k: 10,
  m: 16,
  efConstruction: 100,
  efs: [64, 128, 256],
  seed: 42,
  distribution: 'uniform',
  exactOnly: false,
}

interface Latency {
  p50_ms: number
  p99_ms: number
  mean_ms: number
  samples: number
}

const summarise = (samples: number[]): Latency => {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (fraction: number): number => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN
  const round = (value: number): number => Math.round(value * 1000) / 1000
  return { p50_ms: round(at(0.5)), p99_ms: round(at(0.99)), mean_ms: round(sorted.reduce((sum, value) => sum + value, 0) / Math.max(sorted.length, 1)), samples: sorted.length }
}

const milliseconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6

const memoryNow = (): { rss: number; external: number } => {
  globalThis.gc?.()
  const usage = process.memoryUsage()
  return { rss: usage.rss, external: usage.external + usage.arrayBuffers }
}

/** An embedder that returns precomputed query vectors instantly, so overhead excludes model time. */
const tableEmbedder = (dimension: number, table: Map<string, Float32Array>): EmbeddingModel => ({
  id: 'bench-table',
  provider: 'bench',
  dimension,
  embed: async (request) => ({
    vectors: request.texts.map((text) => table.get(text) as Float32Array),
    usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 },
  }),
})

export interface SizeResult {
  size: number
  distribution: RetrievalBenchOptions['distribution']
  dimension: number
  /** `memory_bytes` is the one Float32Array the exact store holds; the measured growth also counts the generator's temporaries. */
  exact: { build_ms: number; memory_bytes: number; measured_growth_bytes: number; latency: Latency }
  hnsw: null | {
    m: number
    ef_construction: number
    build_ms: number
    rss_growth_bytes: number
    by_ef: Array<{ ef: number; latency: Latency; recall_at_10: number }>
    /** At the middle ef: the backend's latency, and the retrieval layer's own cost on top of it. */
    overhead: { ef: number; backend: Latency; layer: Latency }
  }
}

export const runRetrievalBench = async (partial: Partial<RetrievalBenchOptions> = {}): Promise<{ machine: Record<string, unknown>; options: RetrievalBenchOptions; sizes: SizeResult[]; written_at: string }> => {
  const options = { ...defaultRetrievalBenchOptions, ...partial }
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const results: SizeResult[] = []
  const signal = new AbortController().signal
  const generate = (count: number, seed: number, size: number): Float32Array =>
    options.distribution === 'clustered'
      ? clusteredUnitVectors(count, options.dimension, seed, Math.max(1, Math.round(size / 100)), 1, options.seed + 7)
      : randomUnitVectors(count, options.dimension, seed)

  for (const size of options.sizes) {
    log(`size ${size}: generating ${size} x ${options.dimension} ${options.distribution} vectors`)
    const queryVectors = generate(options.queries, options.seed + 1, size)
    const query = (index: number): Float32Array => queryVectors.subarray(index * options.dimension, (index + 1) * options.dimension)
    const before = memoryNow()
    const vectors = generate(size, options.seed, size)
    const records: ImageRecord[] = Array.from({ length: size }, (_, row) => ({ id: String(row), url: `https://bench.invalid/${row}`, caption: '', labels: [] }))

    let start = process.hrtime.bigint()
    const exact = new MemoryVectorStore({ vectors, dimension: options.dimension, records })
    const exactBuild = milliseconds(start)
    const exactMemory = memoryNow().external - before.external

    const exactQueries = Math.min(options.queries, size >= 1_000_000 ? options.exactQueries : options.queries)
    log(`size ${size}: exact search, ${exactQueries} queries`)
    const exactLatencies: number[] = []
    const truth: Array<Set<string>> = []
    for (let index = 0; index < exactQueries; index++) {
      start = process.hrtime.bigint()
      const hits = exact.searchSync(query(index), { k: options.k })
      exactLatencies.push(milliseconds(start))
      truth.push(new Set(hits.map((hit) => hit.record.id)))
    }

    if (options.exactOnly) {
      results.push({ size, distribution: options.distribution, dimension: options.dimension, exact: { build_ms: Math.round(exactBuild * 1000) / 1000, memory_bytes: vectors.byteLength, measured_growth_bytes: exactMemory, latency: summarise(exactLatencies) }, hnsw: null })
      log(`size ${size}: exact p50 ${results.at(-1)?.exact.latency.p50_ms} ms, p99 ${results.at(-1)?.exact.latency.p99_ms} ms`)
      continue
    }
    log(`size ${size}: building HNSW (m ${options.m}, efConstruction ${options.efConstruction})`)
    const beforeHnsw = memoryNow()
    start = process.hrtime.bigint()
    let lastReport = Date.now()
    const hnsw = HnswVectorStore.build({ vectors, dimension: options.dimension, records }, { m: options.m, efConstruction: options.efConstruction, efSearch: options.efs[0] ?? 64, seed: 7 }, (done, total) => {
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now()
        log(`  hnsw ${done}/${total} after ${Math.round(milliseconds(start) / 1000)} s`)
      }
    })
    const hnswBuild = milliseconds(start)
    const hnswGrowth = memoryNow().rss - beforeHnsw.rss

    const byEf: NonNullable<SizeResult['hnsw']>['by_ef'] = []
    for (const ef of options.efs) {
      const latencies: number[] = []
      let found = 0
      for (let index = 0; index < options.queries; index++) {
        start = process.hrtime.bigint()
        const hits = hnsw.searchSync(query(index), { k: options.k, ef })
        latencies.push(milliseconds(start))
        const expected = truth[index]
        if (expected !== undefined) found += hits.filter((hit) => expected.has(hit.record.id)).length
      }
      byEf.push({ ef, latency: summarise(latencies), recall_at_10: Math.round((found / (exactQueries * options.k)) * 10_000) / 10_000 })
      log(`size ${size}: hnsw ef ${ef}: p50 ${byEf.at(-1)?.latency.p50_ms} ms, p99 ${byEf.at(-1)?.latency.p99_ms} ms, recall@10 ${byEf.at(-1)?.recall_at_10}`)
    }

    // The retrieval layer's own cost: StoreImageIndex.search over a backend that answers instantly
    // with this query's real top 10 (recorded above from HNSW), with an embedder that answers
    // instantly from a table. What remains is validation, normalising, fusion and shaping: what
    // the Retrieve endpoint adds to the backend search. Timing the difference of two noisy
    // measurements of the real backend would hide it under the backend's variance.
    const ef = options.efs[Math.floor(options.efs.length / 2)] ?? 64
    const table = new Map<string, Float32Array>()
    const recorded: StoreHit[][] = []
    for (let item = 0; item < options.queries; item++) {
      table.set(`q${item}`, query(item))
      recorded.push(hnsw.searchSync(query(item), { k: options.k, ef }))
    }
    let current = 0
    const replay: VectorStore = { backend: 'hnsw', size, dimension: options.dimension, search: async () => recorded[current] ?? [] }
    const index = new StoreImageIndex('bench', tableEmbedder(options.dimension, table), replay, { maxK: 100, maxEf: 65_536 })
    const layerLatencies: number[] = []
    for (let round = 0; round < 3; round++) {
      for (let item = 0; item < options.queries; item++) {
        current = item
        start = process.hrtime.bigint()
        await index.search([`q${item}`], { k: options.k, ef, signal, requestId: 'bench' })
        // The first rounds warm the path up; only the last is kept.
        if (round === 2) layerLatencies.push(milliseconds(start))
      }
    }
    const overhead = { ef, backend: byEf.find((entry) => entry.ef === ef)?.latency ?? summarise([]), layer: summarise(layerLatencies) }
    results.push({
      size,
      distribution: options.distribution,
      dimension: options.dimension,
      exact: { build_ms: Math.round(exactBuild * 1000) / 1000, memory_bytes: vectors.byteLength, measured_growth_bytes: exactMemory, latency: summarise(exactLatencies) },
      hnsw: { m: options.m, ef_construction: options.efConstruction, build_ms: Math.round(hnswBuild), rss_growth_bytes: hnswGrowth, by_ef: byEf, overhead },
    })
    log(`size ${size}: exact p50 ${results.at(-1)?.exact.latency.p50_ms} ms; hnsw build ${Math.round(hnswBuild / 1000)} s; retrieval-layer overhead p50 ${overhead.layer.p50_ms} ms, p99 ${overhead.layer.p99_ms} ms`)
  }

  const result = {
    machine: { cpus: availableParallelism(), cpu_model: cpus()[0]?.model ?? 'unknown', memory_bytes: totalmem(), node: process.version },
    options: { ...options, log: undefined } as unknown as RetrievalBenchOptions,
    sizes: results,
    written_at: new Date().toISOString(),
  }
  if (options.out !== undefined) {
    mkdirSync(path.dirname(options.out), { recursive: true })
    writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`)
  }
  return result
}

/** The README table: one row per size and backend setting. */
export const renderRetrievalTable = (sizes: SizeResult[]): string => {
  const megabytes = (bytes: number): string => (bytes / 1_048_576).toFixed(0)
  const lines = [
    '| Images | Backend | Build | Memory (MB): exact = vector array, HNSW = RSS growth | p50 (ms) | p99 (ms) | Recall@10 vs exact |',
    '|---:|---|---:|---:|---:|---:|---:|',
  ]
  for (const size of sizes) {
    lines.push(`| ${size.size} ${size.distribution} | exact | ${size.exact.build_ms.toFixed(1)} ms | ${megabytes(size.exact.memory_bytes)} | ${size.exact.latency.p50_ms} | ${size.exact.latency.p99_ms} | 1 |`)
    for (const entry of size.hnsw?.by_ef ?? []) {
      const hnsw = size.hnsw as NonNullable<SizeResult['hnsw']>
      lines.push(`| ${size.size} ${size.distribution} | HNSW m=${hnsw.m}, efC=${hnsw.ef_construction}, ef=${entry.ef} | ${(hnsw.build_ms / 1000).toFixed(0)} s | +${megabytes(hnsw.rss_growth_bytes)} | ${entry.latency.p50_ms} | ${entry.latency.p99_ms} | ${entry.recall_at_10} |`)
    }
  }
  lines.push('', '| Images | HNSW ef | Backend search p50 / p99 (ms) | Retrieval layer on top, p50 / p99 (ms) |', '|---:|---:|---:|---:|')
  for (const size of sizes) {
    if (size.hnsw === null) continue
    const overhead = size.hnsw.overhead
    lines.push(`| ${size.size} ${size.distribution} | ${overhead.ef} | ${overhead.backend.p50_ms} / ${overhead.backend.p99_ms} | ${overhead.layer.p50_ms} / ${overhead.layer.p99_ms} |`)
  }
  return lines.join('\n')
}

const numbers = (raw: string | undefined): number[] | undefined => (raw === undefined ? undefined : raw.split(',').map((item) => Number(item.trim())))

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      queries: { type: 'string' },
      'exact-queries': { type: 'string' },
      m: { type: 'string' },
      'ef-construction': { type: 'string' },
      ef: { type: 'string' },
      distribution: { type: 'string' },
      'exact-only': { type: 'boolean' },
      out: { type: 'string' },
    },
  })
  const sizes = numbers(values.sizes)
  const efs = numbers(values.ef)
  const result = await runRetrievalBench({
    ...(sizes === undefined ? {} : { sizes }),
    ...(efs === undefined ? {} : { efs }),
    ...(values.queries === undefined ? {} : { queries: Number(values.queries) }),
    ...(values['exact-queries'] === undefined ? {} : { exactQueries: Number(values['exact-queries']) }),
    ...(values.m === undefined ? {} : { m: Number(values.m) }),
    ...(values['ef-construction'] === undefined ? {} : { efConstruction: Number(values['ef-construction']) }),
    ...(values.distribution === 'clustered' ? { distribution: 'clustered' as const } : {}),
    ...(values['exact-only'] === true ? { exactOnly: true } : {}),
    out: values.out ?? 'bench/results/retrieval.json',
  })
  process.stdout.write(`${renderRetrievalTable(result.sizes)}\n`)
}
