/**
 * The `driber.v1.ImageSharing` handlers: convert the proto request, call the core, convert the
 * result back. Every handler goes through `unary`, the one place that opens the call's context,
 * echoes the request id, refuses undecodable or non-UTF-8 requests, maps errors to statuses and
 * tells the interceptor (`call-interceptor.ts`, which admitted the call and logs and counts it)
 * the error code and answer for the completion line.
 */
import { Metadata, type handleUnaryCall, type ServerUnaryCall } from '@grpc/grpc-js'
import type { Logger } from 'pino'
import type { DriberCore } from '../core/driber-core.js'
import { withRequestAttempts } from '../core/abort.js'
import type { RequestContext } from '../core/request-context.js'
import { toDriberError } from '../errors.js'
import { openCallScope, requestIdMetadataKey } from './call-context.js'
import { callRecordOf } from './call-interceptor.js'
import type { ImageSharingHandlers } from './generated/driber/v1/ImageSharing.js'
import { toGrpcStatus } from './grpc-errors.js'
import type { InFlightCalls } from './in-flight-calls.js'
import { invalidUtf8Error } from './strict-utf8.js'
import { undecodableRequestError } from './undecodable-requests.js'
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

export interface ImageSharingHandlerOptions {
  readonly core: DriberCore
  readonly logger: Logger
  /** The longest any call may run; a client deadline can only shorten it. */
  readonly budgetMs: number
  /** Accepted calls not yet answered, for the drain to wait on. */
  readonly inFlight?: InFlightCalls
}

/** Builds the handler table grpc-js `addService` takes. */
export const createImageSharingHandlers = (options: ImageSharingHandlerOptions): ImageSharingHandlers => {
  const { core } = options

  const unary = <Request, Response>(
    method: string,
    handle: (request: Request, context: RequestContext) => Promise<Response> | Response,
  ): handleUnaryCall<Request, Response> =>
    (call: ServerUnaryCall<Request, Response>, callback) => {
      // The interceptor (call-interceptor.ts) admitted the call and writes its completion line;
      // without it (handlers used alone) the call still runs, unlogged.
      const record = callRecordOf(call.metadata)
      const scope = openCallScope(call as ServerUnaryCall<unknown, unknown>, {
        budgetMs: options.budgetMs,
        logger: options.logger,
        method,
        ...(record === undefined ? {} : { requestId: record.requestId, timing: record.timing }),
      })
      const { context } = scope
      options.inFlight?.enter()
      // The request id goes out with the answer, in the same tick, rather than as a HEADERS frame
      // of its own at the start: one socket write per call instead of two.
      const sendInitialMetadata = (): void => {
        const initial = new Metadata()
        initial.set(requestIdMetadataKey, context.requestId)
        call.sendMetadata(initial)
      }
      const run = (): Promise<Response> | Response => {
        const problem = undecodableRequestError(call.request) ?? invalidUtf8Error(call.request)
        if (problem !== undefined) throw problem
        return handle(call.request, context)
      }

      Promise.race([Promise.resolve().then(run), scope.aborted]).then(
        (response) => {
          scope.finish()
          if (record !== undefined) record.answer = response
          sendInitialMetadata()
          callback(null, response)
          options.inFlight?.leave()
        },
        (error: unknown) => {
          scope.finish()
          const driberError = toDriberError(withRequestAttempts(error, context))
          // Only our own faults deserve a stack trace; client and upstream errors are in the completion line.
          if (driberError.kind === 'INTERNAL') context.logger.error({ err: driberError.cause ?? driberError }, 'gRPC call failed')
          if (record !== undefined) {
            record.errorCode = driberError.code
            record.answer = driberError.toBody()
          }
          sendInitialMetadata()
          callback(toGrpcStatus(driberError))
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
