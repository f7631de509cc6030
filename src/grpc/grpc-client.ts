/**
 * A small client for `driber.v1.ImageSharing`, built from the same proto and loader options as
 * the server. It speaks the domain shapes (the HTTP JSON bodies) and throws `DriberError`s, so
 * `driber call` and the parity tests treat both transports alike.
 */
import * as grpc from '@grpc/grpc-js'
import type { DecideInput, DecideNextResult, DecideRankResult, DescribeInput, DescribeResult, RetrieveInput, RetrieveResult, ShareInput, ShareResult } from '../core/types.js'
import type { ModelList } from '../core/driber-core.js'
import { DriberError } from '../errors.js'
import { requestIdMetadataKey } from './call-context.js'
import type { DecideRequest } from './generated/driber/v1/DecideRequest.js'
import type { DecideResponse__Output } from './generated/driber/v1/DecideResponse.js'
import type { ImageSharingClient } from './generated/driber/v1/ImageSharing.js'
import { driberErrorFromGrpc } from './grpc-errors.js'
import { loadDriberProto } from './proto-package.js'
import {
  decideRankFromWire,
  decideResponseFromWire,
  decideRequestToWire,
  describeRequestToWire,
  describeResponseFromWire,
  listModelsResponseFromWire,
  rankRequestToWire,
  retrieveRequestToWire,
  retrieveResponseFromWire,
  shareRequestToWire,
  shareResponseFromWire,
} from './wire-converters.js'

export interface GrpcClientOptions {
  /** Defaults to insecure (plaintext) credentials. */
  credentials?: grpc.ChannelCredentials
  /** Sent as `authorization: Bearer <key>` metadata. */
  apiKey?: string
  /** Client-side receive limit; the server's limits are its own. */
  maxReceiveMessageBytes?: number
  /** With TLS: the name the server's certificate must carry, when it differs from the address's host. */
  serverName?: string
}

export interface CallOptions {
  /** Relative deadline for the call. */
  deadlineMs?: number
  /** Sent as `x-request-id`. */
  requestId?: string
  /** Aborting cancels the call (the server aborts its upstream requests). */
  signal?: AbortSignal
}

/** The raw generated client, for callers that need statuses and metadata as they are. */
export const createRawImageSharingClient = (address: string, options: GrpcClientOptions = {}): ImageSharingClient => {
  const { grpcObject } = loadDriberProto()
  // Channelz keeps per-call counters and traces nobody reads here.
  const channelOptions: grpc.ChannelOptions = { 'grpc.enable_channelz': 0 }
  if (options.maxReceiveMessageBytes !== undefined) channelOptions['grpc.max_receive_message_length'] = options.maxReceiveMessageBytes
  if (options.serverName !== undefined) {
    // The certificate is checked against this name, and it is sent as SNI and :authority.
    channelOptions['grpc.ssl_target_name_override'] = options.serverName
    channelOptions['grpc.default_authority'] = options.serverName
  }
  return new grpcObject.driber.v1.ImageSharing(address, options.credentials ?? grpc.credentials.createInsecure(), channelOptions)
}

type UnaryMethod<Request, Response> = (
  request: Request,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: grpc.requestCallback<Response>,
) => grpc.ClientUnaryCall

export interface DriberGrpcClient {
  decide(input: DecideInput, options?: CallOptions & { mode?: 'next' | 'rank' }): Promise<DecideNextResult | DecideRankResult>
  rank(input: DecideInput, options?: CallOptions): Promise<DecideRankResult>
  describe(input: DescribeInput, options?: CallOptions): Promise<DescribeResult>
  retrieve(input: RetrieveInput, options?: CallOptions): Promise<RetrieveResult>
  share(input: ShareInput, options?: CallOptions): Promise<ShareResult>
  listModels(options?: CallOptions): Promise<ModelList>
  readonly raw: ImageSharingClient
  close(): void
}

/**
 * A promise-returning client. Failures reject with `DriberError` (kind from the trailing
 * `driber-error-code`, or inferred from the status when grpc-js produced it); the original
 * `ServiceError` is the `cause`.
 */
export const createDriberGrpcClient = (address: string, options: GrpcClientOptions = {}): DriberGrpcClient => {
  const raw = createRawImageSharingClient(address, options)

  const call = <Request, Response>(method: UnaryMethod<Request, Response>, request: Request, callOptions: CallOptions = {}): Promise<Response> =>
    new Promise<Response>((resolve, reject: (error: DriberError) => void) => {
      const metadata = new grpc.Metadata()
      if (options.apiKey !== undefined) metadata.set('authorization', `Bearer ${options.apiKey}`)
      if (callOptions.requestId !== undefined) metadata.set(requestIdMetadataKey, callOptions.requestId)
      const grpcOptions: grpc.CallOptions = {}
      if (callOptions.deadlineMs !== undefined) grpcOptions.deadline = Date.now() + callOptions.deadlineMs
      const pending = method.call(raw, request, metadata, grpcOptions, (error, response) => {
        callOptions.signal?.removeEventListener('abort', cancel)
        if (error !== null) reject(driberErrorFromGrpc(error))
        else if (response === undefined) reject(new DriberError('INTERNAL', { message: 'The server answered without a message' }))
        else resolve(response)
      })
      const cancel = (): void => pending.cancel()
      if (callOptions.signal?.aborted) cancel()
      else callOptions.signal?.addEventListener('abort', cancel, { once: true })
    })

  return {
    raw,
    decide: async (input, callOptions = {}) =>
      decideResponseFromWire(await call<DecideRequest, DecideResponse__Output>(raw.Decide, decideRequestToWire(input, callOptions.mode ?? 'next'), callOptions)),
    rank: async (input, callOptions) => decideRankFromWire(await call(raw.Rank, rankRequestToWire(input), callOptions)),
    describe: async (input, callOptions) => describeResponseFromWire(await call(raw.Describe, describeRequestToWire(input), callOptions)),
    retrieve: async (input, callOptions) => retrieveResponseFromWire(await call(raw.Retrieve, retrieveRequestToWire(input), callOptions)),
    share: async (input, callOptions) => shareResponseFromWire(await call(raw.Share, shareRequestToWire(input), callOptions)),
    listModels: async (callOptions) => listModelsResponseFromWire(await call(raw.ListModels, {}, callOptions)),
    close: () => raw.close(),
  }
}
