/**
 * The server interceptor every `driber.v1.ImageSharing` call, and every call to a method that
 * does not exist, passes through. It does two things no handler can:
 *
 * 1. Admission before the body: draining, load shedding, the API key and the rate limit are
 *    checked as soon as the call's metadata arrives, before grpc-js reads, size-checks or decodes
 *    the message. Without a key, garbage, oversize and unknown-method calls all answer
 *    UNAUTHENTICATED, as HTTP does (its auth hook runs before the body is parsed).
 * 2. One completion line and one `grpc_server_handled_total` count per call, with the status the
 *    client actually received: refusals grpc-js makes itself (RESOURCE_EXHAUSTED for an oversize
 *    message, DEADLINE_EXCEEDED when its deadline timer fires) never reach a handler, and a
 *    handler that finishes after the deadline or after the client went away must not be logged
 *    as OK. Methods that do not exist are counted under the method label `unknown`.
 *
 * Health and reflection (the open services) are not intercepted: probes must stay cheap and
 * quiet, as `/healthz` and `/readyz` are on HTTP.
 */
import {
  Metadata,
  ServerInterceptingCall,
  status as GrpcStatusCodes,
  type ServerInterceptor,
  type StatusObject,
} from '@grpc/grpc-js'
import type { Logger } from 'pino'
import type { CallAdmission } from '../auth/call-admission.js'
import type { RequestTiming } from '../core/request-context.js'
import { DriberError, ErrorCatalog, specByCode, toDriberError } from '../errors.js'
import { deadlinePassed, requestIdFrom } from './call-context.js'
import { catalogKindOfGrpcStatus, errorCodeMetadataKey, toGrpcStatus } from './grpc-errors.js'
import { peerAddress } from './peer-address.js'
import { imageSharingServiceName } from './proto-loader-options.js'
import { summariseAnswer } from '../observability/answer-summary.js'
import { completionLevel, type CompletionLevel } from '../observability/completion-level.js'

/** One finished call, for metrics (`grpc_server_handled_total`, `grpc_server_handling_seconds`). */
export interface GrpcCallEvent {
  service: string
  /** The method name, or `unknown` for a path no service has (a bounded label). */
  method: string
  /** gRPC status code name, e.g. `OK`, `NOT_FOUND`. */
  code: string
  durationSeconds: number
  /** Time the call waited on model and embedding backends (driber's overhead is the rest). */
  upstreamSeconds: number
  /** Time spent in backoff before retries (not driber's own work either). */
  retryWaitSeconds: number
  /** The catalog code when the call failed. */
  errorCode?: string
}

/** What the handler adds to a call's completion line; the interceptor owns the line itself. */
export interface CallRecord {
  /** The request id of the call (the client's `x-request-id` when acceptable, else generated). */
  readonly requestId: string
  /** The call's logger, carrying request id, transport and method. */
  readonly logger: Logger
  /** Upstream and retry-backoff accounting, shared with the call's `RequestContext`. */
  timing: RequestTiming
  /** The catalog code of the error the handler answered with. */
  errorCode?: string
  /** The response or error body, for the line's model and attempts. */
  answer?: unknown
}

/** The method label for paths that name no method of ours. */
export const unknownMethodLabel = 'unknown'

// grpc-js hands the handler the very Metadata object the interceptor passed on, so it is the key
// that joins the two halves of one call.
const records = new WeakMap<Metadata, CallRecord>()

/** The record the interceptor opened for the call with this metadata (absent outside the interceptor). */
export const callRecordOf = (metadata: Metadata): CallRecord | undefined => records.get(metadata)

export interface CallInterceptorOptions {
  readonly logger: Logger
  /** Paths of the ImageSharing methods (`/driber.v1.ImageSharing/Decide`, ...). */
  readonly knownMethods: ReadonlySet<string>
  /** Health and reflection: passed through untouched. */
  readonly isOpenMethod: (path: string) => boolean
  /** Shedding, API keys and rate limits shared with HTTP. */
  readonly admit?: CallAdmission
  /** True from the first moment of draining: new calls are refused with SHUTTING_DOWN. */
  readonly draining: () => boolean
  /** Told when a call starts (the in-flight gauge); must not throw. */
  readonly onCallStart?: () => void
  /** Told once about every call, with the status the client got; must not throw. */
  readonly onCallDone?: (event: GrpcCallEvent) => void
}

const statusName = (code: number): string => GrpcStatusCodes[code] ?? String(code)

const metadataStrings = (values: Array<string | Buffer>): string[] =>
  values.map((value) => (typeof value === 'string' ? value : value.toString('utf8')))

/** The level HTTP's completion line would have for the same catalog error. */
const levelOf = (errorCode: string | undefined): CompletionLevel =>
  errorCode === undefined ? 'info' : completionLevel(specByCode(errorCode)?.httpStatus ?? 500, errorCode)

/** The catalog code for a status grpc-js produced itself (no `driber-error-code` in its metadata). */
const libraryErrorCode = (code: number): string => ErrorCatalog[catalogKindOfGrpcStatus(code) ?? 'INTERNAL'].code

export const createCallInterceptor = (options: CallInterceptorOptions): ServerInterceptor => (descriptor, inner) => {
  const path = descriptor.path
  // grpc-js types an interceptor's result as its own class; passing the call on unwrapped is what a no-op interceptor does.
  if (options.isOpenMethod(path)) return new ServerInterceptingCall(inner)
  const known = options.knownMethods.has(path)
  const method = known ? (path.split('/')[2] ?? path) : unknownMethodLabel
  const started = Date.now()
  let record: CallRecord | undefined
  let finished = false
  let callStarted = false
  // Start and done come in pairs (the in-flight gauge), even for a call grpc-js ends before its metadata reached us.
  const markStarted = (): void => {
    if (callStarted) return
    callStarted = true
    try {
      options.onCallStart?.()
    } catch {
      // Observability must never break a call.
    }
  }

  const finish = (code: number, errorCodeSent: string | undefined): void => {
    if (finished) return
    finished = true
    const errorCode = code === GrpcStatusCodes.OK ? undefined : (errorCodeSent ?? record?.errorCode ?? libraryErrorCode(code))
    const upstreamSeconds = record?.timing.upstreamSeconds ?? 0
    const retryWaitSeconds = record?.timing.retryWaitSeconds ?? 0
    const event: GrpcCallEvent = {
      service: known ? imageSharingServiceName : unknownMethodLabel,
      method,
      code: statusName(code),
      durationSeconds: (Date.now() - started) / 1000,
      upstreamSeconds,
      retryWaitSeconds,
    }
    if (errorCode !== undefined) event.errorCode = errorCode
    const summary = code === GrpcStatusCodes.OK || record?.answer !== undefined ? summariseAnswer(record?.answer) : undefined
    const clientAddress = peerAddress(inner.getPeer())
    const logger = record?.logger ?? options.logger.child({ transport: 'grpc', method })
    logger[levelOf(errorCode)](
      {
        grpcCode: event.code,
        errorCode,
        durationMs: Date.now() - started,
        upstreamMs: Math.round(upstreamSeconds * 1e6) / 1e3,
        ...(retryWaitSeconds > 0 ? { retryWaitMs: Math.round(retryWaitSeconds * 1e6) / 1e3 } : {}),
        // HTTP's request line carries the same under these names.
        ...(clientAddress === undefined ? {} : { remoteAddress: clientAddress }),
        ...(known ? {} : { path: path.slice(0, 200) }),
        ...(summary?.model === undefined ? {} : { model: summary.model }),
        ...(summary?.attempts === undefined ? {} : { attemptCount: summary.attempts.length, attempts: summary.attempts }),
      },
      'gRPC call completed',
    )
    markStarted()
    try {
      options.onCallDone?.(event)
    } catch {
      // Observability must never break a call.
    }
  }

  // Every status, whoever sends it (a handler through the chain, or grpc-js's own refusals and
  // deadline timer, which call the innermost call's `sendStatus` directly), passes here.
  const sendStatus = inner.sendStatus.bind(inner)
  inner.sendStatus = (status: StatusObject): void => {
    // grpc-js 1.14 drops a status sent after the stream closed; the cancellation below reports that call.
    const alreadyClosed = (inner as unknown as { cancelled?: unknown }).cancelled === true
    let sent = status
    if (status.code !== GrpcStatusCodes.OK && (status.metadata?.get(errorCodeMetadataKey).length ?? 0) === 0) {
      // A library refusal gets the catalog code clients read on every other error.
      const metadata = status.metadata?.clone() ?? new Metadata()
      metadata.set(errorCodeMetadataKey, libraryErrorCode(status.code))
      sent = { ...status, metadata }
    }
    if (!alreadyClosed) finish(sent.code, String(sent.metadata?.get(errorCodeMetadataKey)[0] ?? '') || undefined)
    sendStatus(sent)
  }

  const intercepting = new ServerInterceptingCall(inner, {
    start(next) {
      next({
        onReceiveMetadata(metadata, passOn) {
          const requestId = requestIdFrom(metadata)
          record = { requestId, logger: options.logger.child({ requestId, transport: 'grpc', method }), timing: { upstreamSeconds: 0 } }
          records.set(metadata, record)
          markStarted()
          try {
            // Refused, not accepted: the client retries on another instance while this one drains.
            if (options.draining()) throw new DriberError('SHUTTING_DOWN')
            options.admit?.({
              authorization: metadataStrings(metadata.get('authorization')),
              methodPath: path,
              clientAddress: peerAddress(inner.getPeer()),
            })
            if (!known) throw new DriberError('ROUTE_NOT_FOUND', { message: 'No such gRPC method', details: { method: path.slice(0, 200) } })
          } catch (error) {
            const refusal = toDriberError(error)
            record.errorCode = refusal.code
            intercepting.sendStatus(toGrpcStatus(refusal))
            return
          }
          passOn(metadata)
        },
        onCancel() {
          // The client went away, or its deadline passed, before any status was sent.
          const deadline = inner.getDeadline()
          const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline
          if (deadlinePassed(deadlineMs, started)) finish(GrpcStatusCodes.DEADLINE_EXCEEDED, ErrorCatalog.DEADLINE_EXCEEDED.code)
          else finish(GrpcStatusCodes.CANCELLED, ErrorCatalog.CANCELLED.code)
        },
      })
    },
  })
  return intercepting
}
