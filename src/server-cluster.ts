/**
 * Several server processes on one machine (`workers` > 1, `DRIBER_WORKERS`): node:cluster forks
 * workers that each build the whole app and share the HTTP and gRPC ports (the primary hands
 * out connections round-robin). The primary serves no API: it keeps the workers running,
 * forwards SIGTERM/SIGINT so each drains as a single process would, and serves `/metrics` on
 * `metrics.port` aggregated across workers with prom-client's AggregatorRegistry (counters and
 * histograms summed, so a scrape sees the whole process group).
 *
 * A gRPC client holds one HTTP/2 connection, and a connection stays with the worker that
 * accepted it: spread gRPC load with several channels (or several clients), as a load balancer does.
 */
import cluster, { type Worker } from 'node:cluster'
import { availableParallelism } from 'node:os'
import promClient from 'prom-client'
import type { Config } from './config.js'
import { startMetricsServer, type MetricsServer } from './observability/metrics-server.js'

/** How many server processes `config` asks for (0 = one per available core). */
export const workerCount = (config: Pick<Config, 'workers'>): number => (config.workers === 0 ? availableParallelism() : config.workers)

/** Whether this process is a cluster worker (its primary serves the aggregated /metrics). */
export const isClusterWorker = (): boolean => cluster.isWorker

/** In a worker: answer the primary's metric requests from this app's registry. */
export const shareMetricsWithPrimary = (registry: promClient.Registry): void => {
  promClient.AggregatorRegistry.setRegistries([registry])
  // Constructing one adds the worker's IPC listener (idempotent).
  void new promClient.AggregatorRegistry()
}

/** A crash loop must not fork forever: give up after this many unexpected exits in a minute. */
const MAX_RESTARTS_PER_MINUTE = 10

const write = (line: string): void => void process.stderr.write(`${JSON.stringify({ level: 'info', component: 'cluster', pid: process.pid, time: Date.now(), msg: line })}\n`)

/**
 * The primary's whole life: fork `workers`, replace any that die unexpectedly, and on the first
 * SIGTERM/SIGINT ask each to drain and wait for them. Resolves with the exit code (0 when every
 * worker drained cleanly).
 */
export const runClusterPrimary = async (config: Config, workers: number): Promise<number> => {
  const aggregator = new promClient.AggregatorRegistry()
  let metricsServer: MetricsServer | undefined
  if (config.metrics.enabled && config.metrics.port > 0) {
    metricsServer = await startMetricsServer({
      metrics: { render: () => aggregator.clusterMetrics(), contentType: aggregator.contentType },
      host: config.http.host,
      port: config.metrics.port,
    })
  }
  let stopping = false
  const restarts: number[] = []
  const exitCodes: number[] = []
  const fork = (): Worker => cluster.fork()
  for (let index = 0; index < workers; index++) fork()
  write(`driber primary started ${workers} workers${metricsServer === undefined ? '' : `; aggregated /metrics on port ${metricsServer.port}`}`)

  return new Promise<number>((resolve) => {
    const finishIfDone = (): void => {
      if (stopping && Object.keys(cluster.workers ?? {}).length === 0) {
        const close = metricsServer?.close() ?? Promise.resolve()
        void close.then(() => resolve(exitCodes.every((code) => code === 0) ? 0 : 1))
      }
    }
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) {
        exitCodes.push(code ?? (signal === null ? 0 : 1))
        finishIfDone()
        return
      }
      const now = Date.now()
      restarts.push(now)
      while (restarts.length > 0 && (restarts[0] as number) < now - 60_000) restarts.shift()
      write(`worker ${worker.process.pid} exited unexpectedly (code ${code}, signal ${signal})`)
      if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
        write('workers keep crashing: stopping')
        stopAll('crash loop')
        exitCodes.push(1)
        return
      }
      fork()
    })
    const stopAll = (reason: string): void => {
      if (stopping) return
      stopping = true
      write(`shutting down workers: ${reason}`)
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
      finishIfDone()
    }
    const onSignal = (signal: NodeJS.Signals): void => {
      // A second signal means "now", as in a single process.
      process.once(signal, () => {
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL')
        process.exit(1)
      })
      stopAll(signal)
    }
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
  })
}
