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
import type { Attempt } from '../core/types.js'

export interface RequestLogPluginOptions {
  /** Milliseconds driber spent on the request itself; the HTTP adapter owns the accounting. */
  overheadMs?: (request: FastifyRequest) => number
  /** Milliseconds spent waiting on upstreams, when known. */
  upstreamMs?: (request: FastifyRequest) => number
  /** Routes not worth a line (health probes, scrapes). */
  quietRoutes?: readonly string[]
}

/** What the completion line says about the answer. */
export interface AnswerSummary {
  /** Set when the body itself tells the stage apart from the route (`rank` answers on `/v1/decide`). */
  stage?: string
  model?: string
  attempts?: Array<Pick<Attempt, 'model' | 'outcome' | 'reason' | 'code' | 'duration_ms'>>
  errorCode?: string
}

declare module 'fastify' {
  interface FastifyRequest {
    answerSummary: AnswerSummary | null
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

const attemptsOf = (value: unknown): AnswerSummary['attempts'] => {
  if (!Array.isArray(value)) return undefined
  return value.filter(isRecord).map((attempt) => {
    const summary: NonNullable<AnswerSummary['attempts']>[number] = {
      model: String(attempt.model),
      outcome: attempt.outcome as Attempt['outcome'],
      duration_ms: typeof attempt.duration_ms === 'number' ? attempt.duration_ms : 0,
    }
    if (typeof attempt.reason === 'string') summary.reason = attempt.reason as Attempt['reason']
    if (typeof attempt.code === 'string') summary.code = attempt.code as Attempt['code']
    return summary
  })
}

/**
 * Picks model, attempts and error code out of any driber response body: stage answers carry
 * `{model, attempts}`, Share nests them under `decision` (its model) and adds Describe's under
 * `describe` (the line lists both stages' attempts), errors under `error.details`; the gRPC Decide
 * response nests them under its `next` or `rank` case.
 */
export const summariseAnswer = (payload: unknown): AnswerSummary | null => {
  if (!isRecord(payload)) return null
  const summary: AnswerSummary = {}
  const answer = isRecord(payload.decision) ? payload.decision : isRecord(payload.next) ? payload.next : isRecord(payload.rank) ? payload.rank : payload
  if (typeof answer.model === 'string') summary.model = answer.model
  if (Array.isArray(payload.candidates) || isRecord(payload.rank)) summary.stage = 'rank'
  const attempts = attemptsOf(answer.attempts)
  if (attempts !== undefined) summary.attempts = attempts
  const describeAttempts = isRecord(payload.describe) ? attemptsOf(payload.describe.attempts) : undefined
  if (describeAttempts !== undefined) summary.attempts = [...(summary.attempts ?? []), ...describeAttempts]
  if (isRecord(payload.error)) {
    if (typeof payload.error.code === 'string') summary.errorCode = payload.error.code
    const details = payload.error.details
    if (isRecord(details)) {
      const failedAttempts = attemptsOf(details.attempts)
      if (failedAttempts !== undefined) summary.attempts = failedAttempts
    }
  }
  return summary
}

/** `/v1/describe` -> `describe`; routes outside the API have no stage. */
const stageOfRoute = (route: string | undefined): string | undefined =>
  route !== undefined && route.startsWith('/v1/') ? route.slice(4).split('/')[0] : undefined

const DEFAULT_QUIET_ROUTES = ['/healthz', '/readyz', '/metrics']

export const requestLogPlugin = fastifyPlugin<RequestLogPluginOptions>(
  async (app: FastifyInstance, options) => {
    const quiet = new Set(options.quietRoutes ?? DEFAULT_QUIET_ROUTES)
    app.decorateRequest('answerSummary', null)

    app.addHook('preSerialization', async (request: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
      request.answerSummary = summariseAnswer(payload)
      return payload
    })

    app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
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
      const stage = summary?.stage ?? stageOfRoute(route)
      if (stage !== undefined) line.stage = stage
      if (summary?.model !== undefined) line.model = summary.model
      if (summary?.attempts !== undefined) {
        line.attemptCount = summary.attempts.length
        line.attempts = summary.attempts
      }
      if (summary?.errorCode !== undefined) line.errorCode = summary.errorCode
      const level = reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'warn' : 'info'
      request.log[level](line, 'request completed')
    })
  },
  { name: 'driber-request-log', fastify: '5.x' },
)
