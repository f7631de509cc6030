/**
 * Admission on the HTTP side, as fastify hooks over the app's one `Security` (shared with gRPC):
 * 1. load shedding (`@fastify/under-pressure`): 503 `DRIBER_UNDER_PRESSURE` with `Retry-After`;
 * 2. API key (`Authorization: Bearer <key>`): 401 `DRIBER_UNAUTHENTICATED` with `WWW-Authenticate`;
 * 3. per-caller rate (`@fastify/rate-limit` over the shared store): 429 `DRIBER_RATE_LIMITED`.
 * Open paths (health, metrics by default) skip all three. Register it before any route: the rate
 * limiter attaches to routes as they are added.
 */
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyUnderPressure from '@fastify/under-pressure'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { bearerToken, type ApiKeyIdentity } from '../auth/api-key-authenticator.js'
import { callerKey } from '../auth/rate-limiter.js'
import type { Security } from '../auth/security.js'
import type { Config } from '../config.js'
import { DriberError } from '../errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key that authenticated this request; undefined on open paths or with auth off. */
    identity: ApiKeyIdentity | undefined
  }
  interface FastifyInstance {
    /** under-pressure's verdict, less the event-loop reasons during the start-up grace. */
    driberUnderPressure(): boolean
  }
}

export interface SecurityPluginOptions {
  config: Config
  security: Security
}

export const WWW_AUTHENTICATE = 'Bearer realm="driber"'

/** The matched route's path pattern, else the raw path: prefix rules then cannot be fooled by `..` or encodings. */
const requestPath = (request: FastifyRequest): string => request.routeOptions.url ?? request.url.split('?')[0] ?? request.url

/** The load-shedding check of an app the plugin was registered on, for the gRPC side; undefined when shedding is off. */
export const pressureCheckOf = (app: FastifyInstance): (() => boolean) | undefined =>
  app.hasDecorator('driberUnderPressure') ? () => app.driberUnderPressure() : undefined

const EVENT_LOOP_REASONS = new Set(['eventLoopDelay', 'eventLoopUtilization'])

/**
 * Start-up work (loading models, embedding a gallery) blocks the event loop before the first
 * requests; under-pressure's sample of that stretch would shed them. Event-loop reasons therefore
 * count only from two samples after `ready`; heap and RSS limits count at once.
 */
export const startupGrace = (pressure: Config['pressure']) => {
  let eventLoopCountsFrom = Number.POSITIVE_INFINITY
  return {
    markReady(now: number): void {
      eventLoopCountsFrom = now + 2 * pressure.sampleIntervalMs
    },
    /** Whether pressure of this under-pressure reason sheds a request now. */
    sheds(reason: string, now: number): boolean {
      return !EVENT_LOOP_REASONS.has(reason) || now >= eventLoopCountsFrom
    },
    /** For gRPC, which gets only under-pressure's yes/no: during the grace only memory limits shed. */
    shedsAny(usage: { heapUsed: number; rssBytes: number }, now: number): boolean {
      if (now >= eventLoopCountsFrom) return true
      return (pressure.maxHeapUsedBytes > 0 && usage.heapUsed > pressure.maxHeapUsedBytes) || (pressure.maxRssBytes > 0 && usage.rssBytes > pressure.maxRssBytes)
    },
  }
}

export const securityPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: SecurityPluginOptions) => {
    const { config, security } = options
    const isOpen = (request: FastifyRequest): boolean => security.policy.isOpenPath(requestPath(request))
    app.decorateRequest('identity', undefined)
    const grace = startupGrace(config.pressure)

    if (config.pressure.enabled) {
      app.addHook('onReady', async () => grace.markReady(Date.now()))
      await app.register(fastifyUnderPressure, {
        maxEventLoopDelay: config.pressure.maxEventLoopDelayMs,
        maxEventLoopUtilization: config.pressure.maxEventLoopUtilization,
        maxHeapUsedBytes: config.pressure.maxHeapUsedBytes,
        maxRssBytes: config.pressure.maxRssBytes,
        sampleInterval: config.pressure.sampleIntervalMs,
        retryAfter: config.pressure.retryAfterSeconds,
        // Resolving lets the request through; rejecting sends it to the one error handler.
        pressureHandler: (request, _reply, type) =>
          isOpen(request) || !grace.sheds(type, Date.now())
            ? undefined
            : Promise.reject(new DriberError('UNDER_PRESSURE', { retryAfterMs: security.pressureRetryAfterMs, details: { reason: type } })),
      })
    }

    if (config.pressure.enabled) {
      app.decorate('driberUnderPressure', (): boolean => app.isUnderPressure() && grace.shedsAny(app.memoryUsage(), Date.now()))
    }

    if (security.policy.enabled) {
      app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        if (isOpen(request)) return
        const identity = security.authenticator.authenticate(bearerToken(request.headers.authorization))
        if (identity === undefined) {
          reply.header('www-authenticate', WWW_AUTHENTICATE)
          throw new DriberError('UNAUTHENTICATED')
        }
        request.identity = identity
      })
    }

    if (security.rateLimitEnabled) {
      const limitOf = (request: FastifyRequest) =>
        security.rateLimitFor(request.identity) ?? { max: config.rateLimit.max, windowMs: config.rateLimit.windowMs }
      await app.register(fastifyRateLimit, {
        global: true,
        hook: 'onRequest',
        store: security.rateLimiter.fastifyStore(),
        keyGenerator: (request) => callerKey(request.identity, request.ip),
        max: (request) => limitOf(request).max,
        timeWindow: (request) => limitOf(request).windowMs,
        allowList: (request) => isOpen(request),
        errorResponseBuilder: (request, context) =>
          new DriberError('RATE_LIMITED', {
            retryAfterMs: Math.max(1, context.ttl),
            details: { limit: context.max, window_ms: limitOf(request).windowMs },
          }),
      })
    }
  },
  { name: 'driber-security' },
)
