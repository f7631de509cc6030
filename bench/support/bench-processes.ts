/**
 * The processes a benchmark measures: the fake upstream and the driber server, each in a child
 * process of its own so neither shares an event loop with the load generator. Children are
 * started on loopback, announce or expose readiness, and are always stopped (SIGTERM, then
 * SIGKILL after a grace) by the caller's `finally`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { request as httpRequest } from 'undici'
import { stringify as toYaml } from 'yaml'

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. Resolves with its exit code. */
export const stopChild = async (child: ChildProcess, graceMs = 10_000): Promise<number | null> => {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
  const exit = once(child, 'exit') as Promise<[number | null]>
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  const [code] = await exit
  clearTimeout(timer)
  return code
}

/** The first JSON line a child prints on stdout (how the fake upstream announces its address). */
export const firstJsonLine = async (child: ChildProcess, what: string, timeoutMs = 60_000): Promise<Record<string, unknown>> => {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  let timer: NodeJS.Timeout | undefined
  const failed = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready`)))
    timer = setTimeout(() => reject(new Error(`${what} was not ready within ${timeoutMs} ms`)), timeoutMs)
  })
  const first = (async () => {
    for await (const line of lines) {
      try {
        return JSON.parse(line) as Record<string, unknown>
      } catch {
        // Not the announcement line.
      }
    }
    throw new Error(`${what} closed stdout before it was ready`)
  })()
  try {
    return await Promise.race([first, failed])
  } finally {
    clearTimeout(timer)
  }
}

export interface UpstreamProcess {
  readonly child: ChildProcess
  /** `http://127.0.0.1:PORT/v1` */
  readonly baseUrl: string
  stop(): Promise<void>
}

/** Starts `test/support/fake-upstream-main.ts` (valid default answers) in its own process. */
export const startUpstreamProcess = async (options: { latencyMs: number }): Promise<UpstreamProcess> => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectRoot, 'test', 'support', 'fake-upstream-main.ts'), '--latency-ms', String(options.latencyMs)],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  try {
    const { baseUrl } = (await firstJsonLine(child, 'the fake upstream')) as { baseUrl: string }
    return { child, baseUrl, stop: async () => void (await stopChild(child)) }
  } catch (error) {
    await stopChild(child)
    throw error
  }
}

/** How the server runs: the built `dist/server.js` (what production runs) or `src/server.ts` through tsx. */
export type DriberRuntime = 'dist' | 'tsx'

export interface DriberProcessOptions {
  runtime: DriberRuntime
  /** Config file contents (ports are filled in here); registry data is written beside it. */
  config: Record<string, unknown>
  registry: Record<string, unknown>
  /** Extra environment (API key variables, DRIBER_WORKERS). */
  env?: Record<string, string>
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[]
  /** Where the child's stdout goes (its JSON log lines); default discarded. */
  stdout?: 'ignore' | 'inherit'
}

export interface DriberProcess {
  readonly child: ChildProcess
  readonly httpUrl: string
  readonly grpcAddress: string
  /** The primary's aggregated /metrics when workers > 1, else the worker's. */
  readonly metricsUrl: string
  /** Peak resident set size of the server process (Linux `VmHWM`), bytes; undefined where unknown. */
  peakRssBytes(): number | undefined
  /** Current resident set size of the server process (Linux `VmRSS`), bytes; undefined where unknown. */
  rssBytes(): number | undefined
  /**
   * CPU seconds (user + system) the server has spent so far, by its own account: prom-client's
   * `process_cpu_seconds_total` (from `process.cpuUsage()`), summed over workers when clustered.
   */
  cpuSeconds(): Promise<number>
  stop(): Promise<number | null>
}

/** `process_cpu_seconds_total` from a Prometheus exposition (the sum when several series are listed). */
export const scrapeCpuSeconds = async (metricsUrl: string): Promise<number> => {
  const response = await httpRequest(metricsUrl)
  const text = await response.body.text()
  let total = 0
  let found = false
  for (const line of text.split('\n')) {
    if (!line.startsWith('process_cpu_seconds_total')) continue
    total += Number(line.trim().split(/\s+/).at(-1))
    found = true
  }
  if (!found) throw new Error(`no process_cpu_seconds_total at ${metricsUrl} (metrics.collectDefault off?)`)
  return total
}

/** CPU milliseconds per request between two `cpuSeconds()` readings. */
export const cpuMsPerRequest = (before: number, after: number, requests: number): number =>
  requests === 0 ? Number.NaN : Math.round(((after - before) * 1000 * 1000) / requests) / 1000

const statusField = (pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number | undefined => {
  if (pid === undefined || !existsSync(`/proc/${pid}/status`)) return undefined
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match === null ? undefined : Number(match[1]) * 1024
}

/** Peak RSS of a process from /proc (Linux); undefined elsewhere or once it has exited. */
export const peakRssOf = (pid: number | undefined): number | undefined => statusField(pid, 'VmHWM')

/** Current RSS of a process from /proc (Linux); undefined elsewhere or once it has exited. */
export const rssOf = (pid: number | undefined): number | undefined => statusField(pid, 'VmRSS')

/** Starts driber with `config` and `registry` on free loopback ports; resolves once /readyz says ready. */
export const startDriberProcess = async (options: DriberProcessOptions): Promise<DriberProcess> => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-bench-'))
  const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()]
  const registryPath = path.join(directory, 'registry.yaml')
  writeFileSync(registryPath, toYaml(options.registry))
  const configPath = path.join(directory, 'config.yaml')
  writeFileSync(
    configPath,
    toYaml({
      ...options.config,
      http: { host: '127.0.0.1', port: httpPort, docs: false },
      grpc: { host: '127.0.0.1', port: grpcPort },
      metrics: { ...((options.config.metrics as Record<string, unknown> | undefined) ?? {}), port: metricsPort },
      registryPath,
    }),
  )
  const entry = options.runtime === 'dist' ? [path.join(projectRoot, 'dist', 'server.js')] : ['--import', 'tsx', path.join(projectRoot, 'src', 'server.ts')]
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry], {
    cwd: projectRoot,
    env: { ...process.env, ...options.env, DRIBER_CONFIG: configPath },
    stdio: ['ignore', options.stdout ?? 'ignore', 'inherit'],
  })
  const httpUrl = `http://127.0.0.1:${httpPort}`
  const stop = async (): Promise<number | null> => {
    const code = await stopChild(child, 30_000)
    rmSync(directory, { recursive: true, force: true })
    return code
  }
  try {
    const deadline = Date.now() + 120_000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the driber server exited with ${child.exitCode} during start-up`)
      if (Date.now() > deadline) throw new Error('the driber server did not become ready within 120 s')
      try {
        const response = await httpRequest(`${httpUrl}/readyz`)
        await response.body.text()
        if (response.statusCode === 200) break
      } catch {
        // Not listening yet.
      }
      await sleep(200)
    }
  } catch (error) {
    await stop()
    throw error
  }
  return {
    child,
    httpUrl,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    peakRssBytes: () => peakRssOf(child.pid),
    rssBytes: () => rssOf(child.pid),
    cpuSeconds: () => scrapeCpuSeconds(`http://127.0.0.1:${metricsPort}/metrics`),
    stop,
  }
}
