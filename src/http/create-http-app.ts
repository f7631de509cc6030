/**
 * Builds the fastify instance of the HTTP adapter: options, error handling, request context,
 * OpenAPI, and the routes. It never listens (`src/server.ts` does) and decides nothing about a
 * stage: every route hands its validated body to the core.
 */
import fastifySwagger from '@fastify/swagger'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type FastifyTypeProviderDefault } from 'fastify'
import type { Logger } from 'pino'
import { httpsServerOptions, logTlsRefusals, type TlsMaterial } from '../auth/tls-material.js'
import type { Config } from '../config.js'
import type { CheckedOperation } from '../core/input-checks.js'
import { DriberError, isDriberError } from '../errors.js'
import { registerErrorHandling, sendError, type InputExplainer } from './error-handler.js'
import { requestContextPlugin, requestIdFrom } from './request-context.js'
import type { HttpCore } from './route-options.js'
import { cachedSerializerBuilder } from './cached-serializer-builder.js'
import { strictJsonParser } from './strict-json-parser.js'
import { trackHttpDrain, type HttpDrain } from './http-drain.js'
import { decideRoutes } from './routes/decide-routes.js'
import { describeRoutes } from './routes/describe-routes.js'
import { healthRoutes } from './routes/health-routes.js'
import { imageRoutes } from './routes/image-routes.js'
import { modelsRoutes } from './routes/models-routes.js'
import { playgroundRoutes } from './routes/playground-routes.js'
import { retrieveRoutes } from './routes/retrieve-routes.js'
import { shareRoutes } from './routes/share-routes.js'
import { ErrorBodySchema } from './schemas/common-schemas.js'
import type { ReadinessResponse } from './schemas/health-schemas.js'

/** The routes whose bodies the core checks, and the operation each body is for. */
const OPERATION_OF_ROUTE: Record<string, (body: Record<string, unknown>) => CheckedOperation> = {
  '/v1/decide': (body) => (body.mode === 'rank' ? 'rank' : 'decide'),
  '/v1/describe': () => 'describe',
  '/v1/retrieve': () => 'retrieve',
  '/v1/share': () => 'share',
}

/** Asks the core how it would refuse a body the route schema refused (see error-handler.ts). */
const inputExplainer = (core: HttpCore): InputExplainer | undefined => {
  const check = core.checkInput
  if (check === undefined) return undefined
  return (route, body) => {
    const operation = OPERATION_OF_ROUTE[route]?.(body)
    if (operation === undefined) return undefined
    try {
      check.call(core, operation, body)
    } catch (error) {
      if (isDriberError(error) && (error.kind === 'INVALID_ARGUMENT' || error.kind === 'DIALOGUE_TOO_LONG')) return error
    }
    return undefined
  }
}

export interface HttpAppOptions {
  config: Config
  core: HttpCore
  logger: Logger
  /** The readiness report behind `/readyz`. */
  readiness(): ReadinessResponse
  /** True once shutdown began: new requests (other than health probes) get 503 `DRIBER_SHUTTING_DOWN`. */
  draining(): boolean
  /**
   * Plugins registered before the routes so their hooks see every request: metrics, auth, rate
   * limits (observability and security live in their own folders and plug in here). Wrap them
   * with `fastify-plugin` so their hooks apply to the whole instance.
   */
  plugins?: ReadonlyArray<FastifyPluginAsync>
  /** The package version for the OpenAPI document. */
  version?: string
  /** Serve HTTPS with this certificate and key (from `config.tls`); plain HTTP when absent. */
  tls?: TlsMaterial | undefined
}

/** Paths that must answer while draining: probes report the drain instead of being refused. */
const ALWAYS_OPEN = new Set(['/healthz', '/readyz'])

declare module 'fastify' {
  interface FastifyInstance {
    /** The requests in flight and the connections they hold, for `src/app.ts` to drain by. */
    httpDrain: HttpDrain
  }
}

export const createHttpApp = async (options: HttpAppOptions): Promise<FastifyInstance> => {
  const { config } = options
  const app = Fastify({
    // pino's Logger is what fastify expects at run time; its declared type is narrower than pino's.
    loggerInstance: options.logger as FastifyBaseLogger,
    // The id is validated in `requestIdFrom` (fastify's own `requestIdHeader` would trust any value).
    genReqId: requestIdFrom,
    requestIdHeader: false,
    // One completion line per request comes from src/observability/request-log-plugin.ts instead.
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    bodyLimit: config.http.bodyLimitBytes,
    // HTTPS changes only the server under fastify; the instance type stays the plain-HTTP one.
    ...((options.tls === undefined ? {} : { https: httpsServerOptions(options.tls) }) as object),
    // Draining is answered by our own hook, in the catalog's error shape.
    return503OnClosing: false,
    // One serializer per distinct response schema instead of one per route and status (start-up time).
    schemaController: { compilersFactory: { buildSerializer: cachedSerializerBuilder() } },
    ajv: {
      customOptions: {
        // Reject what the contract does not name instead of silently dropping or converting it.
        removeAdditional: false,
        coerceTypes: false,
        allErrors: false,
        useDefaults: true,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>()

  if (options.tls !== undefined) logTlsRefusals(app.server, options.logger, 'HTTPS')
  registerErrorHandling(app, { explainInput: inputExplainer(options.core) })
  // JSON only: a text/plain body is refused as 415 instead of failing validation as a string.
  app.removeContentTypeParser('text/plain')
  // Bodies with bytes that are not UTF-8 are refused, not silently repaired (see strict-json-parser.ts).
  await app.register(strictJsonParser)
  app.addSchema(ErrorBodySchema)
  await app.register(requestContextPlugin)

  // First, so every request is counted, whichever hook answers it.
  app.decorate('httpDrain', trackHttpDrain(app, { quietPaths: ALWAYS_OPEN }))
  // Callback-style where the common case is synchronous: an async hook costs a promise and a
  // microtask per request, which showed in the CPU profile under load.
  app.addHook('onRequest', (request, reply, done) => {
    if (!options.draining() || ALWAYS_OPEN.has(request.url.split('?')[0] ?? '')) return done()
    // Answering from a callback hook ends the chain: `done` is not called (fastify's rule).
    sendError(new DriberError('SHUTTING_DOWN', { retryAfterMs: 1000 }), reply)
  })
  // Answers sent while draining close their keep-alive connection, so clients reconnect elsewhere
  // and the drain is not held by idle connections; pipelined requests behind it are answered first.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!options.draining()) return done(null, payload)
    // A turn of the event loop lets Node parse requests pipelined behind this one, so they count.
    setImmediate(() => {
      if (app.httpDrain.isLastOnConnection(request)) reply.header('connection', 'close')
      done(null, payload)
    })
  })

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'driber',
        version: options.version ?? '0.0.0',
        description:
          'Decide, Describe, Retrieve: lets chat products share images the way people do. ' +
          'Every error answers `{error: {code, message, details?}}` with a stable `DRIBER_*` code.',
      },
      tags: [
        { name: 'stages', description: 'Decide, Describe, Retrieve and the Share chain' },
        { name: 'registry', description: 'The model registry' },
        { name: 'images', description: 'Image files of indexes built from local files' },
        { name: 'health', description: 'Liveness and readiness probes' },
      ],
    },
    refResolver: {
      // Shared schemas keep their names (`ErrorBody`) in components instead of `def-N`.
      buildLocalReference: (json, _baseUri, _fragment, index) => (typeof json.$id === 'string' ? json.$id : `def-${index}`),
    },
  })
  if (config.http.docs) {
    // Imported only when served: the UI plugin and its static files are start-up cost otherwise.
    await app.register((await import('@fastify/swagger-ui')).default, { routePrefix: '/docs' })
  }

  for (const plugin of options.plugins ?? []) await app.register(plugin)

  const routeOptions = { config, core: options.core }
  await app.register(healthRoutes, { readiness: options.readiness })
  await app.register(modelsRoutes, routeOptions)
  await app.register(decideRoutes, routeOptions)
  await app.register(describeRoutes, routeOptions)
  await app.register(retrieveRoutes, routeOptions)
  await app.register(shareRoutes, routeOptions)
  await app.register(imageRoutes, routeOptions)
  if (config.http.playground) await app.register(playgroundRoutes)
  // Callers see a plain instance; the TypeBox provider only types the route handlers above.
  return app.withTypeProvider<FastifyTypeProviderDefault>()
}
