/** `buildApp` composes without listening, reports readiness, refuses bad start-up input, and drains on close. */
import pino from 'pino'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { DriberError } from '../src/errors.js'
import { startFakeUpstream } from './support/fake-upstream.js'
import { beachDialogue, buildTestApp, testAppConfig, testRegistry } from './helper.js'

t.test('buildApp composes everything and never listens', async (t) => {
  const { app } = await buildTestApp(t, { listen: false })
  t.equal(app.http.server.listening, false)
  t.ok(app.core)
  t.same(app.indexes.names(), ['test'])
  t.same(
    app.registry.list().models.map((model) => model.id),
    ['model-a', 'model-b'],
  )
  const response = await app.http.inject({ method: 'POST', url: '/v1/decide', payload: { dialogue: beachDialogue } })
  t.equal(response.statusCode, 200, 'inject reaches the whole stack without a socket')
})

t.test('readiness: false before ready(), true after, false again once serving stops', async (t) => {
  const upstream = await startFakeUpstream()
  t.teardown(() => upstream.close())
  const app = await buildApp(testAppConfig(), { logger: pino({ level: 'silent' }), registry: testRegistry(upstream.baseUrl) })
  t.teardown(() => app.close({ drainMs: 0 }))
  t.equal(app.readiness().status, 'not_ready', 'not before start-up completes')
  t.equal((await app.http.inject({ method: 'GET', url: '/readyz' })).statusCode, 503)
  await app.ready()
  t.equal(app.readiness().status, 'ready')
  t.equal((await app.http.inject({ method: 'GET', url: '/readyz' })).statusCode, 200)
  app.setServing(false)
  const report = await app.http.inject({ method: 'GET', url: '/readyz' })
  t.equal(report.statusCode, 503)
  t.equal(report.json().status, 'not_ready')
  t.equal((await app.http.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'liveness is unaffected')
})

t.test('an index that fails to load is reported by /readyz, and the rest of the service still works', async (t) => {
  const { app, get, post } = await buildTestApp(t, {
    config: { retrieval: { defaultIndex: 'broken', indexes: [{ name: 'broken', path: 'test/fixtures/does-not-exist.jsonl', embedder: 'fake-embed', backend: 'memory' }] } },
  })
  const ready = await get('/readyz')
  t.equal(ready.status, 503)
  t.match(ready.body.indexes, [{ name: 'broken', ready: false }])
  t.type(ready.body.indexes[0].error, 'string')
  t.equal(app.readiness().status, 'not_ready')
  t.equal((await post('/v1/decide', { dialogue: beachDialogue })).status, 200, 'Decide does not need the index')
  const retrieve = await post('/v1/retrieve', { descriptions: ['a dog'] })
  t.equal(retrieve.status, 503)
  t.equal(retrieve.body.error.code, 'DRIBER_INDEX_UNAVAILABLE')
})

t.test('a bad registry fails start-up with DRIBER_REGISTRY_INVALID naming the problems', async (t) => {
  const registry = testRegistry('http://127.0.0.1:9/v1')
  const broken = { ...registry, routes: { decide: ['no-such-model'], describe: ['model-a'] } }
  const error = await buildApp(testAppConfig(), { logger: pino({ level: 'silent' }), registry: broken }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  t.ok(error instanceof DriberError)
  t.equal((error as DriberError).code, 'DRIBER_REGISTRY_INVALID')
  t.match(JSON.stringify((error as DriberError).details), /no-such-model/)
})

t.test('a registry naming an unset key variable fails start-up naming the variable, never a value', async (t) => {
  const registry = testRegistry('http://127.0.0.1:9/v1')
  registry.models[0]!.api_key_env = 'DRIBER_TEST_UNSET_KEY'
  const error = (await buildApp(testAppConfig(), { logger: pino({ level: 'silent' }), registry }).catch((thrown: unknown) => thrown)) as DriberError
  t.equal(error.code, 'DRIBER_REGISTRY_INVALID')
  t.match(JSON.stringify(error.details) + error.message, /DRIBER_TEST_UNSET_KEY/)
})

t.test('close() lets in-flight requests finish, refuses new ones meanwhile, then stops', async (t) => {
  const { app, url, upstream, post } = await buildTestApp(t)
  upstream.script({ kind: 'default', delayMs: 300 })
  const before = upstream.requestCount
  const inFlight = post('/v1/decide', { dialogue: beachDialogue })
  await upstream.waitForRequests(before + 1)
  const closing = app.close({ drainMs: 5_000 })
  t.equal(app.readiness().status, 'not_ready', 'readiness drops at once')
  const refused = await app.http.inject({ method: 'POST', url: '/v1/decide', payload: { dialogue: beachDialogue } })
  t.equal(refused.statusCode, 503, 'a new request meanwhile is refused')
  t.equal(refused.json().error.code, 'DRIBER_SHUTTING_DOWN')
  const answered = await inFlight
  t.equal(answered.status, 200, 'the request in flight got its answer')
  await closing
  await t.rejects(fetch(`${url}/healthz`), 'nothing listens any more')
})

t.test('close() cuts what is left when the drain time is up', async (t) => {
  const { app, upstream, post } = await buildTestApp(t)
  upstream.setResponder(() => ({ kind: 'hang' }))
  const before = upstream.requestCount
  const inFlight = post('/v1/decide', { dialogue: beachDialogue }).then(
    (response) => response.status,
    () => 'connection closed',
  )
  await upstream.waitForRequests(before + 1)
  await app.close({ drainMs: 50 })
  t.equal(await inFlight, 'connection closed')
})
