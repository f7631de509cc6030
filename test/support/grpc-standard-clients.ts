/**
 * Clients for the standard gRPC services driber serves (health checking, reflection), built
 * from the protos those packages ship: what a generic tool such as grpcurl or a load balancer
 * would use, with no driber code involved.
 */
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { createRequire } from 'node:module'
import path from 'node:path'
import { protoPath as healthProtoPath } from 'grpc-health-check'

const loaderOptions: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true }

type UnaryCallback<Response> = (error: grpc.ServiceError | null, response?: Response) => void

interface HealthClient extends grpc.Client {
  Check(request: { service: string }, callback: UnaryCallback<{ status: string }>): grpc.ClientUnaryCall
  Watch(request: { service: string }): grpc.ClientReadableStream<{ status: string }>
}

const healthClient = (address: string): HealthClient => {
  const definition = protoLoader.loadSync(healthProtoPath, loaderOptions)
  const Health = (grpc.loadPackageDefinition(definition) as unknown as { grpc: { health: { v1: { Health: new (address: string, credentials: grpc.ChannelCredentials) => HealthClient } } } }).grpc.health.v1.Health
  return new Health(address, grpc.credentials.createInsecure())
}

/**
 * `grpc.health.v1.Health/Watch`, as load balancers use it: the statuses seen so far, a promise
 * for the next change, and `close()`. The stream stays open until closed or the server goes.
 */
export const watchHealth = (address: string, service: string): { statuses: string[]; next(): Promise<string>; ended: Promise<void>; close(): void } => {
  const client = healthClient(address)
  const stream = client.Watch({ service })
  const statuses: string[] = []
  let waiting: Array<(status: string) => void> = []
  stream.on('data', (message: { status: string }) => {
    statuses.push(message.status)
    for (const wake of waiting.splice(0)) wake(message.status)
  })
  const ended = new Promise<void>((resolve) => {
    stream.on('error', () => resolve())
    stream.on('end', () => resolve())
  })
  return {
    statuses,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    ended,
    close: () => {
      waiting = []
      stream.cancel()
      client.close()
    },
  }
}

/** `grpc.health.v1.Health/Check` for `service` ('' = the whole server): resolves to the status name. */
export const checkHealth = async (address: string, service: string): Promise<string> => {
  const client = healthClient(address)
  try {
    return await new Promise<string>((resolve, reject) => {
      client.Check({ service }, (error, response) => (error !== null ? reject(error) : resolve(response?.status ?? 'MISSING')))
    })
  } finally {
    client.close()
  }
}

interface ReflectionResponse {
  message_response?: string
  list_services_response?: { service: Array<{ name: string }> }
  file_descriptor_response?: { file_descriptor_proto: Buffer[] }
  error_response?: { error_code: number; error_message: string }
}

interface ReflectionClient extends grpc.Client {
  ServerReflectionInfo(): grpc.ClientDuplexStream<Record<string, string>, ReflectionResponse>
}

const reflectionProto = (): string => {
  const require = createRequire(import.meta.url)
  return path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto')
}

/** Sends one `grpc.reflection.v1` request (e.g. `{list_services: ''}`) and returns the answer. */
export const reflect = async (address: string, request: Record<string, string>): Promise<ReflectionResponse> => {
  const definition = protoLoader.loadSync(reflectionProto(), loaderOptions)
  const Reflection = (grpc.loadPackageDefinition(definition) as unknown as { grpc: { reflection: { v1: { ServerReflection: new (address: string, credentials: grpc.ChannelCredentials) => ReflectionClient } } } }).grpc.reflection.v1.ServerReflection
  const client = new Reflection(address, grpc.credentials.createInsecure())
  try {
    return await new Promise<ReflectionResponse>((resolve, reject) => {
      const stream = client.ServerReflectionInfo()
      stream.once('data', (response: ReflectionResponse) => {
        resolve(response)
        stream.end()
      })
      stream.once('error', reject)
      stream.write(request)
    })
  } finally {
    client.close()
  }
}

/** Service names the server's reflection lists. */
export const listServices = async (address: string): Promise<string[]> => {
  const response = await reflect(address, { list_services: '' })
  return (response.list_services_response?.service ?? []).map((service) => service.name)
}
