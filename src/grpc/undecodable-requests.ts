/**
 * A request body that is not a valid protobuf message is the client's mistake, but grpc-js answers
 * a throwing deserializer with INTERNAL ("Error deserializing request"), which reads as our fault
 * and carries no catalog code. So the wrapped deserializer returns a marker instead of throwing,
 * and the call wrapper answers INVALID_ARGUMENT (`DRIBER_INVALID_ARGUMENT`, `details.reason:
 * undecodable`), as HTTP answers a body that is not JSON with 400.
 */
import type { ServiceDefinition } from '@grpc/grpc-js'
import { DriberError } from '../errors.js'

const undecodable = Symbol('driber.undecodable')

/** The same service with every request deserializer turning a decoding failure into a marker. */
export const withUndecodableMarked = <Service extends ServiceDefinition>(service: Service): Service =>
  Object.fromEntries(
    Object.entries(service).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize: (bytes: Buffer): unknown => {
          try {
            return method.requestDeserialize(bytes)
          } catch {
            return { [undecodable]: true }
          }
        },
      },
    ]),
  ) as Service

/** The error for a request whose bytes were not a valid message, else undefined. */
export const undecodableRequestError = (request: unknown): DriberError | undefined =>
  typeof request === 'object' && request !== null && (request as Record<symbol, unknown>)[undecodable] === true
    ? new DriberError('INVALID_ARGUMENT', { message: 'The request is not a valid protobuf message for this method', details: { reason: 'undecodable' } })
    : undefined
