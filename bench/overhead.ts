/**
 * Overhead: what driber adds to one model call. The same request sequence is sent, one request
 * at a time, (a) straight to the fake upstream with the `openai` SDK (the chat-completions body
 * driber itself would send for that dialogue) and (b) through driber's `POST /v1/decide` and gRPC
 * `Decide`, interleaved request by request so drift on a busy machine hits every path alike. Each
 * round reports p50/p99 per path; the overhead is (b) - (a) at each percentile, and the figure
 * given is the median over rounds, as peers publish theirs. A raw undici POST to the upstream is
 * measured as well, so the SDK's own client-side cost is visible.
 */
import OpenAI from 'openai'
import { Agent, fetch as undiciFetch, request as httpRequest } from 'undici'
import { dialogueSpeakers } from '../src/core/dialogue.js'
import { decideContract } from '../src/core/output-schemas.js'
import { renderDecideNextPrompt } from '../src/core/prompts/decide-next-prompt.js'
import { createDriberGrpcClient } from '../src/grpc/grpc-client.js'
import { decideRequestToWire } from '../src/grpc/wire-converters.js'
import { benchConfig, benchDialogues, benchKeyEnvironment, benchRegistry } from './support/bench-fixtures.js'
import { cpuMsPerRequest, startDriberProcess } from './support/bench-processes.js'
import { ms, type BenchContext, type BenchOutcome } from './support/bench-context.js'
import { latencyStats, median, type LatencyStats } from './support/latency-stats.js'

type Path = 'direct_sdk' | 'direct_raw' | 'http' | 'grpc'
const PATHS: readonly Path[] = ['direct_sdk', 'direct_raw', 'http', 'grpc']

/** Peers' published sequential overheads on a localhost mock (median of rounds), ms. */
export const PEER_OVERHEADS_MS = { LiteLLM: 4.3, 'Portkey OSS gateway': '2.4-2.7', Bifrost: 0.5 } as const

interface HistogramSnapshot {
  sum: number
  count: number
  /** Cumulative counts by upper bound (seconds). */
  buckets: Map<number, number>
}

/** `driber_overhead_seconds` per transport from a Prometheus exposition. */
const scrapeOverhead = async (metricsUrl: string): Promise<Record<'http' | 'grpc', HistogramSnapshot>> => {
  const response = await httpRequest(metricsUrl)
  const text = await response.body.text()
  const empty = (): HistogramSnapshot => ({ sum: 0, count: 0, buckets: new Map() })
  const snapshots = { http: empty(), grpc: empty() }
  for (const line of text.split('\n')) {
    if (!line.startsWith('driber_overhead_seconds')) continue
    const transport = /transport="(http|grpc)"/.exec(line)?.[1] as 'http' | 'grpc' | undefined
    if (transport === undefined) continue
    const value = Number(line.trim().split(/\s+/).at(-1))
    const snapshot = snapshots[transport]
    if (line.startsWith('driber_overhead_seconds_sum')) snapshot.sum = value
    else if (line.startsWith('driber_overhead_seconds_count')) snapshot.count = value
    else {
      const bound = /le="([^"]+)"/.exec(line)?.[1]
      if (bound !== undefined) snapshot.buckets.set(bound === '+Inf' ? Number.POSITIVE_INFINITY : Number(bound), value)
    }
  }
  return snapshots
}

/** Mean and the bucket bounds holding p50 and p99 of the observations between two scrapes (ms). */
const histogramDelta = (before: HistogramSnapshot, after: HistogramSnapshot): { count: number; mean_ms: number; p50_at_most_ms: number; p99_at_most_ms: number } => {
  const count = after.count - before.count
  const bounds = [...after.buckets.keys()].sort((a, b) => a - b)
  const boundFor = (q: number): number => {
    for (const bound of bounds) if ((after.buckets.get(bound) ?? 0) - (before.buckets.get(bound) ?? 0) >= q * count) return bound * 1000
    return Number.POSITIVE_INFINITY
  }
  return { count, mean_ms: count === 0 ? 0 : Math.round(((after.sum - before.sum) / count) * 1e6) / 1000, p50_at_most_ms: boundFor(0.5), p99_at_most_ms: boundFor(0.99) }
}

export const runOverheadBench = async (context: BenchContext): Promise<BenchOutcome> => {
  const rounds = context.quick ? 2 : 10
  const perRound = context.quick ? 50 : 500
  const warmup = context.quick ? 50 : 1000
  const { upstream, log } = context
  const server = await startDriberProcess({
    runtime: context.runtime,
    config: benchConfig(),
    registry: benchRegistry({ baseUrl: upstream.baseUrl, maxConcurrency: 64, maxQueue: 256 }),
    env: benchKeyEnvironment,
  })
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 4, pipelining: 1 })
  const sdk = new OpenAI({
    baseURL: upstream.baseUrl,
    apiKey: 'sk-bench-not-a-secret',
    maxRetries: 0,
    fetch: undiciFetch as unknown as typeof globalThis.fetch,
    fetchOptions: { dispatcher: agent } as Record<string, unknown>,
  })
  const grpcClient = createDriberGrpcClient(server.grpcAddress)
  try {
    // What each path sends for dialogue i, built once so the clients do no extra work in the timing.
    const upstreamBodies = benchDialogues.map((dialogue) => ({
      model: 'fake-bench',
      messages: renderDecideNextPrompt({ dialogue, speakers: dialogueSpeakers(dialogue) }),
      response_format: { type: 'json_schema' as const, json_schema: { name: decideContract.name, schema: decideContract.schema, strict: true } },
    }))
    const upstreamJson = upstreamBodies.map((body) => JSON.stringify(body))
    const decideJson = benchDialogues.map((dialogue) => JSON.stringify({ dialogue }))
    const grpcRequests = benchDialogues.map((dialogue) => decideRequestToWire({ dialogue }))
    const decideUrl = `${server.httpUrl}/v1/decide`
    const chatUrl = `${upstream.baseUrl}/chat/completions`

    const failures: Record<string, number> = {}
    /** One request's latency, or undefined when it failed (counted in `failures`, not timed). */
    const timed = async (path: Path, index: number): Promise<number | undefined> => {
      try {
        return await send(path, index)
      } catch (error) {
        const key = `${path}: ${(error as Error).message.slice(0, 120)}`
        failures[key] = (failures[key] ?? 0) + 1
        return undefined
      }
    }
    /** `x-driber-overhead-ms` of each measured HTTP request: driber's own account of its time. */
    const serverReported: number[] = []
    const send = async (path: Path, index: number): Promise<number> => {
      const which = index % benchDialogues.length
      const started = performance.now()
      switch (path) {
        case 'direct_sdk':
          await sdk.chat.completions.create(upstreamBodies[which] as OpenAI.ChatCompletionCreateParamsNonStreaming)
          break
        case 'direct_raw': {
          const response = await httpRequest(chatUrl, {
            method: 'POST',
            dispatcher: agent,
            headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench-not-a-secret' },
            body: upstreamJson[which],
          })
          await response.body.json()
          if (response.statusCode !== 200) throw new Error(`upstream answered ${response.statusCode}`)
          break
        }
        case 'http': {
          const response = await httpRequest(decideUrl, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: decideJson[which] })
          const reported = Number(response.headers['x-driber-overhead-ms'])
          if (Number.isFinite(reported)) serverReported.push(reported)
          const body = (await response.body.json()) as { share?: unknown }
          if (response.statusCode !== 200 || typeof body.share !== 'boolean') throw new Error(`decide answered ${response.statusCode}: ${JSON.stringify(body).slice(0, 200)}`)
          break
        }
        case 'grpc':
          await new Promise<void>((resolve, reject) =>
            grpcClient.raw.Decide(grpcRequests[which] as Parameters<typeof grpcClient.raw.Decide>[0], (error: Error | null) => (error === null ? resolve() : reject(error))),
          )
          break
      }
      return performance.now() - started
    }

    log(`overhead: warm-up ${warmup} requests per path`)
    for (let index = 0; index < warmup; index++) for (const path of PATHS) await timed(path, index)
    serverReported.length = 0
    const metricsBefore = await scrapeOverhead(server.metricsUrl)
    const cpuBefore = await server.cpuSeconds()

    const roundStats: Array<Record<Path, LatencyStats>> = []
    const all: Record<Path, number[]> = { direct_sdk: [], direct_raw: [], http: [], grpc: [] }
    for (let round = 0; round < rounds; round++) {
      const samples: Record<Path, number[]> = { direct_sdk: [], direct_raw: [], http: [], grpc: [] }
      for (let index = 0; index < perRound; index++) {
        // Rotate which path goes first, so none always runs right after another's socket work.
        for (let offset = 0; offset < PATHS.length; offset++) {
          const path = PATHS[(index + offset) % PATHS.length] as Path
          const latency = await timed(path, index)
          if (latency !== undefined) samples[path].push(latency)
        }
      }
      const stats = Object.fromEntries(PATHS.map((path) => [path, latencyStats(samples[path])])) as Record<Path, LatencyStats>
      for (const path of PATHS) all[path].push(...samples[path])
      roundStats.push(stats)
      log(`overhead round ${round + 1}/${rounds}: p50 sdk ${stats.direct_sdk.p50} raw ${stats.direct_raw.p50} http ${stats.http.p50} grpc ${stats.grpc.p50} ms`)
    }

    const cpuAfter = await server.cpuSeconds()
    const metricsAfter = await scrapeOverhead(server.metricsUrl)
    // Every HTTP and gRPC request of the rounds reached driber, timed or failed; the scrapes are outside the window.
    const driberRequests = rounds * perRound * 2
    const serverCpuMsPerRequest = cpuMsPerRequest(cpuBefore, cpuAfter, driberRequests)
    const serverSide = Object.fromEntries(
      (['http', 'grpc'] as const).map((transport) => [transport, histogramDelta(metricsBefore[transport], metricsAfter[transport])]),
    )
    const overheadOf = (path: 'http' | 'grpc', base: 'direct_sdk' | 'direct_raw') => {
      const p50 = median(roundStats.map((stats) => stats[path].p50 - stats[base].p50))
      const p99 = median(roundStats.map((stats) => stats[path].p99 - stats[base].p99))
      const ratio = Math.round(median(roundStats.map((stats) => stats[path].p50 / stats[base].p50)) * 100) / 100
      return { p50_ms: p50, p99_ms: p99, p50_ratio: ratio }
    }
    const overhead = {
      http_vs_sdk: overheadOf('http', 'direct_sdk'),
      grpc_vs_sdk: overheadOf('grpc', 'direct_sdk'),
      http_vs_raw: overheadOf('http', 'direct_raw'),
      grpc_vs_raw: overheadOf('grpc', 'direct_raw'),
    }
    const result = {
      method:
        'sequential requests, one at a time, the four paths interleaved request by request; per round p50/p99 of each path; overhead = path - direct at each percentile, median over rounds',
      rounds,
      requests_per_round_per_path: perRound,
      warmup_per_path: warmup,
      driber: { runtime: context.runtime, workers: 1, logging: 'info (one line per request, stdout discarded)' },
      latency_ms: Object.fromEntries(PATHS.map((path) => [path, latencyStats(all[path])])),
      per_round_ms: roundStats,
      overhead_ms: overhead,
      // Driber's own account, without any client library: the x-driber-overhead-ms header of
      // each measured HTTP request, and the driber_overhead_seconds histogram per transport
      // (mean, and the bucket bounds holding p50/p99) over the measured rounds.
      server_reported_ms: { http_header: latencyStats(serverReported), metrics: serverSide },
      // driber's CPU (user + system, its own process_cpu_seconds_total) over the measured rounds,
      // per HTTP or gRPC request: sequential, so no batching of socket work flatters it.
      server_cpu_ms_per_request: serverCpuMsPerRequest,
      // Failed requests are not timed; on a machine starved of CPU, load shedding (503) can appear.
      failures,
      peers_ms: PEER_OVERHEADS_MS,
      targets: { http_p50_vs_raw_ms: 0.5, http_p99_vs_sdk_ms: 2, grpc: 'no worse than HTTP' },
    }
    const http = overhead.http_vs_sdk
    const grpc = overhead.grpc_vs_sdk
    return {
      result,
      summary: [
        { bench: 'overhead', measure: 'HTTP decide overhead p50 vs a raw POST to the same mock', value: ms(overhead.http_vs_raw.p50_ms), target: '<= 0.5 ms', met: overhead.http_vs_raw.p50_ms <= 0.5 },
        { bench: 'overhead', measure: 'HTTP decide overhead p50 vs the openai SDK direct', value: ms(http.p50_ms) },
        { bench: 'overhead', measure: 'HTTP decide overhead p99', value: ms(http.p99_ms), target: '< 2 ms', met: http.p99_ms < 2 },
        { bench: 'overhead', measure: 'gRPC Decide overhead p50', value: ms(grpc.p50_ms), target: `<= HTTP`, met: grpc.p50_ms <= http.p50_ms + 0.05 },
        { bench: 'overhead', measure: 'gRPC Decide overhead p99', value: ms(grpc.p99_ms), target: `<= HTTP`, met: grpc.p99_ms <= http.p99_ms + 0.1 },
        { bench: 'overhead', measure: 'HTTP / direct p50 ratio', value: `${http.p50_ratio}x` },
        { bench: 'overhead', measure: 'server CPU per request, sequential (HTTP and gRPC)', value: ms(serverCpuMsPerRequest) },
        { bench: 'overhead', measure: 'driber-reported overhead (x-driber-overhead-ms) p50 / p99', value: `${ms(latencyStats(serverReported).p50)} / ${ms(latencyStats(serverReported).p99)}` },
        {
          bench: 'overhead',
          measure: 'driber_overhead_seconds mean, HTTP / gRPC',
          value: `${ms(serverSide.http?.mean_ms ?? Number.NaN)} / ${ms(serverSide.grpc?.mean_ms ?? Number.NaN)}`,
        },
        ...(Object.keys(failures).length === 0 ? [] : [{ bench: 'overhead', measure: 'failed requests (not timed)', value: JSON.stringify(failures).slice(0, 120) }]),
      ],
    }
  } finally {
    grpcClient.close()
    await agent.close()
    await server.stop()
  }
}
