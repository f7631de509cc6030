/**
 * The one place that decides what happens after a model call fails: retry on the same model,
 * fall back to the next model in the route, fail the request at once, or stop because the request
 * itself is over. Everything else in the core reads this table; nothing else decides.
 */
import { ConstantBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel'
import type { ConfigData } from '../config.js'
import type { DriberError, ErrorKind } from '../errors.js'

export type ResilienceSettings = ConfigData['resilience']

/**
 * - `retry`: the same model again, with backoff, while attempts and the deadline allow; then fall back.
 * - `fallback`: the next model in the route.
 * - `fail`: give up on the whole request now (the request itself is the problem).
 * - `stop`: the request is over (client gone, deadline passed, shutting down); nothing more is tried.
 */
export type PolicyAction = 'retry' | 'fallback' | 'fail' | 'stop'

export interface PolicyRule {
  readonly action: PolicyAction
  /** Whether the failure counts against the model's circuit breaker (the model, not the request, is unwell). */
  readonly countsAgainstModel: boolean
}

/** The policy table. Errors not listed fail at once and do not count against the model. */
export const ERROR_POLICY: Readonly<Partial<Record<ErrorKind, PolicyRule>>> = {
  UPSTREAM_RATE_LIMITED: { action: 'retry', countsAgainstModel: true },
  UPSTREAM_UNAVAILABLE: { action: 'retry', countsAgainstModel: true },
  UPSTREAM_TIMEOUT: { action: 'retry', countsAgainstModel: true },
  // Our key is wrong for this backend; another model may use another backend.
  UPSTREAM_AUTH: { action: 'fallback', countsAgainstModel: true },
  // A provider that threw something unconverted is misbehaving; do not let it sink the request.
  INTERNAL: { action: 'fallback', countsAgainstModel: true },
  // Decided locally (queue full, breaker open): the model is not at fault, another one may have room.
  OVERLOADED: { action: 'fallback', countsAgainstModel: false },
  CIRCUIT_OPEN: { action: 'fallback', countsAgainstModel: false },
  // After the configured re-asks (see stage-runner), an unusable answer moves on to the next model.
  PARSE_FAILURE: { action: 'fallback', countsAgainstModel: false },
  // The backend refused this request's content or parameters; another model would most likely refuse it too.
  UPSTREAM_REJECTED: { action: 'fail', countsAgainstModel: false },
  CANCELLED: { action: 'stop', countsAgainstModel: false },
  DEADLINE_EXCEEDED: { action: 'stop', countsAgainstModel: false },
  SHUTTING_DOWN: { action: 'stop', countsAgainstModel: false },
}

const DEFAULT_RULE: PolicyRule = { action: 'fail', countsAgainstModel: false }

export const policyFor = (error: DriberError): PolicyRule => ERROR_POLICY[error.kind] ?? DEFAULT_RULE

/**
 * How long to wait before retry number `retry` (1-based) after `error`: exponential backoff with full
 * jitter, but never less than the upstream's Retry-After. Undefined when the upstream asks for a
 * longer wait than `retryAfterCapMs`: then waiting is pointless and the next model should be tried.
 */
export const retryDelayMs = (
  retryNumber: number,
  error: DriberError,
  settings: ResilienceSettings,
  random: () => number = Math.random,
): number | undefined => {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, retryNumber - 1))
  const jittered = Math.floor(random() * ceiling)
  const asked = error.retryAfterMs
  if (asked === undefined) return jittered
  if (asked > settings.retryAfterCapMs) return undefined
  return Math.max(jittered, asked)
}

/**
 * Errors the stage runner marks as final: the retry policy must not retry them even if the table
 * says `retry` (the next wait would pass the deadline, or Retry-After is beyond the cap).
 */
const finalErrors = new WeakSet<object>()

export const markFinal = <E extends object>(error: E): E => {
  finalErrors.add(error)
  return error
}

const isRetryable = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { name?: unknown }).name === 'DriberError' &&
  policyFor(error as DriberError).action === 'retry' &&
  !finalErrors.has(error)

/**
 * The retry policy (cockatiel), built once. It decides *whether* to call again (the table, the
 * attempt budget); the stage runner does the waiting itself at the start of each retry, because
 * cockatiel's own backoff timer cannot be cut short when the request aborts, and because only the
 * runner knows the request's deadline and the upstream's Retry-After.
 */
export const createRetryPolicy = (settings: ResilienceSettings): RetryPolicy =>
  retry(handleWhen(isRetryable), { maxAttempts: settings.maxAttempts - 1, backoff: new ConstantBackoff(0) })
