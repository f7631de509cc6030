/**
 * The admission check for one call, independent of transport: load shedding, then the API key,
 * then the caller's rate. The gRPC adapter runs it in its call interceptor, from the metadata,
 * before the body is read; HTTP runs the same steps as fastify hooks (`src/http/plugins/`) over
 * the same `Security`, so both refuse alike.
 * Open methods (health) skip all three: probes must see the truth even under load.
 */
import { DriberError } from '../errors.js'
import { bearerToken, type ApiKeyIdentity } from './api-key-authenticator.js'
import { callerKey } from './rate-limiter.js'
import type { Security } from './security.js'

export interface CallAdmissionRequest {
  /** The `authorization` header or metadata value. */
  authorization: string | string[] | undefined
  /** `/package.Service/Method` for gRPC. */
  methodPath: string
  /** The caller's IP address, used as the rate-limit key when auth is off. */
  clientAddress: string | undefined
}

export interface Admission {
  /** Present when a key was checked; absent on open methods or with auth off. */
  identity: ApiKeyIdentity | undefined
  /** The rate limiter key the call was counted under (undefined when not counted). */
  callerKey: string | undefined
}

export type CallAdmission = (request: CallAdmissionRequest) => Admission

export interface CallAdmissionOptions {
  /** The process pressure check (from `@fastify/under-pressure` on the HTTP app); absent = never shed. */
  isUnderPressure?: () => boolean
}

/** Builds the check; it throws `UNDER_PRESSURE`, `UNAUTHENTICATED` or `RATE_LIMITED` catalog errors. */
export const createCallAdmission = (security: Security, options: CallAdmissionOptions = {}): CallAdmission => (request) => {
  if (security.policy.isOpenGrpcMethod(request.methodPath)) return { identity: undefined, callerKey: undefined }
  if (options.isUnderPressure?.() === true) {
    throw new DriberError('UNDER_PRESSURE', { retryAfterMs: security.pressureRetryAfterMs })
  }
  let identity: ApiKeyIdentity | undefined
  if (security.policy.enabled) {
    identity = security.authenticator.authenticate(bearerToken(request.authorization))
    if (identity === undefined) throw new DriberError('UNAUTHENTICATED')
  }
  const limit = security.rateLimitFor(identity)
  if (limit === undefined) return { identity, callerKey: undefined }
  const key = callerKey(identity, request.clientAddress)
  const decision = security.rateLimiter.consume(key, limit)
  if (!decision.allowed) {
    throw new DriberError('RATE_LIMITED', {
      retryAfterMs: Math.max(1, decision.resetMs),
      details: { limit: decision.limit, window_ms: limit.windowMs },
    })
  }
  return { identity, callerKey: key }
}
