/**
 * Everything observability adds to the HTTP server, as one plugin for `buildApp`'s plugin list:
 * RED metrics and `/metrics` (when metrics are on) and the one completion log line per request.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { httpMetricsPlugin } from './http-metrics-plugin.js'
import type { Metrics } from './metrics.js'
import { requestLogPlugin } from './request-log-plugin.js'

export interface HttpObservabilityOptions {
  /** Absent when `config.metrics.enabled` is false: no metrics, no `/metrics`, logs still. */
  metrics?: Metrics
  /** Milliseconds driber spent on the request itself (the HTTP adapter's accounting). */
  overheadMs?: (request: FastifyRequest) => number
  /** Milliseconds the request waited on upstreams. */
  upstreamMs?: (request: FastifyRequest) => number
  /** Milliseconds spent in backoff before retries, when known. */
  retryWaitMs?: (request: FastifyRequest) => number
}

/** A fastify-plugin-wrapped plugin, so its hooks see every route of the instance. */
export const createHttpObservability = (options: HttpObservabilityOptions): FastifyPluginAsync =>
  fastifyPlugin(
    async (app) => {
      if (options.metrics !== undefined) {
        await app.register(httpMetricsPlugin, { metrics: options.metrics, ...(options.overheadMs === undefined ? {} : { overheadMs: options.overheadMs }) })
      }
      await app.register(requestLogPlugin, {
        ...(options.overheadMs === undefined ? {} : { overheadMs: options.overheadMs }),
        ...(options.upstreamMs === undefined ? {} : { upstreamMs: options.upstreamMs }),
        ...(options.retryWaitMs === undefined ? {} : { retryWaitMs: options.retryWaitMs }),
      })
    },
    { name: 'driber-http-observability', fastify: '5.x' },
  )
