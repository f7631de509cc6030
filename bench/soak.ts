/**
 * Soak and load: the real driber server process (`src/server.ts`) against the fake upstream in a
 * process of its own, driven from this process over loopback HTTP and gRPC.
 *
 * Phase 1, burst: `burst` slow requests (the upstream waits `latencyMs` before each answer) fired
 * at once, half over HTTP and half over gRPC. Phase 2, mixed: `concurrency` workers loop for
 * `durationS` seconds (or until `maxRequests`) over every operation, both transports, with one
 * request in ten deliberately invalid. Each request ends in a success, a typed driber error, or is
 * counted as lost (no answer at all: a socket error, or no reply by its deadline plus a grace).
 * Heap and RSS come from the server's own /metrics (prom-client default metrics), sampled at rest
 * after warm-up and again at rest after the run, each time after a full garbage collection the
 * bench asks for (SIGUSR2, see bench/gc-on-signal.ts); the minimum of six samples is kept.
 *
 *   tsx bench/soak.ts [--burst 2000] [--latency-ms 500] [--duration-s 60] [--concurrency 64]
 *                     [--max-requests 200000] [--deadline-ms 20000] [--out bench/results/soak.json]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { Agent, request as httpRequest } from 'undici'
import { stringify as toYaml } from 'yaml'
import type { Dialogue } from '../src/core/types.js'
import { createDriberGrpcClient, type DriberGrpcClient } from '../src/grpc/grpc-client.js'
import { isDriberError } from '../src/errors.js'
import { benchDialogues } from './support/bench-fixtures.js'
import { firstJsonLine, freePort, projectRoot, sleep, stopChild } from './support/bench-processes.js'

export interface SoakOptions {
  /** Concurrent slow requests in the burst phase. */
  burst: number
  /** Upstream delay before every answer, ms. */
  latencyMs: number
  /** Length of the mixed phase, seconds. */
  durationS: number
  /** Concurrent workers in the mixed phase. */
  concurrency: number
  /** Cap on requests in the mixed phase. */
  maxRequests: number
  /** Each request's deadline (x-request-timeout-ms / gRPC deadline). */
  deadlineMs: number
  /** A request with no answer this long after its deadline counts as lost. */
  lostAfterMs: number
  /** Heap may grow by at most this much from start to end (bytes) for `memoryFlat`. */
  heapBoundBytes: number
  /** Where to write the JSON report; undefined = do not write. */
  out: string | undefined
  /** Progress lines go here. */
  log: (line: string) => void
}

export const defaultSoakOptions: SoakOptions = {
  burst: 2000,
  latencyMs: 500,
  durationS: 60,
  concurrency: 64,
  maxRequests: 200_000,
  deadlineMs: 20_000,
  lostAfterMs: 60_000,
  heapBoundBytes: 32 * 1024 * 1024,
  out: path.join(projectRoot, 'bench', 'results', 'soak.json'),
  log: (line) => process.stderr.write(`${line}\n`),
}

interface Outcome {
  transport: 'http' | 'grpc'
  operation: string
  /** `ok`, a `DRIBER_*` code, or `lost`. */
  result: string
  /** Whether the result is the one this request should get (invalid input must be refused). */
  expected: boolean
  latencyMs: number
}

export interface PhaseReport {
  requests: number
  succeeded: number
  /** Typed driber errors, by code. */
  errors: Record<string, number>
  lost: number
  /** Answers that were not what the request should get (a valid request refused as invalid, or the reverse). */
  unexpected: number
  /** Results (`ok`, a code, `lost`) counted per transport. */
  byTransport: Record<string, Record<string, number>>
  /** Answers that came after the request's deadline (plus 1 s for scheduling). */
  lateAnswers: number
  latencyMs: { p50: number; p90: number; p99: number; max: number }
  durationS: number
  throughputPerS: number
}

export interface MemorySample {
  heapUsedBytes: number
  rssBytes: number
}

export interface SoakReport {
  startedAt: string
  options: Omit<SoakOptions, 'out' | 'log'>
  node: string
  /** The machine, so numbers can be read in context: CPUs and load averages at start and end. */
  machine: { cpus: number; loadAverageStart: number[]; loadAverageEnd: number[] }
  burst: PhaseReport
  mixed: PhaseReport
  memory: { start: MemorySample; end: MemorySample; heapGrowthBytes: number; rssGrowthBytes: number; boundBytes: number }
  /** Zero requests without an answer in both phases. */
  nothingLost: boolean
  memoryFlat: boolean
  serverExitCode: number | null
}

const percentile = (sorted: number[], q: number): number =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number)

const summarise = (outcomes: Outcome[], durationS: number, deadlineMs: number): PhaseReport => {
  const errors: Record<string, number> = {}
  const byTransport: Record<string, Record<string, number>> = {}
  for (const outcome of outcomes) {
    const counts = (byTransport[outcome.transport] ??= {})
    counts[outcome.result] = (counts[outcome.result] ?? 0) + 1
    if (outcome.result !== 'ok' && outcome.result !== 'lost') errors[outcome.result] = (errors[outcome.result] ?? 0) + 1
  }
  const latencies = outcomes.map((outcome) => outcome.latencyMs).sort((a, b) => a - b)
  const round = (value: number): number => Math.round(value * 10) / 10
  return {
    requests: outcomes.length,
    succeeded: outcomes.filter((outcome) => outcome.result === 'ok').length,
    errors,
    lost: outcomes.filter((outcome) => outcome.result === 'lost').length,
    unexpected: outcomes.filter((outcome) => !outcome.expected).length,
    byTransport,
    lateAnswers: outcomes.filter((outcome) => outcome.result !== 'lost' && outcome.latencyMs > deadlineMs + 1000).length,
    latencyMs: {
      p50: round(percentile(latencies, 0.5)),
      p90: round(percentile(latencies, 0.9)),
      p99: round(percentile(latencies, 0.99)),
      max: round(latencies[latencies.length - 1] ?? 0),
    },
    durationS: round(durationS),
    throughputPerS: round(outcomes.length / Math.max(durationS, 0.001)),
  }
}

const gallery = [
  { id: 'turtle', url: 'https://images.example.org/turtle.jpg', caption: 'a sea turtle swimming in clear water' },
  { id: 'dog', url: 'https://images.example.org/dog.jpg', caption: 'a golden retriever playing fetch in a park' },
  { id: 'cake', url: 'https://images.example.org/cake.jpg', caption: 'a chocolate birthday cake with candles' },
  { id: 'beach', url: 'https://images.example.org/beach.jpg', caption: 'a sandy beach with blue water' },
]

type Operation = 'decide' | 'rank' | 'describe' | 'retrieve' | 'share' | 'invalid'

const API_KEY_VARIABLE = 'DRIBER_SOAK_UPSTREAM_KEY'

/** Runs the soak and returns (and optionally writes) the report. */
export const runSoak = async (overrides: Partial<SoakOptions> = {}): Promise<SoakReport> => {
  const options: SoakOptions = { ...defaultSoakOptions, ...overrides }
  const { log } = options
  const startedAt = new Date().toISOString()
  const loadAverageStart = loadavg().map((value) => Math.round(value * 100) / 100)
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-soak-'))
  const children: ChildProcess[] = []
  const agent = new Agent({ connections: options.burst + options.concurrency + 16, pipelining: 1, keepAliveTimeout: 30_000 })
  let grpcClient: DriberGrpcClient | undefined
  try {
    // The fake upstream, in its own process so its work does not count against driber's.
    const upstream = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(projectRoot, 'test', 'support', 'fake-upstream-main.ts'), '--latency-ms', String(options.latencyMs)],
      { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    children.push(upstream)
    const { baseUrl } = (await firstJsonLine(upstream, 'the fake upstream')) as { baseUrl: string }
    log(`fake upstream at ${baseUrl} (latency ${options.latencyMs} ms)`)

    const galleryPath = path.join(directory, 'gallery.jsonl')
    writeFileSync(galleryPath, gallery.map((item) => JSON.stringify(item)).join('\n'))
    const model = (id: string, scale: string) => ({
      id,
      provider: 'openai',
      base_url: baseUrl,
      api_key_env: API_KEY_VARIABLE,
      upstream_model: `fake-${id}`,
      scale,
      output: 'json_schema',
      timeout_ms: Math.max(5_000, options.latencyMs * 4),
      // Enough room that the burst is admitted rather than shed: this measures carrying load.
      max_concurrency: options.burst + options.concurrency,
      max_queue: options.burst + options.concurrency,
    })
    const registryPath = path.join(directory, 'registry.yaml')
    writeFileSync(
      registryPath,
      toYaml({
        version: 1,
        models: [model('soak-a', 'small'), model('soak-b', 'medium')],
        embedders: [{ id: 'soak-embed', provider: 'openai', base_url: baseUrl, api_key_env: API_KEY_VARIABLE, upstream_model: 'fake-embedding', modalities: ['text'] }],
        routes: { decide: ['soak-a', 'soak-b'], describe: ['soak-a', 'soak-b'] },
      }),
    )
    const httpPort = await freePort()
    const grpcPort = await freePort()
    const configPath = path.join(directory, 'config.yaml')
    writeFileSync(
      configPath,
      toYaml({
        http: { host: '127.0.0.1', port: httpPort, docs: false },
        grpc: { host: '127.0.0.1', port: grpcPort },
        registryPath,
        logging: { level: 'warn' },
        deadlines: { defaultRequestMs: 30_000, drainMs: 10_000 },
        // One client from one address is the whole load here; per-caller limits would only measure themselves.
        rateLimit: { enabled: false },
        retrieval: { defaultIndex: 'soak', indexes: [{ name: 'soak', path: galleryPath, embedder: 'soak-embed', backend: 'memory' }] },
      }),
    )
    const server = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', '--import', pathToFileURL(path.join(projectRoot, 'bench', 'gc-on-signal.ts')).href, path.join(projectRoot, 'src', 'server.ts')],
      {
      cwd: projectRoot,
      env: { ...process.env, DRIBER_CONFIG: configPath, [API_KEY_VARIABLE]: 'sk-soak-not-a-secret' },
      stdio: ['ignore', 'ignore', 'inherit'],
      },
    )
    children.push(server)
    const httpBase = `http://127.0.0.1:${httpPort}`
    const startDeadline = Date.now() + 60_000
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the driber server exited with ${server.exitCode} during start-up`)
      if (Date.now() > startDeadline) throw new Error('the driber server did not become ready within 60 s')
      try {
        const response = await httpRequest(`${httpBase}/readyz`, { dispatcher: agent })
        await response.body.text()
        if (response.statusCode === 200) break
      } catch {
        // Not listening yet.
      }
      await sleep(200)
    }
    log(`driber serving: http ${httpBase}, grpc 127.0.0.1:${grpcPort}`)
    grpcClient = createDriberGrpcClient(`127.0.0.1:${grpcPort}`)
    const client = grpcClient

    const deadlineMs = options.deadlineMs
    const call = async (transport: 'http' | 'grpc', operation: Operation, index: number): Promise<Outcome> => {
      const dialogue = benchDialogues[index % benchDialogues.length] as Dialogue
      const started = performance.now()
      const expectInvalid = operation === 'invalid'
      let result: string
      // A request that gets no answer by its deadline plus this grace counts as lost.
      const guard = AbortSignal.timeout(deadlineMs + options.lostAfterMs)
      try {
        if (transport === 'http') {
          const [route, body] = ((): [string, unknown] => {
            switch (operation) {
              case 'decide':
                return ['/v1/decide', { dialogue }]
              case 'rank':
                return ['/v1/decide', { dialogue, mode: 'rank' }]
              case 'describe':
                return ['/v1/describe', { dialogue, n: 2 }]
              case 'retrieve':
                return ['/v1/retrieve', { descriptions: ['a sea turtle in clear water'], k: 2 }]
              case 'share':
                return ['/v1/share', { dialogue, k: 2 }]
              case 'invalid':
                return ['/v1/decide', { dialogue: [], unknown_field: true }]
            }
          })()
          const response = await httpRequest(`${httpBase}${route}`, {
            method: 'POST',
            dispatcher: agent,
            headers: { 'content-type': 'application/json', 'x-request-timeout-ms': String(deadlineMs) },
            body: JSON.stringify(body),
            signal: guard,
          })
          const parsed = (await response.body.json()) as { error?: { code?: string } }
          result = response.statusCode === 200 ? 'ok' : (parsed.error?.code ?? `HTTP_${response.statusCode}`)
        } else {
          const callOptions = { deadlineMs, signal: guard }
          switch (operation) {
            case 'decide':
              await client.decide({ dialogue }, callOptions)
              break
            case 'rank':
              await client.rank({ dialogue }, callOptions)
              break
            case 'describe':
              await client.describe({ dialogue, n: 2 }, callOptions)
              break
            case 'retrieve':
              await client.retrieve({ descriptions: ['a sea turtle in clear water'], k: 2 }, callOptions)
              break
            case 'share':
              await client.share({ dialogue, k: 2 }, callOptions)
              break
            case 'invalid':
              await client.decide({ dialogue: [] }, callOptions)
              break
          }
          result = 'ok'
        }
      } catch (error) {
        // A typed error the server sent is an answer, and so is the gRPC client's own deadline (the
        // caller was told in time); a socket error, a dropped call or our own guard firing is not.
        const origin = isDriberError(error) ? (error.details as { origin?: string } | undefined)?.origin : undefined
        result = !isDriberError(error) ? 'lost' : origin === undefined || error.kind === 'DEADLINE_EXCEEDED' ? error.code : 'lost'
      }
      const invalid = result === 'DRIBER_INVALID_ARGUMENT' || result === 'DRIBER_INVALID_JSON'
      // Shedding and rate limiting come before validation, so they are fair answers to bad input too.
      const admissionRefusal = result === 'DRIBER_UNDER_PRESSURE' || result === 'DRIBER_RATE_LIMITED'
      const expected = expectInvalid ? invalid || admissionRefusal : !invalid && result !== 'lost'
      return { transport, operation, result, expected, latencyMs: performance.now() - started }
    }

    const metricValue = (text: string, name: string): number => {
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `) || candidate.startsWith(`${name}{`))
      return line === undefined ? Number.NaN : Number(line.trim().split(/\s+/).at(-1))
    }
    const memoryAtRest = async (): Promise<MemorySample> => {
      const samples: MemorySample[] = []
      for (let i = 0; i < 6; i++) {
        // A full collection first (see bench/gc-on-signal.ts), so garbage not yet collected is not counted.
        server.kill('SIGUSR2')
        await sleep(500)
        const response = await httpRequest(`${httpBase}/metrics`, { dispatcher: agent })
        const text = await response.body.text()
        samples.push({ heapUsedBytes: metricValue(text, 'nodejs_heap_size_used_bytes'), rssBytes: metricValue(text, 'process_resident_memory_bytes') })
      }
      return {
        heapUsedBytes: Math.min(...samples.map((sample) => sample.heapUsedBytes)),
        rssBytes: Math.min(...samples.map((sample) => sample.rssBytes)),
      }
    }

    // Warm-up: every path once per transport, so lazy loading is not counted as growth.
    const operations: Operation[] = ['decide', 'rank', 'describe', 'retrieve', 'share', 'invalid']
    for (let round = 0; round < 20; round++) {
      await Promise.all(operations.flatMap((operation) => [call('http', operation, round), call('grpc', operation, round)]))
    }
    const memoryStart = await memoryAtRest()
    log(`memory at start: heap ${(memoryStart.heapUsedBytes / 2 ** 20).toFixed(1)} MiB, rss ${(memoryStart.rssBytes / 2 ** 20).toFixed(1)} MiB`)

    log(`burst: ${options.burst} concurrent requests, each waiting ${options.latencyMs} ms upstream`)
    const burstStarted = performance.now()
    const burstOutcomes = await Promise.all(
      Array.from({ length: options.burst }, (_, index) => call(index % 2 === 0 ? 'http' : 'grpc', index % 3 === 0 ? 'describe' : 'decide', index)),
    )
    const burst = summarise(burstOutcomes, (performance.now() - burstStarted) / 1000, options.deadlineMs)
    log(`burst: ${JSON.stringify({ byTransport: burst.byTransport, late: burst.lateAnswers, latencyMs: burst.latencyMs })}`)

    log(`mixed: ${options.concurrency} workers for ${options.durationS} s (at most ${options.maxRequests} requests)`)
    const mixedOutcomes: Outcome[] = []
    const mixedStarted = performance.now()
    const stopAt = mixedStarted + options.durationS * 1000
    let issued = 0
    let nextProgress = mixedStarted + 10_000
    await Promise.all(
      Array.from({ length: options.concurrency }, async (_, worker) => {
        let counter = worker
        while (performance.now() < stopAt && issued < options.maxRequests) {
          issued++
          counter += options.concurrency
          const operation: Operation = counter % 10 === 0 ? 'invalid' : (operations[counter % 5] as Operation)
          // Invalid requests (every tenth) alternate transports too.
          const transport = (operation === 'invalid' ? Math.floor(counter / 10) : counter) % 2 === 0 ? 'http' : 'grpc'
          mixedOutcomes.push(await call(transport, operation, counter))
          if (performance.now() > nextProgress) {
            nextProgress += 10_000
            log(`mixed: ${mixedOutcomes.length} requests so far`)
          }
        }
      }),
    )
    const mixed = summarise(mixedOutcomes, (performance.now() - mixedStarted) / 1000, options.deadlineMs)
    log(`mixed: ${JSON.stringify({ requests: mixed.requests, succeeded: mixed.succeeded, errors: mixed.errors, lost: mixed.lost, latencyMs: mixed.latencyMs })}`)

    const memoryEnd = await memoryAtRest()
    log(`memory at end: heap ${(memoryEnd.heapUsedBytes / 2 ** 20).toFixed(1)} MiB, rss ${(memoryEnd.rssBytes / 2 ** 20).toFixed(1)} MiB`)
    client.close()
    grpcClient = undefined
    const serverExitCode = await stopChild(server, 20_000)
    const heapGrowthBytes = memoryEnd.heapUsedBytes - memoryStart.heapUsedBytes
    const report: SoakReport = {
      startedAt,
      options: {
        burst: options.burst,
        latencyMs: options.latencyMs,
        durationS: options.durationS,
        concurrency: options.concurrency,
        maxRequests: options.maxRequests,
        deadlineMs: options.deadlineMs,
        lostAfterMs: options.lostAfterMs,
        heapBoundBytes: options.heapBoundBytes,
      },
      node: process.version,
      machine: { cpus: availableParallelism(), loadAverageStart, loadAverageEnd: loadavg().map((value) => Math.round(value * 100) / 100) },
      burst,
      mixed,
      memory: {
        start: memoryStart,
        end: memoryEnd,
        heapGrowthBytes,
        rssGrowthBytes: memoryEnd.rssBytes - memoryStart.rssBytes,
        boundBytes: options.heapBoundBytes,
      },
      nothingLost: burst.lost === 0 && mixed.lost === 0,
      memoryFlat: Number.isFinite(heapGrowthBytes) && heapGrowthBytes <= options.heapBoundBytes,
      serverExitCode,
    }
    if (options.out !== undefined) {
      mkdirSync(path.dirname(options.out), { recursive: true })
      writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`)
      log(`report written to ${path.relative(process.cwd(), options.out)}`)
    }
    return report
  } finally {
    grpcClient?.close()
    for (const child of children.reverse()) await stopChild(child, 10_000)
    await agent.close()
    rmSync(directory, { recursive: true, force: true })
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (isMain) {
  const { values } = parseArgs({
    options: {
      burst: { type: 'string' },
      'latency-ms': { type: 'string' },
      'duration-s': { type: 'string' },
      concurrency: { type: 'string' },
      'max-requests': { type: 'string' },
      'deadline-ms': { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  })
  const number = (raw: string | undefined, fallback: number): number => (raw === undefined ? fallback : Number(raw))
  runSoak({
    burst: number(values.burst, defaultSoakOptions.burst),
    latencyMs: number(values['latency-ms'], defaultSoakOptions.latencyMs),
    durationS: number(values['duration-s'], defaultSoakOptions.durationS),
    concurrency: number(values.concurrency, defaultSoakOptions.concurrency),
    maxRequests: number(values['max-requests'], defaultSoakOptions.maxRequests),
    deadlineMs: number(values['deadline-ms'], defaultSoakOptions.deadlineMs),
    out: values.out === undefined ? defaultSoakOptions.out : path.resolve(values.out),
  }).then(
    (report) => {
      process.stdout.write(`${JSON.stringify({ nothingLost: report.nothingLost, memoryFlat: report.memoryFlat, burst: report.burst, mixed: report.mixed, memory: report.memory }, null, 2)}\n`)
      process.exitCode = report.nothingLost && report.memoryFlat ? 0 : 1
    },
    (error: unknown) => {
      process.stderr.write(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
      process.exitCode = 2
    },
  )
}
