/**
 * A closed-loop gRPC load client, run in a process of its own by bench/throughput.ts:
 * `concurrency` calls kept in flight over `channels` HTTP/2 connections for `duration` seconds.
 * Prints one JSON line: requests, errors, seconds, requests per second and latency percentiles.
 *
 *   tsx bench/support/grpc-load-client.ts --address 127.0.0.1:50051 --concurrency 32 --duration 10 [--channels 4]
 */
import { parseArgs } from 'node:util'
import * as grpc from '@grpc/grpc-js'
import { loadDriberProto } from '../../src/grpc/proto-package.js'
import { decideRequestToWire } from '../../src/grpc/wire-converters.js'
import { benchDialogues } from './bench-fixtures.js'
import { latencyStats } from './latency-stats.js'

const { values } = parseArgs({
  options: {
    address: { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    duration: { type: 'string', default: '10' },
    channels: { type: 'string', default: '4' },
  },
  strict: true,
})
if (values.address === undefined) throw new Error('--address is required')
const concurrency = Number(values.concurrency)
const durationMs = Number(values.duration) * 1000
// Separate channels need separate subchannel pools, or grpc-js would share one connection.
const { grpcObject } = loadDriberProto()
const clients = Array.from(
  { length: Math.max(1, Number(values.channels)) },
  () => new grpcObject.driber.v1.ImageSharing(values.address as string, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }),
)
const requests = benchDialogues.map((dialogue) => decideRequestToWire({ dialogue }))
const latencies: number[] = []
let errors = 0
const firstError: string[] = []

const one = (worker: number, index: number): Promise<void> =>
  new Promise((resolve) => {
    const client = clients[worker % clients.length] as (typeof clients)[number]
    const started = performance.now()
    client.Decide(requests[index % requests.length] as Parameters<typeof client.Decide>[0], { deadline: Date.now() + 30_000 }, (error: Error | null) => {
      latencies.push(performance.now() - started)
      if (error !== null) {
        errors++
        if (firstError.length === 0) firstError.push(error.message)
      }
      resolve()
    })
  })

const main = async (): Promise<void> => {
  const started = performance.now()
  const stopAt = started + durationMs
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      let index = worker
      while (performance.now() < stopAt) {
        await one(worker, index)
        index += concurrency
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  for (const client of clients) client.close()
  process.stdout.write(
    `${JSON.stringify({ requests: latencies.length, errors, firstError: firstError[0], seconds, requestsPerSecond: latencies.length / seconds, latencyMs: latencyStats(latencies) })}\n`,
  )
}

main().catch((error: unknown) => {
  process.stderr.write(`grpc-load-client: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 2
})
