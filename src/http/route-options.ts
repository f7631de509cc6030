/**
 * What every route plugin receives, and the one helper handlers use to reach the core: it builds
 * the request's context and bounds the core's work by the request's signal.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import { raceAbort, withRequestAttempts } from '../core/abort.js'
import type { DriberCore } from '../core/driber-core.js'
import type { CheckedOperation } from '../core/input-checks.js'
import type { RequestContext } from '../core/request-context.js'
import { requestContext } from './request-context.js'

/** The core as the HTTP adapter needs it; `breakerStates` exists once the resilience policy does. */
export type HttpCore = DriberCore & {
  breakerStates?(): Array<{ model: string; state: 'closed' | 'half_open' | 'open' }>
  /** The core's input checks alone; lets HTTP word schema refusals as the core (and so gRPC) does. */
  checkInput?(operation: CheckedOperation, input: Record<string, unknown>): void
}

export interface RouteOptions {
  config: Config
  core: HttpCore
}

/**
 * Runs `call` with the request's context; rejects with CANCELLED / DEADLINE_EXCEEDED as soon as the
 * request aborts, so the client gets its 504 at the deadline even if some component forgot to listen
 * to the signal. The abort reason is the request's own DriberError, which `raceAbort` passes through.
 */
export const callCore = <T>(
  options: RouteOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  call: (context: RequestContext) => Promise<T>,
): Promise<T> => {
  const context = requestContext(options.config, request, reply)
  return raceAbort(call(context), context.signal, context.deadline).catch((error: unknown) => {
    throw withRequestAttempts(error, context)
  })
}
