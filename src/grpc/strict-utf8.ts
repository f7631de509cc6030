/**
 * Proto3 `string` fields must hold valid UTF-8, but protobufjs decodes leniently: bad bytes become
 * U+FFFD and the call would reach the core with text nobody sent. grpc-js answers a throwing
 * deserializer with INTERNAL, so instead the wrapped deserializer marks a message whose strings
 * gained U+FFFD that the raw bytes never held, and the call wrapper refuses it with
 * INVALID_ARGUMENT (`details.reason: invalid_utf8`), as HTTP does for such a body.
 */
import type { ServiceDefinition } from '@grpc/grpc-js'
import { DriberError } from '../errors.js'

const invalidUtf8 = Symbol('driber.invalidUtf8')
/** U+FFFD as UTF-8: if the client sent this itself, a U+FFFD in the message may be genuine. */
const REPLACEMENT_BYTES = Buffer.from([0xef, 0xbf, 0xbd])

const hasReplacement = (value: unknown, depth = 0): boolean => {
  if (depth > 32) return false
  if (typeof value === 'string') return value.includes('\uFFFD')
  if (Array.isArray(value)) return value.some((item) => hasReplacement(item, depth + 1))
  if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    return Object.values(value).some((item) => hasReplacement(item, depth + 1))
  }
  return false
}

/** The same service with every request deserializer checking UTF-8. */
export const withStrictUtf8 = <Service extends ServiceDefinition>(service: Service): Service =>
  Object.fromEntries(
    Object.entries(service).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize: (bytes: Buffer) => {
          const message: unknown = method.requestDeserialize(bytes)
          if (typeof message === 'object' && message !== null && hasReplacement(message) && !bytes.includes(REPLACEMENT_BYTES)) {
            Object.defineProperty(message, invalidUtf8, { value: true, enumerable: false })
          }
          return message
        },
      },
    ]),
  ) as Service

/** The error for a request whose strings were not valid UTF-8 on the wire, else undefined. */
export const invalidUtf8Error = (request: unknown): DriberError | undefined =>
  typeof request === 'object' && request !== null && (request as Record<symbol, unknown>)[invalidUtf8] === true
    ? new DriberError('INVALID_ARGUMENT', { message: 'A string field is not valid UTF-8', details: { reason: 'invalid_utf8' } })
    : undefined
