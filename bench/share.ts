/**
 * Share end to end on the embedded tier: the shipped registry (`config/registry.yaml`, no
 * upstream, no key) and the shipped PhotoChat gallery, through the real server process. Decide,
 * Describe and Retrieve all run inside driber, so this is the whole chain's cost on this machine:
 * sequential latency over HTTP and gRPC (interleaved), then closed-loop HTTP throughput.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import autocannon from 'autocannon'
import { request as httpRequest, Agent } from 'undici'
import { parse as parseYaml } from 'yaml'
import { createDriberGrpcClient } from '../src/grpc/grpc-client.js'
import { benchConfig, benchDialogues } from './support/bench-fixtures.js'
import { projectRoot, sleep, startDriberProcess } from './support/bench-processes.js'
import { ms, type BenchContext, type BenchOutcome } from './support/bench-context.js'
import { latencyStats } from './support/latency-stats.js'

export const runShareBench = async (context: BenchContext): Promise<BenchOutcome> => {
  const { log } = context
  const sequential = context.quick ? 20 : 300
  const durationS = context.quick ? 2 : 10
  const connections = 8
  const registry = parseYaml(readFileSync(path.join(projectRoot, 'config', 'registry.yaml'), 'utf8')) as Record<string, unknown>
  // Default retrieval config: the shipped gallery embedded by driber-lite-embed.
  const { retrieval: _unused, ...config } = benchConfig()
  const server = await startDriberProcess({ runtime: context.runtime, config, registry })
  const agent = new Agent({ connections: 2, keepAliveTimeout: 30_000 })
  const grpcClient = createDriberGrpcClient(server.grpcAddress)
  try {
    const bodies = benchDialogues.map((dialogue) => JSON.stringify({ dialogue, k: 3 }))
    let shared = 0
    const http = async (index: number): Promise<number> => {
      const started = performance.now()
      const response = await httpRequest(`${server.httpUrl}/v1/share`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: bodies[index % bodies.length] })
      const body = (await response.body.json()) as { decision?: { share?: boolean } }
      if (response.statusCode !== 200) throw new Error(`share answered ${response.statusCode}: ${JSON.stringify(body)}`)
      if (body.decision?.share === true) shared++
      return performance.now() - started
    }
    const viaGrpc = async (index: number): Promise<number> => {
      const started = performance.now()
      await grpcClient.share({ dialogue: benchDialogues[index % benchDialogues.length] as (typeof benchDialogues)[number], k: 3 })
      return performance.now() - started
    }
    // Warm-up: the embedded models load lazily and block the event loop while they do, which
    // load shedding may answer with 503 for a moment: retry until both transports answer.
    for (let index = 0, tries = 0; index < 30; ) {
      try {
        await http(index)
        await viaGrpc(index)
        index++
      } catch (error) {
        if (++tries > 60) throw error
        await sleep(1_000)
      }
    }
    shared = 0
    const httpSamples: number[] = []
    const grpcSamples: number[] = []
    const failures: Record<string, number> = {}
    const timed = async (call: (index: number) => Promise<number>, samples: number[], index: number, label: string): Promise<void> => {
      try {
        samples.push(await call(index))
      } catch (error) {
        const key = `${label}: ${(error as Error).message.slice(0, 100)}`
        failures[key] = (failures[key] ?? 0) + 1
      }
    }
    for (let index = 0; index < sequential; index++) {
      await timed(http, httpSamples, index, 'http')
      await timed(viaGrpc, grpcSamples, index, 'grpc')
    }
    const httpLatency = latencyStats(httpSamples)
    const grpcLatency = latencyStats(grpcSamples)
    log(`share (embedded): sequential p50 http ${httpLatency.p50} ms grpc ${grpcLatency.p50} ms; ${shared}/${sequential} decided to share`)
    const load = await autocannon({
      url: server.httpUrl,
      connections,
      duration: durationS,
      timeout: 30,
      requests: bodies.map((body) => ({ method: 'POST', path: '/v1/share', headers: { 'content-type': 'application/json' }, body })),
    })
    const failed = load.errors + load.timeouts + load.non2xx
    log(`share (embedded): ${load.requests.average} req/s at c=${connections}, p99 ${load.latency.p99} ms, failed ${failed}`)
    return {
      result: {
        method: 'shipped embedded registry and gallery, no upstream; sequential HTTP and gRPC interleaved, then closed-loop HTTP load',
        sequential_requests_per_transport: sequential,
        decided_to_share: shared,
        failures,
        latency_ms: { http: httpLatency, grpc: grpcLatency },
        load: { connections, duration_s: durationS, requests_per_second: load.requests.average, p50_ms: load.latency.p50, p99_ms: load.latency.p99, failed },
        driber: { runtime: context.runtime, workers: 1 },
      },
      summary: [
        { bench: 'share', measure: 'embedded Share, sequential HTTP p50 / p99', value: `${ms(httpLatency.p50)} / ${ms(httpLatency.p99)}` },
        { bench: 'share', measure: 'embedded Share, sequential gRPC p50 / p99', value: `${ms(grpcLatency.p50)} / ${ms(grpcLatency.p99)}` },
        { bench: 'share', measure: `embedded Share over HTTP, c=${connections}`, value: `${load.requests.average} req/s (p99 ${load.latency.p99} ms, ${failed} failed)` },
      ],
    }
  } finally {
    grpcClient.close()
    await agent.close()
    await server.stop()
  }
}
