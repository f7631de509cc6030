/**
 * Throughput: the most decide requests per second driber sustains with p99 under 50 ms against
 * the zero-latency upstream, over HTTP (autocannon, in this process) and gRPC (a grpc-js load
 * client in a process of its own), with 1 and 2 worker processes (`DRIBER_WORKERS`). Closed-loop
 * load at rising concurrency; a level counts when p99 < 50 ms and no request failed, and the best
 * such level is the figure. Load generator, fake upstream and driber share the machine's cores:
 * the result says how many there were.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import autocannon from 'autocannon'
import { benchConfig, benchDialogues, benchKeyEnvironment, benchRegistry } from './support/bench-fixtures.js'
import { cpuMsPerRequest, projectRoot, startDriberProcess, stopChild, type DriberProcess } from './support/bench-processes.js'
import type { BenchContext, BenchOutcome, SummaryRow } from './support/bench-context.js'
import type { LatencyStats } from './support/latency-stats.js'

const P99_LIMIT_MS = 50

export interface LevelResult {
  concurrency: number
  requestsPerSecond: number
  p50_ms: number
  p99_ms: number
  errors: number
  requests: number
  sustained: boolean
  /** driber's own CPU (user + system, `process_cpu_seconds_total`) during the level, per request. */
  server_cpu_ms_per_request: number
}

interface TransportResult {
  levels: LevelResult[]
  /** The highest rate among sustained levels (p99 < 50 ms, no errors); undefined when none was. */
  best: LevelResult | undefined
  /** The highest rate at any level, whatever its p99 (what the machine could push at all). */
  peak: LevelResult | undefined
}

const round = (value: number, places = 1): number => Math.round(value * 10 ** places) / 10 ** places

const httpLevel = async (server: DriberProcess, connections: number, durationS: number): Promise<LevelResult> => {
  const cpuBefore = await server.cpuSeconds()
  const result = await autocannon({
    url: server.httpUrl,
    connections,
    pipelining: 1,
    duration: durationS,
    timeout: 30,
    requests: benchDialogues.map((dialogue) => ({
      method: 'POST',
      path: '/v1/decide',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dialogue }),
    })),
  })
  const cpuAfter = await server.cpuSeconds()
  const errors = result.errors + result.timeouts + result.non2xx
  const requests = result['2xx'] + result.non2xx
  return {
    concurrency: connections,
    requestsPerSecond: round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    errors,
    requests,
    sustained: result.latency.p99 < P99_LIMIT_MS && errors === 0,
    server_cpu_ms_per_request: cpuMsPerRequest(cpuBefore, cpuAfter, requests),
  }
}

const grpcLevel = async (server: DriberProcess, concurrency: number, durationS: number, channels: number): Promise<LevelResult> => {
  const cpuBefore = await server.cpuSeconds()
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(projectRoot, 'bench', 'support', 'grpc-load-client.ts'),
      '--address',
      server.grpcAddress,
      '--concurrency',
      String(concurrency),
      '--duration',
      String(durationS),
      '--channels',
      String(channels),
    ],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8')
  })
  const timer = setTimeout(() => void stopChild(child, 1_000), (durationS + 120) * 1000)
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  clearTimeout(timer)
  if (code !== 0) throw new Error(`the gRPC load client exited with ${code}`)
  // Includes the client's start-up seconds, when driber idles: per request this slightly understates nothing.
  const cpuAfter = await server.cpuSeconds()
  const report = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { requests: number; errors: number; requestsPerSecond: number; latencyMs: LatencyStats; firstError?: string }
  if (report.firstError !== undefined) process.stderr.write(`grpc load: first error: ${report.firstError}\n`)
  return {
    concurrency,
    requestsPerSecond: round(report.requestsPerSecond),
    p50_ms: report.latencyMs.p50,
    p99_ms: report.latencyMs.p99,
    errors: report.errors,
    requests: report.requests,
    sustained: report.latencyMs.p99 < P99_LIMIT_MS && report.errors === 0,
    server_cpu_ms_per_request: cpuMsPerRequest(cpuBefore, cpuAfter, report.requests),
  }
}

/** Rising concurrency; stops after two levels in a row past the p99 limit (beyond the knee only latency grows). */
const sweep = async (levels: readonly number[], measure: (concurrency: number) => Promise<LevelResult>, log: (line: string) => void, label: string): Promise<TransportResult> => {
  const results: LevelResult[] = []
  let overLimit = 0
  for (const concurrency of levels) {
    const level = await measure(concurrency)
    results.push(level)
    log(`throughput ${label} c=${concurrency}: ${level.requestsPerSecond} req/s, p50 ${level.p50_ms} ms, p99 ${level.p99_ms} ms, errors ${level.errors}, server CPU ${level.server_cpu_ms_per_request} ms/request`)
    overLimit = level.sustained ? 0 : overLimit + 1
    if (overLimit >= 2) break
  }
  const sustained = results.filter((level) => level.sustained)
  const best = sustained.reduce<LevelResult | undefined>((top, level) => (top === undefined || level.requestsPerSecond > top.requestsPerSecond ? level : top), undefined)
  const peak = results.reduce<LevelResult | undefined>((top, level) => (top === undefined || level.requestsPerSecond > top.requestsPerSecond ? level : top), undefined)
  return { levels: results, best, peak }
}

export const runThroughputBench = async (context: BenchContext): Promise<BenchOutcome> => {
  const { log, upstream } = context
  const workerCounts = context.quick ? [1] : [1, 2]
  const levels = context.quick ? [16] : [4, 8, 16, 32, 64, 128, 256]
  // The comparison point (and the peer benchmark's) is 32 connections: always measured.
  const durationS = context.quick ? 2 : 10
  const byWorkers: Record<string, { http: TransportResult; grpc: TransportResult }> = {}
  for (const workers of workerCounts) {
    const server = await startDriberProcess({
      runtime: context.runtime,
      config: benchConfig(),
      // Room for every level's in-flight calls: the bulkhead is not what this measures.
      registry: benchRegistry({ baseUrl: upstream.baseUrl, maxConcurrency: 1024, maxQueue: 1024 }),
      env: { ...benchKeyEnvironment, DRIBER_WORKERS: String(workers) },
    })
    try {
      log(`throughput: ${workers} worker(s), warm-up`)
      await httpLevel(server, 16, context.quick ? 1 : 3)
      await grpcLevel(server, 16, context.quick ? 1 : 3, 4)
      const http = await sweep(levels, (concurrency) => httpLevel(server, concurrency, durationS), log, `http w=${workers}`)
      // Several channels, so connections spread over the workers as a balancer's would.
      const grpc = await sweep(levels, (concurrency) => grpcLevel(server, concurrency, durationS, Math.min(concurrency, 8)), log, `grpc w=${workers}`)
      byWorkers[String(workers)] = { http, grpc }
    } finally {
      await server.stop()
    }
  }
  const cores = (await import('node:os')).availableParallelism()
  const summary: SummaryRow[] = []
  for (const [workers, { http, grpc }] of Object.entries(byWorkers)) {
    for (const [transport, outcome] of [['HTTP', http], ['gRPC', grpc]] as const) {
      const best = outcome.best
      summary.push({
        bench: 'throughput',
        measure: `${transport} decide req/s, p99 < 50 ms, ${workers} worker(s)`,
        value:
          (best === undefined ? 'none met p99 < 50 ms' : `${best.requestsPerSecond} req/s (c=${best.concurrency}, p99 ${best.p99_ms} ms)`) +
          (outcome.peak === undefined || outcome.peak === best ? '' : `; peak ${outcome.peak.requestsPerSecond} req/s at c=${outcome.peak.concurrency} (p99 ${outcome.peak.p99_ms} ms)`),
        target: workers === '1' ? '>= 5,000 per core' : undefined,
        met: workers === '1' ? (best?.requestsPerSecond ?? 0) >= 5000 : undefined,
      })
      const at32 = outcome.levels.find((level) => level.concurrency === 32)
      if (workers === '1' && at32 !== undefined) {
        summary.push({
          bench: 'throughput',
          measure: `${transport} decide at 32 connections: req/s, server CPU per request`,
          value: `${at32.requestsPerSecond} req/s, ${at32.server_cpu_ms_per_request} ms CPU`,
          target: '<= 0.2 ms CPU',
          met: at32.server_cpu_ms_per_request <= 0.2,
        })
      }
    }
  }
  return {
    result: {
      method: `closed-loop load at rising concurrency for ${durationS} s per level; sustained = p99 < ${P99_LIMIT_MS} ms and no failed request; best sustained rate reported`,
      cores_shared_by_load_generator_upstream_and_driber: cores,
      duration_s_per_level: durationS,
      http_client: 'autocannon 8 (in the bench process), pipelining 1',
      grpc_client: 'grpc-js closed-loop client in its own process, up to 8 channels',
      driber: { runtime: context.runtime, logging: 'info (one line per request, stdout discarded)' },
      by_workers: byWorkers,
      target: '>= 5,000 decide req/s per core with p99 < 50 ms',
    },
    summary,
  }
}
