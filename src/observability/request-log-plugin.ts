/**
 * One completion line per HTTP request: route, status, model, attempts and timings, through the
 * request's child logger (so it carries the request id). fastify's own per-request lines are
 * meant to be off (`disableRequestLogging`), which makes this the only one.
 *
 * Model and attempts are read from the reply payload before serialisation: the core already
 * reports them to clients, and attempts hold no user text (model ids, outcomes, codes, times).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { summariseAnswer, type AnswerSummary } from './answer-summary.js'
import { completionLevel } from './completion-level.js'

export interface RequestLogPluginOptions {
  /** Milliseconds driber spent on the request itself; the HTTP adapter owns the accounting. */
  overheadMs?: (request: FastifyRequest) => number
  /** Milliseconds spent waiting on upstreams, when known. */
  upstreamMs?: (request: FastifyRequest) => number
  /** Milliseconds spent in backoff before retries, when known (the line carries it when there was any). */
  retryWaitMs?: (request: FastifyRequest) => number
  /** Routes not worth a line (health probes, scrapes). */
  quietRoutes?: readonly string[]
}

declare module 'fastify' {
  interface FastifyRequest {
    answerSummary: AnswerSummary | null
  }
}

/** `/v1/describe` -> `describe`; routes outside the API have no stage. */
const stageOfRoute = (route: string | undefined): string | undefined =>
  route !== undefined && route.startsWith('/v1/') ? route.slice(4).split('/')[0] : undefined

const DEFAULT_QUIET_ROUTES = ['/healthz', '/readyz', '/metrics']

export const requestLogPlugin = fastifyPlugin<RequestLogPluginOptions>(
  async (app: FastifyInstance, options) => {
    const quiet = new Set(options.quietRoutes ?? DEFAULT_QUIET_ROUTES)
    app.decorateRequest('answerSummary', null)

    // Callback-style hooks: no promise and microtask per request (see http-metrics-plugin.ts).
    app.addHook('preSerialization', (request: FastifyRequest, _reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void) => {
      request.answerSummary = summariseAnswer(payload)
      done(null, payload)
    })

    app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      logCompletion(request, reply)
      done()
    })

    const logCompletion = (request: FastifyRequest, reply: FastifyReply): void => {
      const route = request.routeOptions.url
      if (route !== undefined && quiet.has(route) && reply.statusCode < 400) return
      const summary = request.answerSummary
      const line: Record<string, unknown> = {
        method: request.method,
        route: route ?? null,
        statusCode: reply.statusCode,
        durationMs: Number(reply.elapsedTime.toFixed(3)),
      }
      if (options.overheadMs !== undefined) line.overheadMs = Number(options.overheadMs(request).toFixed(3))
      if (options.upstreamMs !== undefined) line.upstreamMs = Number(options.upstreamMs(request).toFixed(3))
      const retryWaitMs = options.retryWaitMs?.(request) ?? 0
      if (retryWaitMs > 0) line.retryWaitMs = Number(retryWaitMs.toFixed(3))
      const stage = summary?.stage ?? stageOfRoute(route)
      if (stage !== undefined) line.stage = stage
      if (summary?.model !== undefined) line.model = summary.model
      if (summary?.attempts !== undefined) {
        line.attemptCount = summary.attempts.length
        line.attempts = summary.attempts
      }
      if (summary?.errorCode !== undefined) line.errorCode = summary.errorCode
      // A probe answering 503 (starting or draining) is the probe working, not a fault.
      const level = route !== undefined && quiet.has(route) && reply.statusCode >= 400 ? 'warn' : completionLevel(reply.statusCode, summary?.errorCode)
      request.log[level](line, 'request completed')
    }
  },
  { name: 'driber-request-log', fastify: '5.x' },
)
