/**
 * The per-call `RequestContext` for a gRPC call: request id, deadline, abort signal, logger.
 *
 * The deadline is the client's (`call.getDeadline()`), bounded by the configured default, so a
 * client can shorten the budget but never extend it. The signal aborts with a catalog error as
 * its reason: DEADLINE_EXCEEDED when the deadline passes, CANCELLED when the client goes away,
 * so every upstream call (which listens to the signal) is cut off at once.
 */
import { randomUUID } from 'node:crypto'
import { Metadata, type ServerUnaryCall } from '@grpc/grpc-js'
import type { Logger } from 'pino'
import { DriberError } from '../errors.js'
import type { RequestContext, RequestTiming } from '../core/request-context.js'

/** Metadata key carrying the request id, in both directions. */
export const requestIdMetadataKey = 'x-request-id'

/** Client-chosen ids are echoed and logged, so only short, plain ones are accepted. */
const acceptableRequestId = /^[A-Za-z0-9._:-]{1,128}$/

export const requestIdFrom = (metadata: Metadata): string => {
  const value = metadata.get(requestIdMetadataKey)[0]
  const text = typeof value === 'string' ? value : undefined
  return text !== undefined && acceptableRequestId.test(text) ? text : randomUUID()
}

/** The client's deadline as epoch ms (Infinity when it set none). */
const clientDeadlineOf = (call: ServerUnaryCall<unknown, unknown>): number => {
  const deadline = call.getDeadline()
  const value = deadline instanceof Date ? deadline.getTime() : deadline
  return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY
}

/**
 * Whether a call that ended without an answer ended because its deadline (epoch ms) passed. A
 * client whose deadline passes resets the stream exactly as one that cancels, and it reaches us
 * a little before our own copy of the deadline (which starts when we read the call's headers,
 * later than the client started its clock, by however long a busy event loop took to read them).
 * So a reset in the last tenth of the call's time (at least 25 ms, at most 1 s) counts as the
 * deadline.
 */
export const deadlinePassed = (deadline: number, startedAt: number, now = Date.now()): boolean => {
  if (!Number.isFinite(deadline)) return false
  const slack = Math.min(1_000, Math.max(25, (deadline - startedAt) / 10))
  return now + slack >= deadline
}

export interface CallScope {
  readonly context: RequestContext
  /**
   * Resolves never; rejects with the abort reason once the signal aborts. Racing the handler
   * against it answers the client as soon as the deadline passes even if a stage is slow to
   * notice its signal.
   */
  readonly aborted: Promise<never>
  /** Call when the handler has answered: clears the timer and ignores later cancellation events. */
  finish(): void
}

export interface CallScopeOptions {
  /** The longest any request may run (config `deadlines`). */
  readonly budgetMs: number
  readonly logger: Logger
  /** `Service/Method`, for logs. */
  readonly method: string
  /** The id the interceptor already gave the call (else read from metadata). */
  readonly requestId?: string
  /** Upstream accounting shared with the interceptor's completion line. */
  readonly timing?: RequestTiming
}

/** Opens the scope of one call. Must be paired with `finish()`. */
export const openCallScope = (call: ServerUnaryCall<unknown, unknown>, options: CallScopeOptions): CallScope => {
  const started = Date.now()
  const requestId = options.requestId ?? requestIdFrom(call.metadata)
  const deadline = Math.min(started + options.budgetMs, clientDeadlineOf(call))
  const controller = new AbortController()
  const logger = options.logger.child({ requestId, transport: 'grpc', method: options.method })
  let finished = false

  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })
  })
  // Nobody may be listening when the handler won the race; an unhandled rejection would crash.
  aborted.catch(() => {})

  const timer = setTimeout(() => {
    if (!finished) controller.abort(new DriberError('DEADLINE_EXCEEDED'))
  }, Math.max(0, deadline - started))

  // grpc-js also emits 'cancelled' after every completed call, and when its own deadline
  // timer answers the client; only a still-running call needs aborting, and the clock tells
  // a passed deadline from a client that went away.
  const onCancelled = (): void => {
    if (finished || controller.signal.aborted) return
    controller.abort(deadlinePassed(deadline, started) ? new DriberError('DEADLINE_EXCEEDED') : new DriberError('CANCELLED'))
  }
  call.on('cancelled', onCancelled)

  return {
    context: { requestId, signal: controller.signal, deadline, logger, timing: options.timing ?? { upstreamSeconds: 0 }, attempts: [] },
    aborted,
    finish: () => {
      finished = true
      clearTimeout(timer)
      call.removeListener('cancelled', onCancelled)
    },
  }
}
