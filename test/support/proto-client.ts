/**
 * A `driber.v1.ImageSharing` client built only from `proto/` with plain `@grpc/proto-loader`,
 * as an internal service in another repository would build one: no driber source involved, so
 * tests through it prove the proto alone is enough to call every method.
 */
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { fileURLToPath } from 'node:url'

const protoDirectory = fileURLToPath(new URL('../../proto', import.meta.url))

/** What a typical client picks: field names as written, enums as names, defaults filled in. */
const loaderOptions: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [protoDirectory] }

type Callback = (error: grpc.ServiceError | null, response?: unknown) => void
type UnaryStub = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: Callback) => grpc.ClientUnaryCall

export type ImageSharingMethod = 'Decide' | 'Rank' | 'Describe' | 'Retrieve' | 'Share' | 'ListModels'

export interface ProtoCallOptions {
  deadlineMs?: number
  metadata?: Record<string, string>
  /** Aborting cancels the call. */
  signal?: AbortSignal
}

export interface ProtoCallResult {
  // Tests read whatever shape the method answers.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  response: any
  /** Initial metadata (the echoed `x-request-id`). */
  metadata: grpc.Metadata
}

export interface ProtoClient {
  /** Resolves with the response, or rejects with the grpc-js `ServiceError` (code, details, trailing metadata). */
  call(method: ImageSharingMethod, request: object, options?: ProtoCallOptions): Promise<ProtoCallResult>
  close(): void
}

export const createProtoClient = (address: string): ProtoClient => {
  const definition = protoLoader.loadSync('driber/v1/driber.proto', loaderOptions)
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    driber: { v1: { ImageSharing: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client } }
  }
  const client = new loaded.driber.v1.ImageSharing(address, grpc.credentials.createInsecure())
  return {
    call: (method, request, options = {}) =>
      new Promise((resolve, reject) => {
        const metadata = new grpc.Metadata()
        for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value)
        const callOptions: grpc.CallOptions = options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs }
        let initial = new grpc.Metadata()
        const stub = (client as unknown as Record<ImageSharingMethod, UnaryStub>)[method].bind(client)
        const pending = stub(request, metadata, callOptions, (error, response) => (error !== null ? reject(error) : resolve({ response, metadata: initial })))
        pending.on('metadata', (received: grpc.Metadata) => {
          initial = received
        })
        if (options.signal?.aborted) pending.cancel()
        else options.signal?.addEventListener('abort', () => pending.cancel(), { once: true })
      }),
    close: () => client.close(),
  }
}
