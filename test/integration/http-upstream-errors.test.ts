/**
 * Upstream failures as clients see them: each class keeps its catalog status and code, retryable
 * ones carry Retry-After, and a healthy fallback answers when the primary is down.
 */
import t from 'tap'
import { beachDialogue, buildTestApp, testRegistry } from '../helper.js'
import { captureLogs } from '../support/capture-logs.js'

t.test('429 everywhere: 429 DRIBER_UPSTREAM_RATE_LIMITED with Retry-After', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  // Retry-After (30 s) is beyond the test cap, so no model is waited for: each is tried once.
  upstream.scriptRepeat({ kind: 'rate_limited', retryAfterSeconds: 30 }, 10)
  const response = await post('/v1/decide', { dialogue: beachDialogue })
  t.equal(response.status, 429, JSON.stringify(response.body))
  t.equal(response.body.error.code, 'DRIBER_UPSTREAM_RATE_LIMITED')
  t.equal(response.headers.get('retry-after'), '30')
  t.same(
    response.body.error.details.attempts.map((attempt: { model: string; code: string }) => [attempt.model, attempt.code]),
    [
      ['model-a', 'DRIBER_UPSTREAM_RATE_LIMITED'],
      ['model-b', 'DRIBER_UPSTREAM_RATE_LIMITED'],
    ],
  )
})

t.test('a short 429 is retried on the same model and the retry answers', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  upstream.script({ kind: 'rate_limited', retryAfterMs: 10 })
  const response = await post('/v1/decide', { dialogue: beachDialogue })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.same(
    response.body.attempts.map((attempt: { model: string; outcome: string }) => [attempt.model, attempt.outcome]),
    [
      ['model-a', 'error'],
      ['model-a', 'ok'],
    ],
  )
})

t.test('5xx everywhere: 503 DRIBER_UPSTREAM_UNAVAILABLE after retries on each model', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  upstream.scriptRepeat({ kind: 'status', status: 500, message: 'boom' }, 20)
  const response = await post('/v1/describe', { dialogue: beachDialogue })
  t.equal(response.status, 503, JSON.stringify(response.body))
  t.equal(response.body.error.code, 'DRIBER_UPSTREAM_UNAVAILABLE')
  const models = response.body.error.details.attempts.map((attempt: { model: string }) => attempt.model)
  t.ok(models.includes('model-a') && models.includes('model-b'), 'both models were tried')
  t.ok(models.filter((model: string) => model === 'model-a').length > 1, 'the primary was retried')
  t.notMatch(JSON.stringify(response.body), /boom.*at /, 'no upstream stack')
})

t.test('primary down, fallback healthy: the fallback answers', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  upstream.setResponder((request) =>
    (request.body as { model?: string }).model === 'fake-model-a' ? { kind: 'status', status: 503 } : undefined,
  )
  const response = await post('/v1/decide', { dialogue: beachDialogue, speaker: 'Ana' })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.equal(response.body.model, 'model-b')
  t.equal(response.body.attempts.at(-1).model, 'model-b')
})

t.test('an upstream that hangs: 504 when the per-attempt timeout runs out on every model', async (t) => {
  const { post, upstream } = await buildTestApp(t, {
    registry: (baseUrl) => {
      const registry = testRegistry(baseUrl)
      for (const model of registry.models) model.timeout_ms = 100
      return registry
    },
    config: { resilience: { maxAttempts: 1 } },
  })
  upstream.setResponder(() => ({ kind: 'hang' }))
  const response = await post('/v1/decide', { dialogue: beachDialogue })
  t.equal(response.status, 504, JSON.stringify(response.body))
  t.equal(response.body.error.code, 'DRIBER_UPSTREAM_TIMEOUT')
})

t.test('the request deadline (x-request-timeout-ms) gives 504 DRIBER_DEADLINE_EXCEEDED and cuts the upstream call', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  upstream.setResponder(() => ({ kind: 'hang' }))
  const response = await post('/v1/decide', { dialogue: beachDialogue }, { 'x-request-timeout-ms': '150' })
  t.equal(response.status, 504, JSON.stringify(response.body))
  t.equal(response.body.error.code, 'DRIBER_DEADLINE_EXCEEDED')
  await upstream.waitForAborted(1)
  t.ok(upstream.abortedCount >= 1, 'the upstream saw its request abandoned')
})

t.test('upstream 400: 502 DRIBER_UPSTREAM_REJECTED at once, no fallback', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  upstream.script({ kind: 'status', status: 400, message: 'context length exceeded' })
  const response = await post('/v1/decide', { dialogue: beachDialogue })
  t.equal(response.status, 502, JSON.stringify(response.body))
  t.equal(response.body.error.code, 'DRIBER_UPSTREAM_REJECTED')
  t.equal(upstream.chatRequests.length, 1)
})

t.test('upstream 401: DRIBER_UPSTREAM_AUTH (502) when no model accepts our key', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  upstream.scriptRepeat({ kind: 'status', status: 401, message: 'bad key' }, 2)
  const response = await post('/v1/decide', { dialogue: beachDialogue })
  t.equal(response.status, 502, JSON.stringify(response.body))
  t.equal(response.body.error.code, 'DRIBER_UPSTREAM_AUTH')
})

t.test('unknown model: 404 DRIBER_UNKNOWN_MODEL listing what exists, no upstream call', async (t) => {
  const { post, upstream, startupRequests } = await buildTestApp(t)
  const response = await post('/v1/decide', { dialogue: beachDialogue, model: 'gpt-17' })
  t.equal(response.status, 404)
  t.equal(response.body.error.code, 'DRIBER_UNKNOWN_MODEL')
  t.match(response.body.error.details, { requested: 'gpt-17' })
  t.ok(response.body.error.details.models.includes('model-a'))
  t.ok(response.body.error.details.aliases)
  t.equal(upstream.requestCount, startupRequests)
})

t.test('unknown index: 404 DRIBER_UNKNOWN_INDEX listing the indexes', async (t) => {
  const { post, upstream, startupRequests } = await buildTestApp(t)
  const response = await post('/v1/retrieve', { descriptions: ['a dog'], index: 'nope' })
  t.equal(response.status, 404)
  t.equal(response.body.error.code, 'DRIBER_UNKNOWN_INDEX')
  t.match(JSON.stringify(response.body.error), /test/)
  t.equal(upstream.requestCount, startupRequests)
})


t.test('backoff before a retry is not overhead: x-driber-overhead-ms leaves it out, the log line reports it as retryWaitMs', async (t) => {
  const logs = captureLogs()
  const { post, upstream } = await buildTestApp(t, { config: { resilience: { retryAfterCapMs: 5_000 } }, appOptions: { logger: logs.logger } })
  upstream.script({ kind: 'rate_limited', retryAfterMs: 600 })
  const response = await post('/v1/decide', { dialogue: beachDialogue }, { 'x-request-id': 'backoff-1' })
  t.equal(response.status, 200)
  t.match(response.body.attempts, [{ outcome: 'error', code: 'DRIBER_UPSTREAM_RATE_LIMITED' }, { outcome: 'ok' }])
  const line = await logs.completionOf('backoff-1')
  const waited = Number(line?.retryWaitMs)
  t.ok(waited >= 600, `the wait honoured Retry-After (${waited} ms)`)
  const overhead = Number(response.headers.get('x-driber-overhead-ms'))
  // Accounting, not speed: overhead + upstream + backoff never exceed the whole request.
  t.ok(overhead + Number(line?.upstreamMs) + waited <= Number(line?.durationMs) + 1, `overhead ${overhead} ms excludes the ${waited} ms wait`)
})

t.test('a deadline that cuts a call short keeps its attempts: in the error details and in the completion log line', async (t) => {
  const logs = captureLogs()
  const { post, upstream } = await buildTestApp(t, { appOptions: { logger: logs.logger } })
  upstream.setResponder(() => ({ kind: 'hang' }))
  const response = await post('/v1/decide', { dialogue: beachDialogue }, { 'x-request-timeout-ms': '200', 'x-request-id': 'cut-short-1' })
  t.equal(response.status, 504)
  t.equal(response.body.error.code, 'DRIBER_DEADLINE_EXCEEDED')
  await upstream.waitForRequests(upstream.requestCount)
  t.ok(upstream.chatRequests.length >= 1, 'an upstream call was made')
  t.match(response.body.error.details?.attempts, [{ model: 'model-a', outcome: 'error', code: 'DRIBER_DEADLINE_EXCEEDED' }])
  t.equal(response.body.error.details.attempts.length, upstream.chatRequests.length, 'one attempt per upstream call')
  const completion = await logs.completionOf('cut-short-1')
  t.match(completion, { statusCode: 504, errorCode: 'DRIBER_DEADLINE_EXCEEDED', attemptCount: upstream.chatRequests.length })
})

t.test('a breaker that opens during the request: 503 DRIBER_CIRCUIT_OPEN with Retry-After, as when it was already open', async (t) => {
  const { post, upstream } = await buildTestApp(t, {
    registry: (baseUrl) => ({ ...testRegistry(baseUrl), routes: { decide: ['model-a'], describe: ['model-a'] } }),
    config: { resilience: { maxAttempts: 3, breaker: { windowSize: 1, minimumCalls: 1, failureRatio: 0.5, halfOpenAfterMs: 30_000 } } },
  })
  upstream.script({ kind: 'status', status: 503, message: 'down' })
  const opened = await post('/v1/decide', { dialogue: beachDialogue })
  t.equal(opened.status, 503, JSON.stringify(opened.body))
  t.equal(opened.body.error.code, 'DRIBER_CIRCUIT_OPEN')
  t.equal(upstream.chatRequests.length, 1, 'the retry was refused by the breaker, not sent')
  const hint = Number(opened.headers.get('retry-after'))
  t.ok(hint >= 1 && hint <= 30, `Retry-After ${opened.headers.get('retry-after')} s: the rest of the cool-down`)
  const already = await post('/v1/decide', { dialogue: beachDialogue })
  t.equal(already.body.error.code, 'DRIBER_CIRCUIT_OPEN')
  // Whole seconds of the same cool-down: equal, or one less if a second boundary passed in between.
  t.ok(hint - Number(already.headers.get('retry-after')) <= 1, 'the same hint as when it was already open')
})
