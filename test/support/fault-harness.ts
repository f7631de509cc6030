/**
 * The whole app on real ports (HTTP and gRPC on 127.0.0.1:0) against the scriptable fake upstream,
 * with one way to call a stage over either transport and get back the same shape: the answer, or
 * the catalog code and the transport status. Metrics are read from the app's own prom-client
 * registry. Used by the fault-injection and shutdown suites.
 */
import type { AddressInfo } from 'node:net'
import * as grpc from '@grpc/grpc-js'
import pino, { type Logger } from 'pino'
import { Registry } from 'prom-client'
import type { Test } from 'tap'
import { Agent, request as httpRequest } from 'undici'
import { buildApp, type App } from '../../src/app.js'
import type { ConfigData, DeepPartial } from '../../src/config.js'
import { isDriberError } from '../../src/errors.js'
import { createDriberGrpcClient, type DriberGrpcClient } from '../../src/grpc/grpc-client.js'
import type { RegistryData } from '../../src/registry/registry-schema.js'
import { testAppConfig, testRegistry } from '../helper.js'
import { startFakeUpstream, type FakeUpstream, type FakeUpstreamOptions } from './fake-upstream.js'

export type Transport = 'http' | 'grpc'
export const TRANSPORTS: readonly Transport[] = ['http', 'grpc']

export type Stage = 'decide' | 'rank' | 'describe'

export type CallResult =
  | { ok: true; body: Record<string, unknown>; elapsedMs: number }
  | {
      ok: false
      /** `DRIBER_*`, or `NO_CODE` when the transport answered without one (grpc-js's own statuses). */
      code: string
      /** HTTP status or gRPC status code. */
      status: number
      /** Retry-After in ms (from the header or `retry-after-ms` metadata), when sent. */
      retryAfterMs: number | undefined
      elapsedMs: number
    }

export interface CallOptions {
  /** Sent as `x-request-timeout-ms` / the gRPC deadline. */
  deadlineMs?: number
  apiKey?: string
}

export interface FaultHarness {
  app: App
  upstream: FakeUpstream
  metrics: Registry
  httpUrl: string
  grpcAddress: string
  /** One stage call over one transport. Never rejects for a typed answer; rejects only if no answer came. */
  call(transport: Transport, stage: Stage, body: Record<string, unknown>, options?: CallOptions): Promise<CallResult>
  /** Sum of the samples named `name` (`x_count` for a histogram's count) whose labels include `labels`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>
  /** The largest such sample (gauges repeated per stage). */
  metricMax(name: string, labels?: Record<string, string>): Promise<number>
  /** Closes clients, app and upstream (also done at teardown; safe twice). */
  close(): Promise<void>
}

export interface FaultHarnessOptions {
  config?: DeepPartial<ConfigData>
  registry?: (baseUrl: string) => RegistryData
  upstream?: FakeUpstreamOptions
  /** Where the app logs (silent by default). */
  logger?: Logger
}

/** The registry of `test/helper.ts` with short per-attempt timeouts, so hangs are cut off quickly. */
export const faultRegistry =
  (timeoutMs: number) =>
  (baseUrl: string): RegistryData => {
    const registry = testRegistry(baseUrl)
    return { ...registry, models: registry.models.map((model) => ({ ...model, timeout_ms: timeoutMs })) }
  }

export const startFaultHarness = async (t: Test, options: FaultHarnessOptions = {}): Promise<FaultHarness> => {
  const upstream = await startFakeUpstream(options.upstream)
  const metrics = new Registry()
  const app = await buildApp(testAppConfig(options.config), {
    logger: options.logger ?? pino({ level: 'silent' }),
    metricsRegistry: metrics,
    // Per-attempt timeout: short enough that hangs end quickly, long enough for a busy CI machine.
    registry: (options.registry ?? faultRegistry(1500))(upstream.baseUrl),
  })
  await app.http.listen({ host: '127.0.0.1', port: 0 })
  const httpUrl = `http://127.0.0.1:${(app.http.server.address() as AddressInfo).port}`
  const grpcServer = app.grpc
  if (grpcServer === undefined) throw new Error('the fault harness needs the gRPC server (grpc.enabled)')
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
  )
  const grpcAddress = `127.0.0.1:${grpcPort}`
  await app.ready()
  // A private pool, closed at the end, so no keep-alive socket outlives the test.
  const agent = new Agent({ connections: 1024, keepAliveTimeout: 1000 })
  const grpcClients = new Map<string, DriberGrpcClient>()
  const grpcClient = (apiKey: string | undefined): DriberGrpcClient => {
    const key = apiKey ?? ''
    let client = grpcClients.get(key)
    if (client === undefined) {
      client = createDriberGrpcClient(grpcAddress, apiKey === undefined ? {} : { apiKey })
      grpcClients.set(key, client)
    }
    return client
  }

  const call = async (transport: Transport, stage: Stage, body: Record<string, unknown>, callOptions: CallOptions = {}): Promise<CallResult> => {
    const started = performance.now()
    const elapsed = (): number => performance.now() - started
    if (transport === 'http') {
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (callOptions.deadlineMs !== undefined) headers['x-request-timeout-ms'] = String(callOptions.deadlineMs)
      if (callOptions.apiKey !== undefined) headers.authorization = `Bearer ${callOptions.apiKey}`
      const path = stage === 'describe' ? '/v1/describe' : '/v1/decide'
      const payload = stage === 'rank' ? { ...body, mode: 'rank' } : body
      const response = await httpRequest(`${httpUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(payload), dispatcher: agent })
      const parsed = (await response.body.json()) as Record<string, unknown> & { error?: { code: string } }
      if (response.statusCode === 200) return { ok: true, body: parsed, elapsedMs: elapsed() }
      const retryAfter = response.headers['retry-after']
      return {
        ok: false,
        code: parsed.error?.code ?? 'NO_CODE',
        status: response.statusCode,
        retryAfterMs: typeof retryAfter === 'string' ? Number(retryAfter) * 1000 : undefined,
        elapsedMs: elapsed(),
      }
    }
    const client = grpcClient(callOptions.apiKey)
    const grpcOptions = callOptions.deadlineMs === undefined ? {} : { deadlineMs: callOptions.deadlineMs }
    try {
      const input = body as never
      const answer =
        stage === 'describe' ? await client.describe(input, grpcOptions) : stage === 'rank' ? await client.rank(input, grpcOptions) : await client.decide(input, grpcOptions)
      return { ok: true, body: answer as unknown as Record<string, unknown>, elapsedMs: elapsed() }
    } catch (error) {
      if (!isDriberError(error)) throw error
      const inferred = (error.details as { origin?: string } | undefined)?.origin === 'grpc-status'
      const status = (error.cause as { code?: number } | undefined)?.code ?? -1
      return { ok: false, code: inferred ? 'NO_CODE' : error.code, status, retryAfterMs: error.retryAfterMs, elapsedMs: elapsed() }
    }
  }

  const samples = async (name: string, labels: Record<string, string>): Promise<number[]> => {
    const values: number[] = []
    for (const family of await metrics.getMetricsAsJSON()) {
      for (const sample of family.values as Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>) {
        // Histograms report `<name>_count`, `_sum` and `_bucket` samples under one family.
        if ((sample.metricName ?? family.name) !== name) continue
        if (Object.entries(labels).every(([key, value]) => String(sample.labels[key]) === value)) values.push(sample.value)
      }
    }
    return values
  }
  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> =>
    (await samples(name, labels)).reduce((sum, value) => sum + value, 0)
  const metricMax = async (name: string, labels: Record<string, string> = {}): Promise<number> => Math.max(0, ...(await samples(name, labels)))

  let closed: Promise<void> | undefined
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      for (const client of grpcClients.values()) client.close()
      await agent.close()
      await app.close({ drainMs: 0 })
      await upstream.close()
    })())
  t.teardown(close)
  return { app, upstream, metrics, httpUrl, grpcAddress, call, metric, metricMax, close }
}

/**
 * Counts of the process's active resources by type (sockets, servers, timers ...), for leak checks:
 * what a test opened must be gone when it has closed everything.
 */
export const activeResources = (): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1
  return counts
}

/** Waits until the active resources are back to `baseline` (or no better than it after `timeoutMs`); returns the last counts. */
export const settleResources = async (baseline: Record<string, number>, timeoutMs = 3000): Promise<Record<string, number>> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const now = activeResources()
    const leaked = Object.entries(now).some(([type, count]) => count > (baseline[type] ?? 0))
    if (!leaked || Date.now() > deadline) return now
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
