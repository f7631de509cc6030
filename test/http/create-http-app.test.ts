/**
 * The HTTP adapter on its own, with a scripted core: what reaches the core, what clients get back
 * for every kind of bad input and every kind of error, request ids, deadlines and cancellation.
 * (Whole-app behaviour against a fake upstream lives in test/integration/http-*.test.ts.)
 */
import { once } from 'node:events'
import { request as httpRequest } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import pino from 'pino'
import t, { type Test } from 'tap'
import { loadTlsMaterial } from '../../src/auth/tls-material.js'
import { testConfig, type ConfigData, type DeepPartial } from '../../src/config.js'
import type { RequestContext } from '../../src/core/request-context.js'
import type { DecideNextResult } from '../../src/core/types.js'
import { DriberError } from '../../src/errors.js'
import { createHttpApp } from '../../src/http/create-http-app.js'
import type { HttpCore } from '../../src/http/route-options.js'
import type { ReadinessResponse } from '../../src/http/schemas/health-schemas.js'
import { makeSelfSignedCertificate, opensslMissing } from '../support/self-signed-certificate.js'

const dialogue = [
  { speaker: 'Ana', text: 'We just got back from the beach!' },
  { speaker: 'Ben', text: 'Did you see anything cool?' },
]

const decision: DecideNextResult = {
  share: true,
  speaker: 'Ana',
  confidence: 0.75,
  intents: ['information_dissemination'],
  trigger: { turn: 1, text: 'Did you see anything cool?' },
  rationale: 'Ben asks to see it.',
  model: 'model-a',
  attempts: [{ model: 'model-a', outcome: 'ok', duration_ms: 12 }],
  usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
}

interface Call {
  method: string
  input: unknown
  context: RequestContext
  /** Epoch ms when the core was called: the context's deadline is measured from just before it. */
  calledAt: number
}

/** A core whose every method records its call and then does what `behaviour` says. */
const scriptedCore = (behaviour: (call: Call) => Promise<unknown>): { core: HttpCore; calls: Call[] } => {
  const calls: Call[] = []
  const method =
    (name: string) =>
    (input: unknown, context: RequestContext): Promise<never> => {
      const call = { method: name, input, context, calledAt: Date.now() }
      calls.push(call)
      return behaviour(call) as Promise<never>
    }
  const core: HttpCore = {
    decide: method('decide'),
    rank: method('rank'),
    describe: method('describe'),
    retrieve: method('retrieve'),
    share: method('share'),
    listModels: () => ({ models: [], embedders: [], aliases: {}, routes: { decide: ['model-a'] } }),
    localImage: async () => Promise.reject(new Error('these tests serve no images')),
  }
  return { core, calls }
}

/** Never settles on its own: only the request's signal ends it (as a well-behaved core does). */
const waitForAbort = (call: Call): Promise<unknown> =>
  new Promise((_resolve, reject) => call.context.signal.addEventListener('abort', () => reject(call.context.signal.reason as Error)))

const build = async (
  t: Test,
  behaviour: (call: Call) => Promise<unknown>,
  options: { config?: DeepPartial<ConfigData>; readiness?: () => ReadinessResponse; draining?: () => boolean } = {},
) => {
  const { core, calls } = scriptedCore(behaviour)
  const app = await createHttpApp({
    config: testConfig({ http: { docs: true, bodyLimitBytes: 4096 }, ...options.config }),
    core,
    logger: pino({ level: 'silent' }),
    readiness: options.readiness ?? (() => ({ status: 'ready', registry: true, draining: false, indexes: [], models: [] })),
    draining: options.draining ?? (() => false),
  })
  t.teardown(() => app.close())
  await app.ready()
  return { app, calls }
}

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  url,
  payload: payload as string,
  headers,
})

t.test('a valid decide reaches the core once with the body and a context, and the answer comes back as sent', async (t) => {
  const { app, calls } = await build(t, async () => decision)
  const response = await app.inject(post('/v1/decide', { dialogue, speaker: 'Ana', model: 'small' }))
  t.equal(response.statusCode, 200)
  t.same(response.json(), decision)
  t.equal(calls.length, 1)
  t.equal(calls[0]?.method, 'decide')
  t.same(calls[0]?.input, { dialogue, speaker: 'Ana', model: 'small' }, 'mode is not passed on to the core')
  t.equal(calls[0]?.context.requestId, response.headers['x-request-id'])
  t.equal(calls[0]?.context.timing.upstreamSeconds, 0)
  t.ok(calls[0]!.context.deadline > Date.now(), 'the deadline is in the future')
  t.match(response.headers['x-driber-overhead-ms'], /^\d+(\.\d+)?$/)
})

t.test('mode "rank" calls rank; other endpoints call their own core method', async (t) => {
  const rankResult = {
    candidates: [{ turn: 1, utterance: 'Did you see anything cool?', speaker: 'Ben', confidence: 0.6, rationale: 'asks to see' }],
    model: 'model-a',
    attempts: [],
    usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
  }
  const results: Record<string, unknown> = {
    rank: rankResult,
    describe: { descriptions: [{ text: 'An image of a beach', salient: ['beach'] }], model: 'model-a', attempts: [], usage: rankResult.usage },
    retrieve: { results: [{ id: 'x', url: 'https://example.org/x.jpg', caption: 'beach', score: 0.9 }], index: 'photochat' },
    share: {
      decision,
      descriptions: [{ text: 'An image of a beach', salient: ['beach'] }],
      results: [],
      usage: { input_tokens: 11, output_tokens: 6, total_tokens: 17 },
      describe: { model: 'model-b', attempts: [{ model: 'model-b', outcome: 'ok', duration_ms: 4 }], usage: rankResult.usage },
    },
  }
  const { app, calls } = await build(t, async (call) => results[call.method])
  const cases: Array<[string, unknown, string]> = [
    ['/v1/decide', { dialogue, mode: 'rank' }, 'rank'],
    ['/v1/describe', { dialogue, restrictions: ['prefix', 'concise'], n: 1 }, 'describe'],
    ['/v1/retrieve', { descriptions: ['a beach'], k: 3, index: 'photochat' }, 'retrieve'],
    ['/v1/share', { dialogue, k: 2 }, 'share'],
  ]
  for (const [url, body, method] of cases) {
    const response = await app.inject(post(url, body))
    t.equal(response.statusCode, 200, url)
    t.same(response.json(), results[method], `${url} answers what the core returned`)
    t.equal(calls.at(-1)?.method, method, `${url} calls core.${method}`)
  }
  const models = await app.inject({ method: 'GET', url: '/v1/models' })
  t.equal(models.statusCode, 200)
  t.same(models.json().routes, { decide: ['model-a'] })
})

t.test('fields the contract does not name never leave the service', async (t) => {
  const { app } = await build(t, async () => ({ ...decision, internal_note: 'do not leak', trigger: null }))
  const response = await app.inject(post('/v1/decide', { dialogue }))
  // A result that breaks the response contract is an internal error, not a leak.
  t.equal(response.statusCode, 500)
  t.notMatch(response.body, /do not leak/)
})

t.test('bad input is a 400 with a stable code and the core is never called', async (t) => {
  const { app, calls } = await build(t, async () => decision)
  const cases: Array<[string, ReturnType<typeof post>, number, string, string?]> = [
    ['invalid JSON', post('/v1/decide', '{"dialogue": [', { 'content-type': 'application/json' }), 400, 'DRIBER_INVALID_JSON'],
    ['empty JSON body', post('/v1/decide', '', { 'content-type': 'application/json' }), 400, 'DRIBER_INVALID_JSON'],
    ['no body', { method: 'POST', url: '/v1/decide', payload: undefined as unknown as string, headers: {} }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['wrong type', post('/v1/decide', { dialogue: [{ speaker: 'Ana', text: 5 }] }), 400, 'DRIBER_INVALID_ARGUMENT', 'dialogue[0].text'],
    ['number as string is not coerced', post('/v1/retrieve', { descriptions: ['x'], k: '3' }), 400, 'DRIBER_INVALID_ARGUMENT', 'k'],
    ['unknown top-level field', post('/v1/decide', { dialogue, temperature: 2 }), 400, 'DRIBER_INVALID_ARGUMENT', 'temperature'],
    ['unknown turn field', post('/v1/describe', { dialogue: [{ speaker: 'A', text: 'x', role: 'system' }] }), 400, 'DRIBER_INVALID_ARGUMENT', 'dialogue[0].role'],
    ['empty dialogue', post('/v1/decide', { dialogue: [] }), 400, 'DRIBER_INVALID_ARGUMENT', 'dialogue'],
    ['missing dialogue', post('/v1/share', { speaker: 'Ana' }), 400, 'DRIBER_INVALID_ARGUMENT', 'dialogue'],
    ['unknown mode', post('/v1/decide', { dialogue, mode: 'maybe' }), 400, 'DRIBER_INVALID_ARGUMENT', 'mode'],
    ['unknown restriction', post('/v1/describe', { dialogue, restrictions: ['funny'] }), 400, 'DRIBER_INVALID_ARGUMENT', 'restrictions[0]'],
    ['k below 1', post('/v1/retrieve', { descriptions: ['x'], k: 0 }), 400, 'DRIBER_INVALID_ARGUMENT', 'k'],
    ['no descriptions', post('/v1/retrieve', { descriptions: [] }), 400, 'DRIBER_INVALID_ARGUMENT', 'descriptions'],
    ['array body', post('/v1/decide', [dialogue]), 400, 'DRIBER_INVALID_ARGUMENT'],
    ['text/plain body', post('/v1/decide', JSON.stringify({ dialogue }), { 'content-type': 'text/plain' }), 415, 'DRIBER_UNSUPPORTED_MEDIA_TYPE'],
    ['form body', post('/v1/decide', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'DRIBER_UNSUPPORTED_MEDIA_TYPE'],
    ['body over the limit', post('/v1/decide', { dialogue: [{ speaker: 'Ana', text: 'x'.repeat(5000) }] }), 413, 'DRIBER_PAYLOAD_TOO_LARGE'],
    ['prototype pollution', post('/v1/decide', '{"dialogue":[{"speaker":"A","text":"x"}],"__proto__":{"admin":true}}', { 'content-type': 'application/json' }), 400, 'DRIBER_INVALID_JSON'],
  ]
  for (const [name, request, status, code, field] of cases) {
    const response = await app.inject(request)
    t.equal(response.statusCode, status, `${name}: status`)
    const body = response.json()
    t.equal(body.error.code, code, `${name}: code`)
    t.type(body.error.message, 'string')
    if (field !== undefined) t.equal(body.error.details?.field, field, `${name}: names the field`)
    t.notMatch(response.body, /at .*\.(js|ts):\d+/, `${name}: no stack trace`)
  }
  t.equal(calls.length, 0, 'the core saw none of them')
})

t.test('catalog errors keep their status, code and details; Retry-After is whole seconds, rounded up', async (t) => {
  const errors: Record<string, DriberError> = {
    rateLimited: new DriberError('UPSTREAM_RATE_LIMITED', { retryAfterMs: 1200 }),
    unavailable: new DriberError('UPSTREAM_UNAVAILABLE', { retryAfterMs: 3000 }),
    overloaded: new DriberError('OVERLOADED', { retryAfterMs: 10 }),
    parse: new DriberError('PARSE_FAILURE', { details: { attempts: [{ model: 'm', outcome: 'parse_failure', reason: 'truncated', duration_ms: 3 }] } }),
    unknownModel: new DriberError('UNKNOWN_MODEL', { details: { requested: 'gpt-9', models: ['model-a'] } }),
    tooLong: new DriberError('DIALOGUE_TOO_LONG', { details: { field: 'dialogue', reason: 'too many turns', limit: 64 } }),
    timeout: new DriberError('UPSTREAM_TIMEOUT'),
  }
  const { app } = await build(t, async (call) => {
    throw errors[(call.input as { model: string }).model]
  })
  const expectations: Array<[string, number, string, string | undefined]> = [
    ['rateLimited', 429, 'DRIBER_UPSTREAM_RATE_LIMITED', '2'],
    ['unavailable', 503, 'DRIBER_UPSTREAM_UNAVAILABLE', '3'],
    ['overloaded', 429, 'DRIBER_OVERLOADED', '1'],
    ['parse', 502, 'DRIBER_PARSE_FAILURE', undefined],
    ['unknownModel', 404, 'DRIBER_UNKNOWN_MODEL', undefined],
    ['tooLong', 400, 'DRIBER_DIALOGUE_TOO_LONG', undefined],
    ['timeout', 504, 'DRIBER_UPSTREAM_TIMEOUT', undefined],
  ]
  for (const [model, status, code, retryAfter] of expectations) {
    const response = await app.inject(post('/v1/decide', { dialogue, model }))
    t.equal(response.statusCode, status, model)
    t.equal(response.json().error.code, code, model)
    t.equal(response.headers['retry-after'], retryAfter, `${model}: Retry-After`)
    t.same(response.json().error.details, errors[model]?.details, `${model}: details`)
  }
})

t.test('an unexpected error is a 500 DRIBER_INTERNAL that says nothing of its cause', async (t) => {
  const { app } = await build(t, async () => {
    throw new TypeError('cannot read secret_table of undefined')
  })
  const response = await app.inject(post('/v1/describe', { dialogue }))
  t.equal(response.statusCode, 500)
  t.same(response.json(), { error: { code: 'DRIBER_INTERNAL', message: 'Internal error' } })
})

t.test('unknown paths are 404 DRIBER_ROUTE_NOT_FOUND; a known path with another method is 405 with Allow', async (t) => {
  const { app } = await build(t, async () => decision)
  const missing = await app.inject({ method: 'GET', url: '/v2/decide' })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().error.code, 'DRIBER_ROUTE_NOT_FOUND')
  const wrongMethod = await app.inject({ method: 'GET', url: '/v1/decide' })
  t.equal(wrongMethod.statusCode, 405)
  t.equal(wrongMethod.json().error.code, 'DRIBER_METHOD_NOT_ALLOWED')
  t.equal(wrongMethod.headers.allow, 'POST')
})

t.test('request ids: a clean client id is echoed and used; a bad one is replaced', async (t) => {
  const { app, calls } = await build(t, async () => decision)
  const echoed = await app.inject(post('/v1/decide', { dialogue }, { 'x-request-id': 'client-id_42.x' }))
  t.equal(echoed.headers['x-request-id'], 'client-id_42.x')
  t.equal(calls[0]?.context.requestId, 'client-id_42.x')
  for (const bad of ['has spaces in it', 'x'.repeat(129), 'tab\there', 'ünicode']) {
    const response = await app.inject(post('/v1/decide', { dialogue }, { 'x-request-id': bad }))
    t.not(response.headers['x-request-id'], bad)
    t.match(response.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'a generated UUID instead')
  }
  const generated = await app.inject({ method: 'GET', url: '/healthz' })
  t.match(generated.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'every response carries an id')
  const failed = await app.inject(post('/v1/decide', 'nope', { 'content-type': 'application/json', 'x-request-id': 'failing-1' }))
  t.equal(failed.headers['x-request-id'], 'failing-1', 'errors carry the id too')
})

t.test('x-request-timeout-ms shortens the deadline; when it passes the client gets 504 and the core sees DEADLINE_EXCEEDED', async (t) => {
  const { app, calls } = await build(t, waitForAbort, { config: { deadlines: { defaultRequestMs: 60_000 } } })
  const response = await app.inject(post('/v1/decide', { dialogue }, { 'x-request-timeout-ms': '50' }))
  t.equal(response.statusCode, 504)
  t.equal(response.json().error.code, 'DRIBER_DEADLINE_EXCEEDED')
  const context = calls[0]!.context
  t.ok(context.signal.aborted)
  t.equal((context.signal.reason as DriberError).kind, 'DEADLINE_EXCEEDED')
  t.ok(context.deadline - calls[0]!.calledAt <= 50, 'the deadline came from the header, not the 60 s default')
})

t.test('a deadline longer than the configured one is cut to the configured one', async (t) => {
  const { app, calls } = await build(t, async () => decision, { config: { deadlines: { defaultRequestMs: 2_000 } } })
  await app.inject(post('/v1/decide', { dialogue }, { 'x-request-timeout-ms': '600000' }))
  const budget = calls[0]!.context.deadline - calls[0]!.calledAt
  t.ok(budget <= 2_000, `the configured 2 s, not the header's 10 min (got ${budget} ms)`)
})

t.test('a malformed x-request-timeout-ms is a 400 naming the header', async (t) => {
  const { app, calls } = await build(t, async () => decision)
  for (const value of ['soon', '-5', '0', '1.5']) {
    const response = await app.inject(post('/v1/decide', { dialogue }, { 'x-request-timeout-ms': value }))
    t.equal(response.statusCode, 400, value)
    t.equal(response.json().error.details.field, 'x-request-timeout-ms')
  }
  t.equal(calls.length, 0)
})

t.test('a core that ignores its signal still cannot hold the client past the deadline', async (t) => {
  const { app } = await build(t, () => new Promise(() => {}))
  const response = await app.inject(post('/v1/decide', { dialogue }, { 'x-request-timeout-ms': '30' }))
  t.equal(response.statusCode, 504)
})

t.test('a client that disconnects aborts the core call with CANCELLED', async (t) => {
  let seen: Call | undefined
  const aborted = new Promise<unknown>((resolve) => {
    void build(t, (call) => {
      seen = call
      call.context.signal.addEventListener('abort', () => resolve(call.context.signal.reason))
      return waitForAbort(call)
    }).then(async ({ app }) => {
      await app.listen({ host: '127.0.0.1', port: 0 })
      const { port } = app.server.address() as AddressInfo
      const body = JSON.stringify({ dialogue })
      const request = httpRequest({ host: '127.0.0.1', port, path: '/v1/decide', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } })
      request.on('error', () => {})
      request.end(body)
      // Once the core holds the call, the client goes away.
      while (seen === undefined) await new Promise((resolve) => setTimeout(resolve, 5))
      request.destroy()
    })
  })
  const reason = (await aborted) as DriberError
  t.equal(reason.kind, 'CANCELLED')
})

t.test('after a normal answer the request signal is never aborted (no late timers)', async (t) => {
  const { app, calls } = await build(t, async () => decision)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const response = await fetch(`http://127.0.0.1:${port}/v1/decide`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-timeout-ms': '1000' },
    body: JSON.stringify({ dialogue }),
  })
  t.equal(response.status, 200)
  await response.arrayBuffer()
  // Past the deadline: a timer left running would have aborted the signal by now.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, calls[0]!.context.deadline - Date.now()) + 50))
  t.equal(calls[0]?.context.signal.aborted, false, 'the deadline timer was cleared when the response ended')
})

t.test('readiness: /readyz is 200 when ready and 503 with the report otherwise; /healthz is always 200', async (t) => {
  let report: ReadinessResponse = { status: 'ready', registry: true, draining: false, indexes: [{ name: 'photochat', ready: true, size: 3 }], models: [{ model: 'model-a', state: 'closed' }] }
  const { app } = await build(t, async () => decision, { readiness: () => report })
  const ready = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), report)
  report = { ...report, status: 'not_ready', indexes: [{ name: 'photochat', ready: false, size: 0, error: 'file missing' }], models: [{ model: 'model-a', state: 'open' }] }
  const notReady = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(notReady.statusCode, 503)
  t.same(notReady.json(), report)
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
})

t.test('while draining, new work is refused with 503 DRIBER_SHUTTING_DOWN but probes still answer', async (t) => {
  let draining = false
  const { app, calls } = await build(t, async () => decision, { draining: () => draining })
  t.equal((await app.inject(post('/v1/decide', { dialogue }))).statusCode, 200)
  draining = true
  const refused = await app.inject(post('/v1/decide', { dialogue }))
  t.equal(refused.statusCode, 503)
  t.equal(refused.json().error.code, 'DRIBER_SHUTTING_DOWN')
  t.ok(refused.headers['retry-after'])
  t.equal(refused.headers.connection, 'close')
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
  t.equal(calls.length, 1)
})

t.test('/docs serves Swagger UI and the spec lists every endpoint with the shared error body', async (t) => {
  const { app } = await build(t, async () => decision)
  const docs = await app.inject({ method: 'GET', url: '/docs/' })
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-type'], /html/)
  const spec = await app.inject({ method: 'GET', url: '/docs/json' })
  const document = spec.json()
  t.same(Object.keys(document.paths).sort(), ['/healthz', '/readyz', '/v1/decide', '/v1/describe', '/v1/images/{index}/{id}', '/v1/models', '/v1/retrieve', '/v1/share'])
  t.same(document.paths['/v1/decide'].post.responses['429'].content['application/json'].schema, { $ref: '#/components/schemas/ErrorBody' })
})

t.test('docs can be turned off', async (t) => {
  const { app } = await build(t, async () => decision, { config: { http: { docs: false } } })
  t.equal((await app.inject({ method: 'GET', url: '/docs/' })).statusCode, 404)
})

t.test('the response socket closing normally does not count as a cancel', async (t) => {
  const { app, calls } = await build(t, async () => decision)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const request = httpRequest({ host: '127.0.0.1', port, path: '/v1/decide', method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' } })
  request.end(JSON.stringify({ dialogue }))
  const [response] = (await once(request, 'response')) as [import('node:http').IncomingMessage]
  response.resume()
  await once(response, 'end')
  t.equal(response.statusCode, 200)
  t.equal(calls[0]?.context.signal.aborted, false)
})

t.test('plain HTTP sent to the HTTPS port leaves a clear warn line naming the mistake', { skip: opensslMissing() }, async (t) => {
  const certificate = makeSelfSignedCertificate()
  t.teardown(certificate.remove)
  const lines: Array<Record<string, unknown>> = []
  const logger = pino({ level: 'debug' }, new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>)
      callback()
    },
  }))
  const { core } = scriptedCore(async () => decision)
  const app = await createHttpApp({
    config: testConfig(),
    core,
    logger,
    readiness: () => ({ status: 'ready', registry: true, draining: false, indexes: [], models: [] }),
    draining: () => false,
    tls: loadTlsMaterial({ certPath: certificate.certPath, keyPath: certificate.keyPath, requireClientCert: false }),
  })
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  const socket = connect((app.server.address() as AddressInfo).port, '127.0.0.1')
  socket.on('error', () => {})
  socket.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n')
  await once(socket, 'close')
  while (!lines.some((line) => line.msg?.toString().startsWith('plaintext sent to the HTTPS port'))) await new Promise((resolve) => setTimeout(resolve, 10))
  const line = lines.find((candidate) => candidate.msg?.toString().startsWith('plaintext sent to the HTTPS port'))
  t.match(line, { level: 40, remoteAddress: '127.0.0.1' })
})
