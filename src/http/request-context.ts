/**
 * The HTTP side of a `RequestContext`: request id, deadline, cancellation and timing for one
 * request. The request id is also fastify's (`genReqId`), so every log line of the request carries
 * it; the id is echoed in `x-request-id`, and `x-driber-overhead-ms` reports the time spent in
 * driber itself (total minus upstream waits).
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import type { RequestContext } from '../core/request-context.js'
import { DriberError } from '../errors.js'

export const REQUEST_ID_HEADER = 'x-request-id'
export const REQUEST_TIMEOUT_HEADER = 'x-request-timeout-ms'
export const OVERHEAD_HEADER = 'x-driber-overhead-ms'

/** Printable ASCII only (no spaces, no control characters), so an id is safe in logs and headers. */
const REQUEST_ID_PATTERN = /^[\x21-\x7e]{1,128}$/

/** A client's id when it is usable, else a fresh one. Never throws: a bad id is replaced, not refused. */
export const requestIdFrom = (request: IncomingMessage): string => {
  const header = request.headers[REQUEST_ID_HEADER]
  const candidate = Array.isArray(header) ? header[0] : header
  return candidate !== undefined && REQUEST_ID_PATTERN.test(candidate) ? candidate : randomUUID()
}

/** The overall budget for one request: the configured default, shortened by the client's header. */
export const requestBudgetMs = (config: Config, header: string | string[] | undefined): number => {
  const configured = config.deadlines.requestMs ?? config.deadlines.defaultRequestMs
  if (header === undefined) return configured
  const raw = Array.isArray(header) ? header[0] : header
  if (raw === undefined || !/^\d{1,10}$/.test(raw.trim()) || Number.parseInt(raw, 10) < 1) {
    throw new DriberError('INVALID_ARGUMENT', {
      message: `${REQUEST_TIMEOUT_HEADER} must be a positive integer number of milliseconds`,
      details: { field: REQUEST_TIMEOUT_HEADER, reason: 'not a positive integer' },
    })
  }
  return Math.min(configured, Number.parseInt(raw, 10))
}

interface HttpRequestState {
  startedAt: bigint
  context: RequestContext | undefined
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Per-request state of the HTTP adapter; the context exists once a handler asked for it. */
    driber: HttpRequestState
  }
}

/**
 * The request's context, created on first use. The abort controller fires with `CANCELLED` when the
 * client goes away before the reply is written, and with `DEADLINE_EXCEEDED` when the deadline
 * passes; its timer is cleared as soon as the response ends, so nothing outlives the request.
 */
export const requestContext = (config: Config, request: FastifyRequest, reply: FastifyReply): RequestContext => {
  const existing = request.driber.context
  if (existing !== undefined) return existing
  const budgetMs = requestBudgetMs(config, request.headers[REQUEST_TIMEOUT_HEADER])
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new DriberError('DEADLINE_EXCEEDED')), budgetMs)
  const response = reply.raw
  // 'close' on the response fires both after a normal finish and when the socket dies first;
  // only the second is a cancellation.
  response.once('close', () => {
    clearTimeout(timer)
    if (!response.writableFinished && !controller.signal.aborted) {
      controller.abort(new DriberError('CANCELLED'))
    }
  })
  const context: RequestContext = {
    requestId: request.id,
    signal: controller.signal,
    deadline: Date.now() + budgetMs,
    // fastify's request logger is a pino child (the app is built with a pino instance).
    logger: request.log as unknown as Logger,
    timing: { upstreamSeconds: 0 },
    attempts: [],
  }
  request.driber.context = context
  return context
}

/** Milliseconds spent in driber for this request so far, excluding upstream waits and retry backoff. */
export const overheadMs = (request: FastifyRequest): number => {
  const totalMs = Number(process.hrtime.bigint() - request.driber.startedAt) / 1e6
  const timing = request.driber.context?.timing
  const waitedMs = ((timing?.upstreamSeconds ?? 0) + (timing?.retryWaitSeconds ?? 0)) * 1000
  return Math.max(0, totalMs - waitedMs)
}

/** Registers the request-id echo and the overhead header for every route. */
export const requestContextPlugin = fastifyPlugin(
  async (app: FastifyInstance) => {
    app.decorateRequest('driber', null as unknown as HttpRequestState)
    app.addHook('onRequest', async (request, reply) => {
      request.driber = { startedAt: process.hrtime.bigint(), context: undefined }
      reply.header(REQUEST_ID_HEADER, request.id)
    })
    app.addHook('onSend', async (request, reply) => {
      reply.header(OVERHEAD_HEADER, overheadMs(request).toFixed(3))
    })
  },
  { name: 'driber-request-context' },
)
