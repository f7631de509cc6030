/**
 * Composes driber from a `Config`: registry, providers, image indexes, the core, and the
 * transport adapters. It never listens: `src/server.ts` owns ports and signals, and tests build
 * the app in-process. Readiness lives here because it spans the pieces: registry loaded, indexes
 * loaded, serving (set after start-up) and not draining.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import type { Logger } from 'pino'
import type { Registry as MetricsRegistry } from 'prom-client'
import fastifyPlugin from 'fastify-plugin'
import { createCallAdmission } from './auth/call-admission.js'
import { createSecurity, type Security } from './auth/security.js'
import { projectRoot, type Config } from './config.js'
import { createCore } from './core/create-core.js'
import { noopObserver, type StageObserver } from './core/stage-observer.js'
import { createGrpcServer, type GrpcServer } from './grpc/grpc-server.js'
import { createHttpApp } from './http/create-http-app.js'
import { overheadMs } from './http/request-context.js'
import { pressureCheckOf, securityPlugin } from './http/security-plugin.js'
import type { HttpCore } from './http/route-options.js'
import type { ReadinessResponse } from './http/schemas/health-schemas.js'
import { builtInProviders, type ProviderFactories } from './providers/built-in-providers.js'
import { loadRegistry, parseRegistry } from './registry/load-registry.js'
import { ModelRegistry } from './registry/model-registry.js'
import type { RegistryData } from './registry/registry-schema.js'
import { createImageIndexes } from './retrieval/create-image-indexes.js'
import type { ImageIndexes } from './retrieval/image-index.js'
import { createHttpObservability } from './observability/http-observability.js'
import { instrumentImageIndexes } from './observability/instrument-image-indexes.js'
import { createLogger } from './observability/logger.js'
import { createMetrics, declaredModelsFrom, type Metrics } from './observability/metrics.js'
import { createMetricsObserver } from './observability/metrics-observer.js'
import { grpcCallMetrics } from './observability/grpc-call-metrics.js'
import { instrumentEmbedders } from './observability/instrument-embedders.js'

export interface BuildAppOptions {
  /** A pino logger; by default one is made from `config.logging`. Tests pass a silent one. */
  logger?: Logger
  /** Registry data instead of reading `config.registryPath` (validated the same way). */
  registry?: RegistryData
  /** Provider factories replacing the built-in ones (tests, other backends). */
  providers?: ProviderFactories
  /** The prom-client registry metrics go into; a fresh one per app when absent (never the global one). */
  metricsRegistry?: MetricsRegistry
}

export interface App {
  readonly config: Config
  readonly logger: Logger
  readonly http: FastifyInstance
  readonly core: HttpCore
  readonly registry: ModelRegistry
  readonly indexes: ImageIndexes
  /** The app's metrics (its own prom-client registry); absent when `metrics.enabled` is false. */
  readonly metrics: Metrics | undefined
  /** API keys, rate limiter and TLS material shared by both transports. */
  readonly security: Security
  /** The gRPC server (ImageSharing, health, reflection), not bound; absent when `grpc.enabled` is false. */
  readonly grpc: GrpcServer | undefined
  /** Resolves once every transport is ready to serve; readiness turns true. */
  ready(): Promise<void>
  /** Readiness on or off (off at once on SIGTERM: `/readyz` answers 503 and new requests are refused). */
  setServing(serving: boolean): void
  /** The current readiness report (`/readyz`, gRPC health). */
  readiness(): ReadinessResponse
  /**
   * Stops taking work, lets in-flight requests finish for up to `drainMs` (default: config),
   * then cuts what is left and releases models and indexes. Safe to call twice.
   */
  close(options?: { drainMs?: number }): Promise<void>
}

const packageVersion = (): string => {
  try {
    const data = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version?: string }
    return data.version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}

/**
 * When an index loads: as its `load` says, or when unset, on first use exactly when its embedder is
 * the embedded tier's and no registry model is: the tier (GloVe vocabulary, NLP model) then stays
 * out of memory and start-up until a search needs it. A registry with an embedded model loads the
 * tier anyway, so its indexes load at start and the first search pays nothing.
 */
const indexLoadsOnFirstUse =
  (data: RegistryData) =>
  (entry: Config['retrieval']['indexes'][number]): boolean => {
    if (entry.load !== undefined) return entry.load === 'first_use'
    const embedder = data.embedders.find((candidate) => candidate.id === entry.embedder)
    return embedder?.provider === 'embedded' && !data.models.some((model) => model.provider === 'embedded')
  }

/** Builds the whole service from `config`. Throws `REGISTRY_INVALID` / `CONFIG_INVALID` on bad start-up input. */
export const buildApp = async (config: Config, options: BuildAppOptions = {}): Promise<App> => {
  // Observability: the logger and metrics are made here once per app (see src/observability/).
  const logger = options.logger ?? createLogger(config.logging)
  const metrics = config.metrics.enabled
    ? createMetrics({
        ...(options.metricsRegistry === undefined ? {} : { registry: options.metricsRegistry }),
        collectDefault: config.metrics.collectDefault,
        version: packageVersion(),
      })
    : undefined
  const observer: StageObserver = metrics === undefined ? noopObserver : createMetricsObserver(metrics)
  // First, so requests refused by later plugins (auth, limits, shedding) are measured and logged too.
  const httpPlugins: FastifyPluginAsync[] = [
    createHttpObservability({
      metrics,
      overheadMs,
      upstreamMs: (request) => (request.driber?.context?.timing.upstreamSeconds ?? 0) * 1000,
      retryWaitMs: (request) => (request.driber?.context?.timing.retryWaitSeconds ?? 0) * 1000,
    }),
  ]
  // Who may call, how often, and shedding: one instance shared by HTTP and gRPC (src/auth/).
  // Built first so a bad key file or TLS path fails before anything is loaded.
  const security = createSecurity(config)
  for (const warning of security.policy.warnings) logger[warning.level](warning.message)
  httpPlugins.push(fastifyPlugin(async (instance) => instance.register(securityPlugin, { config, security })))

  const registryData =
    options.registry !== undefined
      ? parseRegistry(options.registry, { secrets: config.secrets })
      : loadRegistry(config.registryPath, { secrets: config.secrets })
  const registry = new ModelRegistry({
    data: registryData,
    secrets: config.secrets,
    providers: await builtInProviders(registryData, options.providers),
  })

  let indexes: ImageIndexes
  // Index stores may hold connections (pgvector) or native memory (HNSW): released on close.
  let closeIndexes = async (): Promise<void> => {}
  try {
    const embedders = metrics === undefined ? registry : instrumentEmbedders(registry, metrics)
    const loaded = await createImageIndexes({
      config,
      embedders,
      logger: logger.child({ component: 'retrieval' }),
      loadOnFirstUse: indexLoadsOnFirstUse(registryData),
    })
    closeIndexes = () => loaded.close()
    indexes = loaded
    if (metrics !== undefined) indexes = instrumentImageIndexes(indexes, metrics)
  } catch (error) {
    await registry.close()
    throw error
  }

  const core: HttpCore = createCore({ config, router: registry, indexes, models: registry, observer })
  if (metrics !== undefined) {
    metrics.declareModels(declaredModelsFrom(registry.list()))
    metrics.setBreakerSource(() => core.breakerStates?.() ?? [])
  }

  let serving = false
  let draining = false
  const readiness = (): ReadinessResponse => {
    const indexStatus = indexes.status().map((index) =>
      index.error === undefined ? { name: index.name, ready: index.ready, size: index.size, ...(index.loaded === undefined ? {} : { loaded: index.loaded }) } : index,
    )
    const ready = serving && !draining && indexStatus.every((index) => index.ready)
    return {
      status: ready ? 'ready' : 'not_ready',
      registry: true,
      draining,
      indexes: indexStatus,
      models: core.breakerStates?.() ?? [],
    }
  }

  let http: FastifyInstance
  try {
    http = await createHttpApp({
      config,
      core,
      logger,
      readiness,
      draining: () => draining,
      plugins: httpPlugins,
      version: packageVersion(),
      tls: security.tls,
    })
  } catch (error) {
    await closeIndexes()
    await registry.close()
    throw error
  }

  const admit = createCallAdmission(security, { isUnderPressure: pressureCheckOf(http) })
  const grpc = config.grpc.enabled
    ? createGrpcServer({ config, core, logger: logger.child({ component: 'grpc' }), admit, ...(metrics === undefined ? {} : grpcCallMetrics(metrics)) })
    : undefined
  // gRPC health is pushed, not asked: mirror readiness whenever it may change, and poll for the
  // parts that change on their own (indexes finishing loading).
  const syncGrpcHealth = (): void => {
    const ready = readiness().status === 'ready'
    if (grpc !== undefined && grpc.serving !== ready) grpc.setServing(ready)
  }
  const healthTimer = grpc === undefined ? undefined : setInterval(syncGrpcHealth, 1000)
  healthTimer?.unref()

  let closing: Promise<void> | undefined
  const close = (closeOptions: { drainMs?: number } = {}): Promise<void> => {
    closing ??= (async () => {
      draining = true
      serving = false
      clearInterval(healthTimer)
      const drainMs = closeOptions.drainMs ?? config.deadlines.drainMs
      const deadline = Date.now() + drainMs
      const quietMs = drainMs === 0 ? 0 : Math.min(config.deadlines.drainQuietMs, drainMs)
      // gRPC: health NOT_SERVING and new calls refused at once, accepted ones finish within drainMs,
      // the port open for at least quietMs (grpc-server.ts).
      const grpcDrained = grpc?.drain(drainMs, quietMs) ?? Promise.resolve()
      // HTTP: the listener stays open, refusing new requests with 503, until every request received
      // is answered and arrivals have stopped (src/http/http-drain.ts); only then does fastify's
      // close stop accepting and close the idle keep-alive connections.
      const httpSettled = http.httpDrain.settled(quietMs, deadline)
      const httpClosed = httpSettled.then(() => http.close())
      const graceful = Promise.all([httpClosed, grpcDrained])
      let timer: NodeJS.Timeout | undefined
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), drainMs)
      })
      const outcome = await Promise.race([graceful.then(() => 'drained' as const), expired])
      clearTimeout(timer)
      if (outcome === 'expired') {
        logger.warn({ drainMs, httpInFlight: http.httpDrain.inFlight }, 'drain time is up; closing the connections still open')
        // The listener is closed first (settling ends by the deadline), so nothing new slips in.
        await httpSettled
        http.server.closeAllConnections()
        await graceful
      }
      await closeIndexes()
      await registry.close()
    })()
    return closing
  }

  return {
    config,
    logger,
    http,
    grpc,
    core,
    registry,
    indexes,
    metrics,
    security,
    readiness,
    async ready() {
      await http.ready()
      serving = !draining
      syncGrpcHealth()
    },
    setServing(value: boolean) {
      serving = value && !draining
      syncGrpcHealth()
    },
    close,
  }
}
