/**
 * The error mapper on its own, for the branches a live fake cannot reach deterministically (undici
 * error codes, SDK error classes built by hand) and for Retry-After parsing.
 */
import t from 'tap'
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, InternalServerError, RateLimitError } from 'openai'
import { DriberError } from '../../../src/errors.js'
import { mapOpenAIError, parseRetryAfter } from '../../../src/providers/openai/openai-error-mapper.js'

const idle = (): AbortSignal => new AbortController().signal
const aborted = (reason?: unknown): AbortSignal => {
  const controller = new AbortController()
  controller.abort(reason)
  return controller.signal
}
const context = (overrides: Partial<Parameters<typeof mapOpenAIError>[1]> = {}) => ({
  model: 'm',
  requestSignal: idle(),
  attemptSignal: idle(),
  timeoutMs: 1000,
  ...overrides,
})
const headers = (values: Record<string, string>) => new Headers(values)
const withCause = (message: string, cause: Record<string, unknown>): Error => Object.assign(new TypeError(message), { cause })

t.test('Retry-After: milliseconds, seconds, HTTP dates, garbage', async (t) => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  t.equal(parseRetryAfter(headers({ 'retry-after-ms': '250.5' }), now), 251)
  t.equal(parseRetryAfter(headers({ 'retry-after': '7' }), now), 7000)
  t.equal(parseRetryAfter(headers({ 'retry-after': '0.5' }), now), 500)
  t.equal(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now), 30_000)
  t.equal(parseRetryAfter(headers({ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }), now), 0, 'a past date means now')
  t.equal(parseRetryAfter(headers({ 'retry-after-ms': '100', 'retry-after': '9' }), now), 100, 'the precise header wins')
  t.equal(parseRetryAfter(headers({ 'retry-after-ms': 'soon', 'retry-after': '2' }), now), 2000, 'a bad ms header falls back')
  t.equal(parseRetryAfter(headers({ 'retry-after': 'later' }), now), undefined)
  t.equal(parseRetryAfter(headers({ 'retry-after': '-5' }), now), undefined)
  t.equal(parseRetryAfter(headers({}), now), undefined)
  t.equal(parseRetryAfter(undefined, now), undefined)
})

t.test('the request signal decides first: its DriberError reason, else CANCELLED', async (t) => {
  const reason = new DriberError('DEADLINE_EXCEEDED')
  t.equal(mapOpenAIError(new APIUserAbortError(), context({ requestSignal: aborted(reason) })), reason)
  t.equal(mapOpenAIError(new Error('boom'), context({ requestSignal: aborted(reason), attemptSignal: aborted() })), reason, 'even when the timer also fired')
  t.equal(mapOpenAIError(new APIUserAbortError(), context({ requestSignal: aborted() })).code, 'DRIBER_CANCELLED')
  const shutdown = new DriberError('SHUTTING_DOWN')
  t.equal(mapOpenAIError(new APIUserAbortError(), context({ requestSignal: aborted(shutdown) })), shutdown)
  const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
  t.equal(mapOpenAIError(new APIUserAbortError(), context({ requestSignal: aborted(timeout) })).code, 'DRIBER_DEADLINE_EXCEEDED', 'an AbortSignal.timeout is a deadline')
})

t.test('timeouts: our timer, the SDK, undici idle timers', async (t) => {
  t.equal(mapOpenAIError(new APIUserAbortError(), context({ attemptSignal: aborted() })).code, 'DRIBER_UPSTREAM_TIMEOUT')
  t.equal(mapOpenAIError(new APIConnectionTimeoutError(), context()).code, 'DRIBER_UPSTREAM_TIMEOUT')
  for (const code of ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']) {
    const error = mapOpenAIError(withCause('terminated', { code }), context())
    t.equal(error.code, 'DRIBER_UPSTREAM_TIMEOUT', code)
    t.equal(error.retryable, true)
  }
})

t.test('connection failures', async (t) => {
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'ENOTFOUND']) {
    t.equal(mapOpenAIError(new APIConnectionError({ cause: withCause('fetch failed', { code }) }), context()).code, 'DRIBER_UPSTREAM_UNAVAILABLE', code)
  }
  t.equal(mapOpenAIError(new TypeError('terminated'), context()).code, 'DRIBER_UPSTREAM_UNAVAILABLE', 'body cut short')
  t.equal(mapOpenAIError(new SyntaxError('Unexpected token'), context()).code, 'DRIBER_UPSTREAM_UNAVAILABLE', 'a 200 with a broken body')
  t.equal(mapOpenAIError(new APIUserAbortError(), context()).code, 'DRIBER_UPSTREAM_UNAVAILABLE', 'an abort nobody asked for')
})

t.test('statuses', async (t) => {
  const limited = mapOpenAIError(new RateLimitError(429, { message: 'slow down' }, undefined, headers({ 'retry-after': '4' })), context())
  t.equal(limited.code, 'DRIBER_UPSTREAM_RATE_LIMITED')
  t.equal(limited.retryAfterMs, 4000)
  t.same(limited.details, { model: 'm', status: 429, upstream_message: 'slow down' })
  t.equal(mapOpenAIError(new InternalServerError(500, undefined, undefined, headers({})), context()).code, 'DRIBER_UPSTREAM_UNAVAILABLE')
  t.equal(mapOpenAIError(APIError.generate(408, undefined, 'timeout', headers({})), context()).code, 'DRIBER_UPSTREAM_TIMEOUT')
  t.equal(mapOpenAIError(APIError.generate(422, { message: 'bad' }, undefined, headers({})), context()).code, 'DRIBER_UPSTREAM_REJECTED')
  const auth = mapOpenAIError(APIError.generate(401, { message: 'Incorrect API key provided: sk-12***34' }, undefined, headers({})), context())
  t.equal(auth.code, 'DRIBER_UPSTREAM_AUTH')
  t.notOk(JSON.stringify(auth.details).includes('sk-'), 'auth bodies never reach details')
  t.equal(auth.cause, undefined, 'nor logs, through the cause')
})

t.test('our own errors pass through; unknown failures are INTERNAL with the cause kept', async (t) => {
  const ours = new DriberError('UPSTREAM_UNAVAILABLE')
  t.equal(mapOpenAIError(ours, context()), ours)
  const bug = new RangeError('a bug')
  const internal = mapOpenAIError(bug, context())
  t.equal(internal.code, 'DRIBER_INTERNAL')
  t.equal(internal.cause, bug)
})
