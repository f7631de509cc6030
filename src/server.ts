/**
 * The process: load config, build the app, listen, and shut down gracefully. On SIGTERM or SIGINT
 * readiness turns false at once, new requests are refused, in-flight ones get up to
 * `deadlines.drainMs` to finish, then everything closes and the process exits 0; a second signal
 * exits at once. Start-up errors (bad config, bad registry) print their catalog code and exit 1.
 */
import { pathToFileURL } from 'node:url'
import type { Server as GrpcJsServer } from '@grpc/grpc-js'
import { buildApp, type App } from './app.js'
import { grpcServerCredentials, loadTlsMaterial } from './auth/tls-material.js'
import { loadConfig, type Config } from './config.js'
import { isDriberError } from './errors.js'
import { applyHeapGrowth } from './heap-growth.js'
import { logGrpcTlsRefusals } from './grpc/grpc-server.js'
import { startMetricsServer, type MetricsServer } from './observability/metrics-server.js'
import { isClusterWorker, runClusterPrimary, shareMetricsWithPrimary, workerCount } from './server-cluster.js'

export interface RunningServer {
  readonly app: App
  /** Where HTTP listens, e.g. http://127.0.0.1:8080. */
  readonly httpUrl: string
  /** Where gRPC listens, e.g. 127.0.0.1:50051; undefined when `grpc.enabled` is false. */
  readonly grpcAddress: string | undefined
  /** Where the separate metrics port serves /metrics (`metrics.port` > 0), e.g. http://127.0.0.1:9464/metrics. */
  readonly metricsUrl: string | undefined
  /** Drains and closes (what a signal does, without exiting). */
  shutdown(reason: string): Promise<void>
}

/**
 * Connections the kernel may queue before driber accepts them (Node's default is 511). A burst of
 * thousands of new connections overflowed it in the concurrency benchmark and clients saw
 * ECONNRESET; the kernel still caps this at `net.core.somaxconn`.
 */
const LISTEN_BACKLOG = 4096

/** Binds the gRPC server (TLS when `config.tls` is set); resolves to `host:port` with the real port. */
const bindGrpc = (server: GrpcJsServer, config: Config): Promise<string> =>
  new Promise((resolve, reject) => {
    const host = config.grpc.host.includes(':') ? `[${config.grpc.host}]` : config.grpc.host
    server.bindAsync(`${host}:${config.grpc.port}`, grpcServerCredentials(loadTlsMaterial(config.tls)), (error, port) =>
      error ? reject(error) : resolve(`${host}:${port}`),
    )
  })

/** Builds and starts the servers for `config`; resolves once they listen and readiness is on. */
export const startServer = async (config: Config): Promise<RunningServer> => {
  const app = await buildApp(config)
  let httpUrl: string
  let grpcAddress: string | undefined
  let metricsServer: MetricsServer | undefined
  try {
    httpUrl = await app.http.listen({ host: config.http.host, port: config.http.port, backlog: LISTEN_BACKLOG })
    if (app.grpc !== undefined) {
      grpcAddress = await bindGrpc(app.grpc.server, config)
      if (app.security.tls !== undefined) logGrpcTlsRefusals(app.grpc.server, app.logger.child({ component: 'grpc' }))
    }
    // In a cluster the primary serves the metrics port, aggregated over every worker's registry.
    if (app.metrics !== undefined && isClusterWorker()) shareMetricsWithPrimary(app.metrics.registry)
    // /metrics on its own port as well, on the HTTP host, when configured.
    else if (app.metrics !== undefined && config.metrics.port > 0) {
      metricsServer = await startMetricsServer({ metrics: app.metrics, host: config.http.host, port: config.metrics.port })
    }
    await app.ready()
  } catch (error) {
    await metricsServer?.close()
    await app.close({ drainMs: 0 })
    throw error
  }
  const metricsUrl = metricsServer === undefined ? undefined : `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${metricsServer.port}/metrics`
  app.logger.info({ http: httpUrl, grpc: grpcAddress, metrics: metricsUrl }, 'driber is serving')
  let stopping: Promise<void> | undefined
  return {
    app,
    httpUrl,
    grpcAddress,
    metricsUrl,
    shutdown(reason: string) {
      stopping ??= (async () => {
        app.logger.info({ reason, drainMs: config.deadlines.drainMs }, 'shutting down: draining in-flight requests')
        app.setServing(false)
        await app.close()
        // Last, so the drain itself can be scraped.
        await metricsServer?.close()
        app.logger.info('driber stopped')
      })()
      return stopping
    },
  }
}

/** Prints a start-up failure: catalog errors as code and message (no stack), anything else in full. */
export const reportStartupError = (error: unknown, write: (text: string) => void = (text) => process.stderr.write(text)): void => {
  if (isDriberError(error)) {
    // Registry and config errors already list their problems in the message; print each once.
    const problems = Array.isArray(error.details?.problems)
      ? (error.details.problems as unknown[]).map(String).filter((problem) => !error.message.includes(problem)).map((problem) => `  - ${problem}\n`)
      : []
    write(`driber: ${error.code}: ${error.message}\n${problems.join('')}`)
    return
  }
  write(`driber: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
}

/** Runs until a signal: the body of `npm start`, `driber serve` and `node dist/server.js`. Returns the exit code. */
export const runServer = async (config?: Config): Promise<number> => {
  let server: RunningServer
  try {
    const resolved = config ?? loadConfig()
    // Before the first request, for the primary and every worker alike (each runs this function).
    applyHeapGrowth(resolved.memory.heapGrowthPercent)
    // `workers` > 1: this process becomes the cluster primary and forks the servers (src/server-cluster.ts).
    const workers = workerCount(resolved)
    if (workers > 1 && !isClusterWorker()) return await runClusterPrimary(resolved, workers)
    server = await startServer(resolved)
  } catch (error) {
    reportStartupError(error)
    return 1
  }
  return new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.removeListener('SIGTERM', onSignal)
      process.removeListener('SIGINT', onSignal)
      // A second signal means "now": exit without waiting for the drain.
      const again = (): void => {
        server.app.logger.warn({ signal }, 'second signal: exiting without draining')
        process.exit(1)
      }
      process.once('SIGTERM', again)
      process.once('SIGINT', again)
      server.shutdown(signal).then(
        () => resolve(0),
        (error: unknown) => {
          server.app.logger.error({ err: error }, 'error while shutting down')
          resolve(1)
        },
      )
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  })
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (isMain) {
  runServer().then((code) => process.exit(code))
}
