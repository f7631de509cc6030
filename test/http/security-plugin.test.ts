import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { hashApiKey } from '../../src/auth/api-key-hash.js'
import { createCallAdmission } from '../../src/auth/call-admission.js'
import { createSecurity, type Security } from '../../src/auth/security.js'
import { testConfig, type ConfigData, type DeepPartial } from '../../src/config.js'
import { registerErrorHandling } from '../../src/http/error-handler.js'
import { pressureCheckOf, securityPlugin, startupGrace } from '../../src/http/security-plugin.js'

const key = 'drb_http-test-key-0123456789abcdef'

const build = async (t: Test, overrides: DeepPartial<ConfigData>): Promise<{ app: FastifyInstance; security: Security }> => {
  const config = testConfig(overrides)
  const security = createSecurity(config)
  const app = Fastify()
  registerErrorHandling(app)
  await app.register(securityPlugin, { config, security })
  let calls = 0
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.post('/v1/decide', async (request) => ({ calls: ++calls, key: request.identity?.keyId ?? null }))
  await app.ready()
  t.teardown(() => app.close())
  return { app, security }
}

t.test('auth: missing or wrong keys are 401 with WWW-Authenticate; health is open; the key id reaches the handler', async (t) => {
  const { app } = await build(t, { auth: { keys: [{ id: 'alpha', hash: hashApiKey(key) }] }, pressure: { enabled: false } })
  for (const authorization of [undefined, 'Bearer wrong-key', `Basic ${Buffer.from(`u:${key}`).toString('base64')}`, key]) {
    const response = await app.inject({ method: 'POST', url: '/v1/decide', payload: {}, headers: authorization === undefined ? {} : { authorization } })
    t.equal(response.statusCode, 401, String(authorization))
    t.equal(response.headers['www-authenticate'], 'Bearer realm="driber"')
    t.same(response.json(), { error: { code: 'DRIBER_UNAUTHENTICATED', message: 'A valid API key is required' } })
    t.notMatch(response.body, /at .*\.ts/, 'no stack trace')
  }
  const unknownRoute = await app.inject({ method: 'GET', url: '/v1/secret-admin' })
  t.equal(unknownRoute.statusCode, 401, 'unknown routes are not revealed to unauthenticated callers')
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
  const ok = await app.inject({ method: 'POST', url: '/v1/decide', payload: {}, headers: { authorization: `Bearer ${key}` } })
  t.equal(ok.statusCode, 200)
  t.same(ok.json(), { calls: 1, key: 'alpha' })
})

t.test('auth off on loopback without keys: calls pass', async (t) => {
  const { app } = await build(t, { pressure: { enabled: false } })
  t.equal((await app.inject({ method: 'POST', url: '/v1/decide', payload: {} })).statusCode, 200)
})

t.test('rate limit by default: none without auth (an internal caller is not throttled), per key once keys are set', async (t) => {
  const open = await build(t, { pressure: { enabled: false }, rateLimit: { max: 2 } })
  t.equal(open.security.rateLimitEnabled, false)
  const statuses: number[] = []
  for (let call = 0; call < 10; call++) statuses.push((await open.app.inject({ method: 'POST', url: '/v1/decide', payload: {} })).statusCode)
  t.same(new Set(statuses), new Set([200]), 'ten calls from one address with a limit of 2: all served')
  t.notOk((await open.app.inject({ method: 'POST', url: '/v1/decide', payload: {} })).headers['x-ratelimit-limit'], 'no rate-limit headers either')

  const keyed = await build(t, { pressure: { enabled: false }, rateLimit: { max: 2 }, auth: { keys: [{ id: 'alpha', hash: hashApiKey(key) }] } })
  t.equal(keyed.security.rateLimitEnabled, true)
  const post = () => keyed.app.inject({ method: 'POST', url: '/v1/decide', payload: {}, headers: { authorization: `Bearer ${key}` } })
  t.same([(await post()).statusCode, (await post()).statusCode, (await post()).statusCode], [200, 200, 429])

  const forced = await build(t, { pressure: { enabled: false }, rateLimit: { enabled: true, max: 1 } })
  t.same([(await forced.app.inject({ method: 'POST', url: '/v1/decide', payload: {} })).statusCode, (await forced.app.inject({ method: 'POST', url: '/v1/decide', payload: {} })).statusCode], [200, 429], 'enabled: true limits by address without auth')
})

t.test('rate limit: 429 DRIBER_RATE_LIMITED with Retry-After, one allowance shared with the gRPC admission', async (t) => {
  const { app, security } = await build(t, {
    auth: { keys: [{ id: 'alpha', hash: hashApiKey(key) }] },
    rateLimit: { max: 3, windowMs: 60_000 },
    pressure: { enabled: false },
  })
  const post = () => app.inject({ method: 'POST', url: '/v1/decide', payload: {}, headers: { authorization: `Bearer ${key}` } })
  const first = await post()
  t.equal(first.statusCode, 200)
  t.equal(first.headers['x-ratelimit-limit'], '3')
  t.equal(first.headers['x-ratelimit-remaining'], '2')
  // A gRPC call by the same key draws on the same allowance.
  createCallAdmission(security)({ authorization: `Bearer ${key}`, methodPath: '/driber.v1.Driber/Decide', clientAddress: '10.9.9.9' })
  t.equal((await post()).statusCode, 200)
  const refused = await post()
  t.equal(refused.statusCode, 429)
  t.equal(refused.json().error.code, 'DRIBER_RATE_LIMITED')
  const retryAfter = Number(refused.headers['retry-after'])
  t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`)
  for (let i = 0; i < 5; i++) t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'open paths are not limited')
  const unauthenticated = await app.inject({ method: 'POST', url: '/v1/decide', payload: {} })
  t.equal(unauthenticated.statusCode, 401, 'auth is checked before the rate')
})

t.test('load shedding: 503 DRIBER_UNDER_PRESSURE with Retry-After while health answers; gRPC sees the same check', async (t) => {
  const { app } = await build(t, { pressure: { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 1, sampleIntervalMs: 10, retryAfterSeconds: 7 } })
  const check = pressureCheckOf(app)
  t.ok(check, 'the pressure check is exposed for gRPC')
  // The first sample is taken one interval after start.
  while (check?.() !== true) await new Promise((resolve) => setTimeout(resolve, 10))
  const shed = await app.inject({ method: 'POST', url: '/v1/decide', payload: {} })
  t.equal(shed.statusCode, 503)
  t.equal(shed.headers['retry-after'], '7')
  t.equal(shed.json().error.code, 'DRIBER_UNDER_PRESSURE')
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
})

t.test('load shedding: event-loop stalls from start-up do not shed the first requests; memory limits do', async (t) => {
  const grace = startupGrace(testConfig({ pressure: { sampleIntervalMs: 1000, maxHeapUsedBytes: 500 } }).pressure)
  const calm = { heapUsed: 100, rssBytes: 100 }
  t.notOk(grace.sheds('eventLoopDelay', 0), 'before ready, a slow loop is start-up work')
  t.ok(grace.sheds('heapUsedBytes', 0), 'memory pressure sheds at once')
  grace.markReady(10_000)
  t.notOk(grace.sheds('eventLoopDelay', 11_999), 'the sample taken during start-up is ignored')
  t.notOk(grace.sheds('eventLoopUtilization', 11_999))
  t.notOk(grace.shedsAny(calm, 11_999), 'gRPC: no shedding for a slow loop during the grace')
  t.ok(grace.shedsAny({ heapUsed: 501, rssBytes: 100 }, 11_999), 'gRPC: memory limits shed during the grace')
  t.ok(grace.sheds('eventLoopDelay', 12_000), 'two samples after ready, a slow loop sheds')
  t.ok(grace.shedsAny(calm, 12_000))
})

t.test('load shedding can be turned off', async (t) => {
  const { app } = await build(t, { pressure: { enabled: false } })
  t.equal(pressureCheckOf(app), undefined)
})
