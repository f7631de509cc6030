/**
 * Where the heap of an in-flight request goes (standalone, not part of `npm run bench`):
 *
 *   tsx bench/in-flight-heap.ts --http 1000 --grpc 1000 [--max-concurrency 100] [--dir /tmp/driber-heap]
 *
 * Starts a fake upstream that answers after 10 minutes and a driber server (`dist/server.js`,
 * `--heapsnapshot-signal=SIGUSR2`), takes a heap snapshot idle, starts the requests, waits until
 * every one is waiting on the upstream, and takes a second snapshot. The two snapshots are
 * grouped by constructor (`bench/support/heap-snapshot-summary.ts`) and the difference divided by
 * the requests in flight is printed: what one waiting request holds, object kind by object kind.
 */
import { mkdirSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import * as grpc from '@grpc/grpc-js'
import { Agent, request as httpRequest } from 'undici'
import { loadDriberProto } from '../src/grpc/proto-package.js'
import { decideRequestToWire } from '../src/grpc/wire-converters.js'
import { benchConfig, benchDialogues, benchKeyEnvironment, benchRegistry } from './support/bench-fixtures.js'
import { sleep, startDriberProcess, startUpstreamProcess } from './support/bench-processes.js'
import { heapSnapshotSummary, type HeapSummary } from './support/heap-snapshot-summary.js'

const { values } = parseArgs({
  options: { http: { type: 'string', default: '1000' }, grpc: { type: 'string', default: '1000' }, dir: { type: 'string', default: '/tmp/driber-heap' }, 'max-concurrency': { type: 'string' }, node: { type: 'string', multiple: true, default: [] } },
  strict: true,
})
const httpCount = Number(values.http)
const grpcCount = Number(values.grpc)
const total = httpCount + grpcCount
// The model's bulkhead: by default it admits every request to the upstream; lower, the rest wait in its queue.
const maxConcurrency = values['max-concurrency'] === undefined ? total + 10 : Number(values['max-concurrency'])
const directory = path.resolve(values.dir)
mkdirSync(directory, { recursive: true })

const withWarmUpModel = (registry: Record<string, unknown>, baseUrl: string): Record<string, unknown> => {
  const [model] = registry.models as Array<Record<string, unknown>>
  return { ...registry, models: [model, { ...model, id: 'warm-up-model', base_url: baseUrl }] }
}

const snapshot = async (pid: number, healthUrl: string, before: Set<string>): Promise<string> => {
  process.kill(pid, 'SIGUSR2')
  for (;;) {
    await sleep(500)
    const fresh = readdirSync(directory).filter((name) => name.endsWith('.heapsnapshot') && !before.has(name))
    if (fresh.length > 0) {
      // Writing the snapshot blocks the server's event loop: once it answers again, the file is complete.
      const file = path.join(directory, fresh[0] as string)
      await (await httpRequest(`${healthUrl}/healthz`, { headersTimeout: 600_000 })).body.text()
      return file
    }
  }
}

const upstream = await startUpstreamProcess({ latencyMs: 600_000 })
// A second, immediate upstream for the warm-up, so code compiled on first use is in both snapshots.
const fastUpstream = await startUpstreamProcess({ latencyMs: 0 })
const agent = new Agent({ connections: total + 1, pipelining: 1, keepAliveTimeout: 600_000, headersTimeout: 900_000, bodyTimeout: 900_000 })
const server = await startDriberProcess({
  runtime: 'dist',
  nodeArgs: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${directory}`, ...(values.node as string[])],
  config: benchConfig({ deadlines: { defaultRequestMs: 900_000, drainMs: 1_000 }, pressure: { enabled: false } }),
  registry: withWarmUpModel(benchRegistry({ baseUrl: upstream.baseUrl, maxConcurrency, maxQueue: total + 10, timeoutMs: 900_000 }), fastUpstream.baseUrl),
  env: benchKeyEnvironment,
})
const { grpcObject } = loadDriberProto()
const channel = new grpcObject.driber.v1.ImageSharing(server.grpcAddress, grpc.credentials.createInsecure())
const pid = server.child.pid as number
try {
  const seen = new Set(readdirSync(directory))
  const decideJson = benchDialogues.map((dialogue) => JSON.stringify({ dialogue }))
  const grpcRequests = benchDialogues.map((dialogue) => decideRequestToWire({ dialogue }))
  // Warm both paths on the immediate model, so code compiled on first use is not counted per request.
  for (let round = 0; round < 50; round++) {
    const dialogue = benchDialogues[round % 3]
    const response = await httpRequest(`${server.httpUrl}/v1/decide`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dialogue, model: 'warm-up-model' }) })
    if (response.statusCode !== 200) throw new Error(`warm-up answered ${response.statusCode}: ${await response.body.text()}`)
    await response.body.text()
    await new Promise<void>((resolve, reject) =>
      channel.Decide(decideRequestToWire({ dialogue: dialogue as never, model: 'warm-up-model' }) as never, (error: Error | null) => (error === null ? resolve() : reject(error))),
    )
  }
  await sleep(1_000)
  const idleFile = await snapshot(pid, server.httpUrl, seen)
  seen.add(path.basename(idleFile))
  for (let index = 0; index < httpCount; index++) {
    httpRequest(`${server.httpUrl}/v1/decide`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: decideJson[index % 3] }).then(
      (response) => response.body.text(),
      () => undefined,
    )
  }
  for (let index = 0; index < grpcCount; index++) {
    channel.Decide(grpcRequests[index % 3] as never, { deadline: Date.now() + 900_000 }, () => undefined)
  }
  // Wait until the upstream holds every call: the server's in-flight gauge says so.
  for (let waited = 0; waited < 120; waited++) {
    await sleep(1_000)
    const text = await (await httpRequest(server.metricsUrl)).body.text()
    const inFlight = text.split('\n').filter((line) => line.startsWith('driber_requests_in_flight')).map((line) => Number(line.split(' ').at(-1)))
    if (inFlight.reduce((sum, value) => sum + value, 0) >= total) break
    if (waited % 10 === 9) console.log(`waiting: ${inFlight.join(',')}`)
  }
  await sleep(2_000)
  const rssLoaded = server.rssBytes() ?? 0
  const metricsText = await (await httpRequest(server.metricsUrl)).body.text()
  const memoryLines = metricsText.split('\n').filter((line) => /^nodejs_(heap_size_(used|total)|external_memory)_bytes |^nodejs_heap_space_size_total_bytes/.test(line))
  console.log(`server memory with every request waiting: ${memoryLines.map((line) => `${line.split(' ')[0]} ${(Number(line.split(' ')[1]) / 2 ** 20).toFixed(1)} MiB`).join('; ')}`)
  const loadedFile = await snapshot(pid, server.httpUrl, seen)
  const idle = heapSnapshotSummary(idleFile)
  const loaded = heapSnapshotSummary(loadedFile)
  const rows = [...new Set([...idle.byKind.keys(), ...loaded.byKind.keys()])]
    .map((kind) => {
      const a = idle.byKind.get(kind) ?? { count: 0, bytes: 0 }
      const b = loaded.byKind.get(kind) ?? { count: 0, bytes: 0 }
      return { kind, count: (b.count - a.count) / total, bytes: (b.bytes - a.bytes) / total }
    })
    .sort((x, y) => y.bytes - x.bytes)
  const totalOf = (summary: HeapSummary): number => summary.totalBytes
  console.log(`requests in flight: ${total} (${httpCount} HTTP, ${grpcCount} gRPC; at most ${maxConcurrency} calling the upstream, the rest queued); live heap idle ${(totalOf(idle) / 1e6).toFixed(1)} MB, loaded ${(totalOf(loaded) / 1e6).toFixed(1)} MB; per request ${((totalOf(loaded) - totalOf(idle)) / total / 1024).toFixed(1)} KiB; RSS before the snapshot ${(rssLoaded / 2 ** 20).toFixed(0)} MiB`)
  for (const row of rows.slice(0, 45)) console.log(`${(row.bytes / 1024).toFixed(2).padStart(8)} KiB ${row.count.toFixed(2).padStart(7)}  ${row.kind}`)
} finally {
  channel.close()
  await server.stop()
  await upstream.stop()
  await fastUpstream.stop()
  await agent.close()
}
