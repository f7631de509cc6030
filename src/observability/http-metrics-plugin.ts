/**
 * HTTP RED metrics and the `/metrics` endpoint. Every request is measured from `onRequest` to
 * `onResponse` and labelled with its route template (`request.routeOptions.url`), never the raw
 * URL, so label values stay bounded whatever clients send.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import type { Metrics } from './metrics.js'

export interface HttpMetricsPluginOptions {
  metrics: Metrics
  /** Serve the exposition at `GET /metrics` on this server (default true). */
  exposeEndpoint?: boolean
  /**
   * Milliseconds driber spent on the request itself (total minus upstream waits); the HTTP adapter
   * owns the accounting. When absent, overhead is not recorded.
   */
  overheadMs?: (request: FastifyRequest) => number
}

/** The path of the exposition. */
export const METRICS_PATH = '/metrics'

declare module 'fastify' {
  interface FastifyRequest {
    /** hrtime at `onRequest`, for the duration histogram; 0 before. */
    metricsStartedAt: bigint
    /** Set once the request has been counted, so a response that both errors and closes counts once. */
    metricsRecorded: boolean
  }
}

/** Status recorded for a request whose client went away before the response was written (nginx's convention, as the catalog's CANCELLED). */
export const CLIENT_CLOSED_STATUS = 499

/** Writes the exposition; shared by the fastify route and the stand-alone metrics server. */
export const renderMetrics = async (metrics: Metrics): Promise<{ contentType: string; body: string }> => ({
  contentType: metrics.contentType,
  body: await metrics.render(),
})

export const httpMetricsPlugin = fastifyPlugin<HttpMetricsPluginOptions>(
  async (app: FastifyInstance, options) => {
    const { metrics } = options
    app.decorateRequest('metricsStartedAt', 0n)
    app.decorateRequest('metricsRecorded', false)

    const record = (request: FastifyRequest, statusCode: number): void => {
      if (request.metricsRecorded) return
      request.metricsRecorded = true
      const route = request.routeOptions.url ?? ''
      // Scrapes are not traffic: counting them would skew request rates and latency percentiles.
      if (route === METRICS_PATH) return
      const seconds = Number(process.hrtime.bigint() - request.metricsStartedAt) / 1e9
      metrics.observeHttp(request.method, route, statusCode, seconds)
      if (options.overheadMs !== undefined) metrics.observeOverhead('http', options.overheadMs(request) / 1000)
    }

    // Callback-style hooks (here and in the request log and context plugins): an async hook costs a
    // promise and a microtask per request each, which showed in the CPU profile under load.
    app.addHook('onRequest', (request, reply, done) => {
      request.metricsStartedAt = process.hrtime.bigint()
      metrics.trackInFlight('http', 1)
      // 'close' fires for every response, finished or cut off, so the gauge cannot drift; a
      // response cut off before it finished never reaches onResponse and is counted here.
      reply.raw.once('close', () => {
        metrics.trackInFlight('http', -1)
        if (!reply.raw.writableFinished) record(request, CLIENT_CLOSED_STATUS)
      })
      done()
    })

    app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      record(request, reply.statusCode)
      done()
    })

    if (options.exposeEndpoint ?? true) {
      app.get(METRICS_PATH, { schema: { hide: true } }, async (_request, reply) => {
        const { contentType, body } = await renderMetrics(metrics)
        return reply.type(contentType).send(body)
      })
    }
  },
  { name: 'driber-http-metrics', fastify: '5.x' },
)
