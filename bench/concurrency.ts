/**
 * Concurrency: 10,000 decide requests in flight at once against an upstream that answers each
 * after 2 s (a fake upstream process of its own). Half go over HTTP (one keep-alive connection
 * each), half over gRPC (multiplexed on a few HTTP/2 channels), so the server holds about 5,000
 * inbound and 10,000 upstream sockets: under a 20,000 descriptor limit per process. Reports how
 * many completed, failures by code, latency percentiles and the server's peak RSS (VmHWM).
 *
 * The bench registry sets the model's bulkhead to admit all of them (`max_queue` at the request
 * count, `max_concurrency` as below); the default (64 in flight, 256 queued) would refuse most
 * with DRIBER_OVERLOADED by design.
 */
import * as grpc from '@grpc/grpc-js'
import { Agent, request as httpRequest } from 'undici'
import { loadDriberProto } from '../src/grpc/proto-package.js'
import { decideRequestToWire } from '../src/grpc/wire-converters.js'
import { benchConfig, benchDialogues, benchKeyEnvironment, benchRegistry } from './support/bench-fixtures.js'
import { sleep, startDriberProcess, startUpstreamProcess } from './support/bench-processes.js'
import type { BenchContext, BenchOutcome } from './support/bench-context.js'
import { latencyStats } from './support/latency-stats.js'

const UPSTREAM_LATENCY_MS = 2_000
const RSS_LIMIT_BYTES = 512 * 1024 * 1024

/**
 * Two bulkhead settings, one after the other with a fresh server each: every upstream call in
 * flight at once (the model's `max_concurrency` at the request count), and upstream calls capped at
 * a quarter of it with the rest admitted to the bulkhead queue, as an operator sizes the bulkhead to
 * what the model server can take. A queued request holds about 22 KiB of heap against about 47 KiB
 * for one waiting on the upstream (bench/in-flight-heap.ts), so the cap bounds memory; it would cost
 * latency if the upstream were the bottleneck (accepting the burst is, on a small machine).
 */
export const runConcurrencyBench = async (context: BenchContext): Promise<BenchOutcome> => {
  const total = context.quick ? 200 : 10_000
  const all = await runBurst(context, total, total)
  const capped = await runBurst(context, total, total / 4)
  return {
    result: { ...all.result, capped_upstream: capped.result },
    summary: [...all.summary, ...capped.summary],
  }
}

const runBurst = async (context: BenchContext, total: number, maxConcurrency: number): Promise<BenchOutcome> => {
  const { log } = context
  const label = maxConcurrency >= total ? 'all upstream calls in flight' : `upstream calls capped at ${maxConcurrency}`
  const grpcChannels = 4
  const upstream = await startUpstreamProcess({ latencyMs: UPSTREAM_LATENCY_MS })
  const agent = new Agent({ connections: total, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: 30_000 })
  const { grpcObject } = loadDriberProto()
  let server: Awaited<ReturnType<typeof startDriberProcess>> | undefined
  const clients: grpc.Client[] = []
  try {
    server = await startDriberProcess({
      runtime: context.runtime,
      // Event-loop shedding off: accepting 10,000 requests at once stalls the loop past the default
      // 1 s bound on a small machine, and this measures carrying them, not refusing them.
      config: benchConfig({ deadlines: { defaultRequestMs: 60_000, drainMs: 5_000 }, pressure: { enabled: false } }),
      registry: benchRegistry({ baseUrl: upstream.baseUrl, maxConcurrency, maxQueue: total, timeoutMs: 30_000 }),
      env: benchKeyEnvironment,
    })
    const running = server
    const channels = Array.from(
      { length: grpcChannels },
      () => new grpcObject.driber.v1.ImageSharing(running.grpcAddress, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }),
    )
    clients.push(...channels)
    const decideJson = benchDialogues.map((dialogue) => JSON.stringify({ dialogue }))
    const grpcRequests = benchDialogues.map((dialogue) => decideRequestToWire({ dialogue }))
    // Warm-up: both paths once, so lazy start-up work is not in the burst.
    for (const channel of channels) {
      await new Promise<void>((resolve, reject) => channel.Decide(grpcRequests[0] as never, (error: Error | null) => (error === null ? resolve() : reject(error))))
    }
    await (await httpRequest(`${running.httpUrl}/v1/decide`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: decideJson[0] })).body.text()

    const outcomes: Array<{ transport: 'http' | 'grpc'; result: string; latencyMs: number }> = []
    const one = async (index: number): Promise<void> => {
      const transport = index % 2 === 0 ? 'http' : 'grpc'
      const which = index % benchDialogues.length
      const started = performance.now()
      let result = 'ok'
      try {
        if (transport === 'http') {
          const response = await httpRequest(`${running.httpUrl}/v1/decide`, {
            method: 'POST',
            dispatcher: agent,
            headers: { 'content-type': 'application/json' },
            body: decideJson[which],
            headersTimeout: 120_000,
            bodyTimeout: 120_000,
          })
          const body = (await response.body.json()) as { error?: { code?: string } }
          if (response.statusCode !== 200) result = body.error?.code ?? `HTTP_${response.statusCode}`
        } else {
          const channel = channels[index % channels.length] as (typeof channels)[number]
          await new Promise<void>((resolve, reject) =>
            channel.Decide(grpcRequests[which] as never, { deadline: Date.now() + 120_000 }, (error: Error | null) => (error === null ? resolve() : reject(error))),
          )
        }
      } catch (error) {
        const code = (error as { code?: unknown; metadata?: grpc.Metadata }).metadata?.get('driber-error-code')[0]
        result = typeof code === 'string' ? code : `${transport}: ${(error as Error).message.slice(0, 80)}`
      }
      outcomes.push({ transport, result, latencyMs: performance.now() - started })
    }

    log(`concurrency: ${total} requests in flight (${label}), upstream answers after ${UPSTREAM_LATENCY_MS} ms`)
    const started = performance.now()
    // Where the memory goes while the burst is in flight: the server's own heap and external
    // memory from its /metrics (prom-client default metrics), sampled once a second.
    const memory = { heapUsedBytes: 0, externalBytes: 0, rssBytes: 0, samples: 0 }
    let bursting = true
    const sampler = (async () => {
      while (bursting) {
        await sleep(1_000)
        try {
          const response = await httpRequest(running.metricsUrl, { headersTimeout: 10_000, bodyTimeout: 10_000 })
          const text = await response.body.text()
          const value = (name: string): number => Number(/^(\S+) (\S+)$/m.exec(text.split('\n').find((line) => line.startsWith(`${name} `)) ?? '')?.[2] ?? 0)
          memory.heapUsedBytes = Math.max(memory.heapUsedBytes, value('nodejs_heap_size_used_bytes'))
          memory.externalBytes = Math.max(memory.externalBytes, value('nodejs_external_memory_bytes'))
          memory.rssBytes = Math.max(memory.rssBytes, value('process_resident_memory_bytes'))
          memory.samples++
        } catch {
          // A scrape that cannot get through the burst is skipped.
        }
      }
    })()
    await Promise.all(Array.from({ length: total }, (_, index) => one(index)))
    bursting = false
    await sampler
    const seconds = (performance.now() - started) / 1000
    const peakRss = running.peakRssBytes()
    const failures: Record<string, number> = {}
    for (const outcome of outcomes) if (outcome.result !== 'ok') failures[outcome.result] = (failures[outcome.result] ?? 0) + 1
    const completed = outcomes.filter((outcome) => outcome.result === 'ok').length
    const latency = latencyStats(outcomes.map((outcome) => outcome.latencyMs))
    const errors = outcomes.length - completed
    log(`concurrency (${label}): ${completed}/${total} completed in ${seconds.toFixed(1)} s, errors ${JSON.stringify(failures)}, p99 ${latency.p99} ms, peak RSS ${peakRss === undefined ? '?' : (peakRss / 2 ** 20).toFixed(0)} MiB`)
    const peakMiB = peakRss === undefined ? undefined : Math.round((peakRss / 2 ** 20) * 10) / 10
    return {
      result: {
        method: 'all requests started at once (half HTTP, one connection each; half gRPC over 4 channels); the upstream answers each after 2 s',
        requests: total,
        upstream_latency_ms: UPSTREAM_LATENCY_MS,
        bulkhead: {
          max_concurrency: maxConcurrency,
          max_queue: total,
          note: maxConcurrency >= total ? 'raised from the defaults (64/256) so every request is admitted and called at once' : 'every request admitted; at most max_concurrency upstream calls at once, the rest queued',
        },
        pressure: 'load shedding off (pressure.enabled: false); with the default 1 s event-loop bound a starved machine sheds part of the burst with DRIBER_UNDER_PRESSURE',
        completed,
        errors,
        failures,
        wall_seconds: Math.round(seconds * 100) / 100,
        latency_ms: latency,
        latency_over_upstream_p99_ms: Math.round((latency.p99 - UPSTREAM_LATENCY_MS) * 10) / 10,
        peak_rss_bytes: peakRss ?? null,
        peak_rss_source: 'VmHWM of the driber process (/proc), start-up included',
        sampled_during_burst: memory,
        driber: { runtime: context.runtime, workers: 1 },
        targets: { errors: 0, peak_rss_bytes_below: RSS_LIMIT_BYTES },
      },
      summary: [
        { bench: 'concurrency', measure: `${total} in flight, ${label} (2 s upstream): completed / errors`, value: `${completed} / ${errors}`, target: '0 errors', met: errors === 0 },
        { bench: 'concurrency', measure: `p50 / p99 latency, ${label} (2 s upstream included)`, value: `${latency.p50.toFixed(0)} / ${latency.p99.toFixed(0)} ms` },
        { bench: 'concurrency', measure: `driber peak RSS, ${label}`, value: peakMiB === undefined ? 'unknown' : `${peakMiB} MiB`, target: '< 512 MiB', met: peakRss === undefined ? undefined : peakRss < RSS_LIMIT_BYTES },
      ],
    }
  } finally {
    for (const client of clients) client.close()
    await agent.close()
    await server?.stop()
    await upstream.stop()
  }
}
