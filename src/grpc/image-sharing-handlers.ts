/**
 * The `driber.v1.ImageSharing` handlers: convert the proto request, call the core, convert the
 * result back. Every handler goes through `unary`, the one place that opens the call's context,
 * echoes the request id, maps errors to statuses and reports the call's outcome.
 */
import { Metadata, status as GrpcStatusCodes, type handleUnaryCall, type ServerUnaryCall } from '@grpc/grpc-js'
import type { Logger } from 'pino'
import type { CallAdmission } from '../auth/call-admission.js'
import type { DriberCore } from '../core/driber-core.js'
import { withRequestAttempts } from '../core/abort.js'
import type { RequestContext } from '../core/request-context.js'
import { DriberError, toDriberError } from '../errors.js'
import { openCallScope, requestIdMetadataKey } from './call-context.js'
import { peerAddress } from './peer-address.js'
import type { ImageSharingHandlers } from './generated/driber/v1/ImageSharing.js'
import { toGrpcStatus } from './grpc-errors.js'
import type { InFlightCalls } from './in-flight-calls.js'
import { imageSharingServiceName } from './proto-loader-options.js'
import { invalidUtf8Error } from './strict-utf8.js'
import { summariseAnswer } from '../observability/answer-summary.js'
import {
  decideRequestFromWire,
  decideResponseToWire,
  describeRequestFromWire,
  describeResponseToWire,
  decideRankToWire,
  listModelsResponseToWire,
  rankRequestFromWire,
  retrieveRequestFromWire,
  retrieveResponseToWire,
  shareRequestFromWire,
  shareResponseToWire,
} from './wire-converters.js'

/** One finished call, for metrics (`grpc_server_handled_total`, `grpc_server_handling_seconds`). */
export interface GrpcCallEvent {
  service: string
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

export interface ImageSharingHandlerOptions {
  readonly core: DriberCore
  readonly logger: Logger
  /** The longest any call may run; a client deadline can only shorten it. */
  readonly budgetMs: number
  /** Told about every finished call; must not throw. */
  readonly onCallDone?: (event: GrpcCallEvent) => void
  /** Told when a call starts, before admission (the in-flight gauge); `onCallDone` follows for every call. */
  readonly onCallStart?: () => void
  /**
   * Load shedding, API key and rate limit (`src/auth/call-admission.ts`), run before the
   * request is converted; what it throws is answered like any other catalog error.
   */
  readonly admit?: CallAdmission
  /** True from the first moment of draining: new calls are refused with SHUTTING_DOWN. */
  readonly draining?: () => boolean
  /** Accepted calls not yet answered, for the drain to wait on. */
  readonly inFlight?: InFlightCalls
}

const metadataStrings = (values: Array<string | Buffer>): string[] =>
  values.map((value) => (typeof value === 'string' ? value : value.toString('utf8')))

const statusName = (code: number): string => GrpcStatusCodes[code] ?? String(code)

/** Builds the handler table grpc-js `addService` takes. */
export const createImageSharingHandlers = (options: ImageSharingHandlerOptions): ImageSharingHandlers => {
  const { core } = options

  const unary = <Request, Response>(
    method: string,
    handle: (request: Request, context: RequestContext) => Promise<Response> | Response,
  ): handleUnaryCall<Request, Response> =>
    (call: ServerUnaryCall<Request, Response>, callback) => {
      const scope = openCallScope(call as ServerUnaryCall<unknown, unknown>, { budgetMs: options.budgetMs, logger: options.logger, method })
      const { context } = scope
      const started = Date.now()
      const clientAddress = peerAddress(call.getPeer())
      options.inFlight?.enter()
      try {
        options.onCallStart?.()
      } catch {
        // Observability must never break a call.
      }
      // The request id goes out with the answer, in the same tick, rather than as a HEADERS frame
      // of its own at the start: one socket write per call instead of two.
      const sendInitialMetadata = (): void => {
        const initial = new Metadata()
        initial.set(requestIdMetadataKey, context.requestId)
        call.sendMetadata(initial)
      }

      /** `answer`: the response, or the error body, for the completion line's model and attempts. */
      const report = (code: number, errorCode?: string, answer?: unknown): void => {
        const event: GrpcCallEvent = {
          service: imageSharingServiceName,
          method,
          code: statusName(code),
          durationSeconds: (Date.now() - started) / 1000,
          upstreamSeconds: context.timing.upstreamSeconds,
          retryWaitSeconds: context.timing.retryWaitSeconds ?? 0,
        }
        if (errorCode !== undefined) event.errorCode = errorCode
        const summary = summariseAnswer(answer)
        context.logger.info(
          {
            grpcCode: event.code,
            errorCode,
            durationMs: Date.now() - started,
            upstreamMs: Math.round(event.upstreamSeconds * 1e6) / 1e3,
            ...(event.retryWaitSeconds > 0 ? { retryWaitMs: Math.round(event.retryWaitSeconds * 1e6) / 1e3 } : {}),
            // HTTP's request line carries the same under this name.
            ...(clientAddress === undefined ? {} : { remoteAddress: clientAddress }),
            ...(summary?.model === undefined ? {} : { model: summary.model }),
            ...(summary?.attempts === undefined ? {} : { attemptCount: summary.attempts.length, attempts: summary.attempts }),
          },
          'gRPC call completed',
        )
        try {
          options.onCallDone?.(event)
        } catch {
          // Observability must never break a call.
        }
      }
      const run = (): Promise<Response> | Response => {
        // Refused, not accepted: the client retries on another instance while this one drains.
        if (options.draining?.() === true) throw new DriberError('SHUTTING_DOWN')
        options.admit?.({
          authorization: metadataStrings(call.metadata.get('authorization')),
          methodPath: `/${imageSharingServiceName}/${method}`,
          clientAddress,
        })
        const utf8Problem = invalidUtf8Error(call.request)
        if (utf8Problem !== undefined) throw utf8Problem
        return handle(call.request, context)
      }

      Promise.race([Promise.resolve().then(run), scope.aborted]).then(
        (response) => {
          scope.finish()
          report(GrpcStatusCodes.OK, undefined, response)
          sendInitialMetadata()
          callback(null, response)
          options.inFlight?.leave()
        },
        (error: unknown) => {
          scope.finish()
          const driberError = toDriberError(withRequestAttempts(error, context))
          const status = toGrpcStatus(driberError)
          // Only our own faults deserve a stack trace; client and upstream errors are in the completion line.
          if (driberError.kind === 'INTERNAL') context.logger.error({ err: driberError.cause ?? driberError }, 'gRPC call failed')
          report(status.code, driberError.code, driberError.toBody())
          sendInitialMetadata()
          callback(status)
          options.inFlight?.leave()
        },
      )
    }

  return {
    Decide: unary('Decide', async (request, context) => {
      const { input, mode } = decideRequestFromWire(request)
      return mode === 'rank'
        ? decideResponseToWire({ mode, result: await core.rank(input, context) })
        : decideResponseToWire({ mode, result: await core.decide(input, context) })
    }),
    Rank: unary('Rank', async (request, context) => decideRankToWire(await core.rank(rankRequestFromWire(request), context))),
    Describe: unary('Describe', async (request, context) => describeResponseToWire(await core.describe(describeRequestFromWire(request), context))),
    Retrieve: unary('Retrieve', async (request, context) => retrieveResponseToWire(await core.retrieve(retrieveRequestFromWire(request), context))),
    Share: unary('Share', async (request, context) => shareResponseToWire(await core.share(shareRequestFromWire(request), context))),
    ListModels: unary('ListModels', () => listModelsResponseToWire(core.listModels())),
  }
}
