/**
 * The one place where OpenAI SDK and network errors become catalog errors. Everything an
 * OpenAI-compatible call can throw passes through `mapOpenAIError`, so retryability, Retry-After
 * and the cancel/deadline distinction are decided once for chat and embeddings alike.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai'
import { DriberError, isDriberError } from '../../errors.js'

export interface ErrorMappingContext {
  /** Registry id of the model or embedder, for details. */
  model: string
  /** The request's signal: its reason (a CANCELLED or DEADLINE_EXCEEDED DriberError) wins over everything. */
  requestSignal: AbortSignal
  /** Our per-attempt timer's signal. */
  attemptSignal: AbortSignal
  timeoutMs: number
}

interface HeaderSource {
  get(name: string): string | null
}

/** Upstream error text longer than this is dropped: it may echo prompts, and clients do not need it. */
const MAX_UPSTREAM_MESSAGE = 200

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'ABORT_ERR_TIMEOUT'])
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
])

/**
 * Milliseconds to wait, from `retry-after-ms` (OpenAI's, fractional ms) or `retry-after` (seconds or
 * an HTTP date). Undefined when absent or unparseable; never negative.
 */
export const parseRetryAfter = (headers: HeaderSource | undefined, now: number = Date.now()): number | undefined => {
  if (headers === undefined) return undefined
  const milliseconds = headers.get('retry-after-ms')
  if (milliseconds !== null && milliseconds.trim() !== '') {
    const value = Number(milliseconds)
    if (Number.isFinite(value) && value >= 0) return Math.ceil(value)
  }
  const retryAfter = headers.get('retry-after')
  if (retryAfter === null || retryAfter.trim() === '') return undefined
  const trimmed = retryAfter.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000)
  // An HTTP date always names its month; this keeps Date.parse from reading "-5" as a year.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/** Error codes along the `cause` chain (undici nests the socket error inside "fetch failed"/"terminated"). */
const causeCodes = (error: unknown): string[] => {
  const codes: string[] = []
  let current: unknown = error
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') codes.push(code)
    current = (current as { cause?: unknown }).cause
  }
  return codes
}

const upstreamMessage = (error: APIError): string | undefined => {
  const body = error.error as { message?: unknown } | undefined
  const text = typeof body?.message === 'string' ? body.message : undefined
  return text !== undefined && text.length <= MAX_UPSTREAM_MESSAGE ? text : undefined
}

const fromStatus = (error: APIError, status: number, model: string): DriberError => {
  const details: Record<string, unknown> = { model, status }
  if (typeof error.code === 'string') details.upstream_code = error.code
  const retryAfterMs = parseRetryAfter(error.headers ?? undefined)
  if (status === 429) {
    const message = upstreamMessage(error)
    if (message !== undefined) details.upstream_message = message
    return new DriberError('UPSTREAM_RATE_LIMITED', { details, cause: error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) })
  }
  // Auth failures echo (masked) keys in their messages: keep the body out of details, and drop the
  // SDK error as cause too, so no logger that serialises causes can print it.
  if (status === 401 || status === 403) return new DriberError('UPSTREAM_AUTH', { details })
  if (status === 408) return new DriberError('UPSTREAM_TIMEOUT', { details, cause: error })
  if (status >= 500) {
    return new DriberError('UPSTREAM_UNAVAILABLE', { details, cause: error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) })
  }
  const message = upstreamMessage(error)
  if (message !== undefined) details.upstream_message = message
  return new DriberError('UPSTREAM_REJECTED', { details, cause: error })
}

/**
 * Why the request's own signal aborted: the transport's reason (a DriberError such as CANCELLED,
 * DEADLINE_EXCEEDED or SHUTTING_DOWN) as is; an `AbortSignal.timeout` as DEADLINE_EXCEEDED; anything
 * else as CANCELLED.
 */
export const requestAbortError = (reason: unknown): DriberError => {
  if (isDriberError(reason)) return reason
  if (reason instanceof Error && reason.name === 'TimeoutError') return new DriberError('DEADLINE_EXCEEDED', { cause: reason })
  return new DriberError('CANCELLED', { cause: reason })
}

/**
 * Converts anything thrown by an OpenAI-compatible call into a `DriberError`:
 * request signal aborted -> its reason (CANCELLED / DEADLINE_EXCEEDED); per-attempt timer, SDK
 * timeout or undici idle timeout -> UPSTREAM_TIMEOUT; 429 -> UPSTREAM_RATE_LIMITED (with
 * `retryAfterMs`); 5xx and connection failures -> UPSTREAM_UNAVAILABLE; 401/403 -> UPSTREAM_AUTH;
 * other 4xx -> UPSTREAM_REJECTED.
 */
export const mapOpenAIError = (error: unknown, context: ErrorMappingContext): DriberError => {
  if (context.requestSignal.aborted) return requestAbortError(context.requestSignal.reason)
  if (isDriberError(error)) return error
  const details = { model: context.model }
  if (context.attemptSignal.aborted || error instanceof APIConnectionTimeoutError) {
    return new DriberError('UPSTREAM_TIMEOUT', {
      message: `The model backend did not answer within ${context.timeoutMs} ms`,
      details: { ...details, timeout_ms: context.timeoutMs },
      cause: error,
    })
  }
  // Neither of our signals fired, so the SDK saw an abort we did not ask for: treat as a lost connection.
  if (error instanceof APIUserAbortError) return new DriberError('UPSTREAM_UNAVAILABLE', { details, cause: error })
  if (error instanceof APIError && typeof error.status === 'number') return fromStatus(error, error.status, context.model)

  const codes = causeCodes(error)
  if (codes.some((code) => TIMEOUT_CODES.has(code))) {
    return new DriberError('UPSTREAM_TIMEOUT', { message: 'The model backend went silent mid-response', details, cause: error })
  }
  if (error instanceof APIConnectionError || codes.some((code) => CONNECTION_CODES.has(code))) {
    return new DriberError('UPSTREAM_UNAVAILABLE', { message: 'The connection to the model backend failed', details, cause: error })
  }
  // undici reports a body cut short as TypeError "terminated"; a 200 with a non-JSON body is a SyntaxError.
  if (error instanceof TypeError && error.message === 'terminated') {
    return new DriberError('UPSTREAM_UNAVAILABLE', { message: 'The model backend closed the connection mid-response', details, cause: error })
  }
  if (error instanceof SyntaxError) {
    return new DriberError('UPSTREAM_UNAVAILABLE', { message: 'The model backend sent a response that is not valid JSON', details, cause: error })
  }
  return new DriberError('INTERNAL', { cause: error })
}
