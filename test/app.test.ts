/** `buildApp` composes without listening, reports readiness, refuses bad start-up input, and drains on close. */
import pino from 'pino'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { DriberError } from '../src/errors.js'
import type { ProviderFactory } from '../src/providers/provider-factory.js'
import type { RegistryData } from '../src/registry/registry-schema.js'
import { startFakeUpstream } from './support/fake-upstream.js'
import { HashingEmbedder } from './support/hashing-embedder.js'
import { TEST_GALLERY, beachDialogue, buildTestApp, testAppConfig, testRegistry } from './helper.js'

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

t.test('an index on the embedded tier loads on first use while no model uses the tier, at start once one does', async (t) => {
  // The embedded provider replaced by a counting hashing embedder: the policy looks at the registry's provider names.
  const embedderFor = new Map<string, HashingEmbedder>()
  const embedded: ProviderFactory = {
    name: 'embedded',
    createChatModel: () => {
      throw new Error('not used: no stage runs here')
    },
    createEmbeddingModel: (entry) => {
      const embedder = new HashingEmbedder({ id: entry.id, dimension: 100 })
      embedderFor.set(entry.id, embedder)
      return embedder
    },
  }
  const remoteOnly = testRegistry('http://127.0.0.1:9/v1')
  remoteOnly.embedders.push({ id: 'lite-embed', provider: 'embedded', dimension: 100, modalities: ['text'] } as RegistryData['embedders'][number])
  const config = testAppConfig({ retrieval: { defaultIndex: 'photos', indexes: [{ name: 'photos', path: TEST_GALLERY, embedder: 'lite-embed', backend: 'memory' }] } })

  const lazy = await buildApp(config, { logger: pino({ level: 'silent' }), registry: remoteOnly, providers: { embedded } })
  t.teardown(() => lazy.close({ drainMs: 0 }))
  await lazy.ready()
  t.equal(embedderFor.get('lite-embed')?.calls.length ?? 0, 0, 'nothing embedded at start')
  t.match(lazy.readiness(), { status: 'ready', indexes: [{ name: 'photos', ready: true, size: 0, loaded: false }] })
  const retrieve = await lazy.http.inject({ method: 'POST', url: '/v1/retrieve', payload: { descriptions: ['a dog on the beach'], k: 1 } })
  t.equal(retrieve.statusCode, 200, 'the first search loads the index and answers')
  t.equal(retrieve.json().results.length, 1)
  t.notOk('loaded' in (lazy.readiness().indexes[0] ?? {}), 'loaded from then on')

  const withEmbeddedModel = testRegistry('http://127.0.0.1:9/v1')
  withEmbeddedModel.embedders.push({ id: 'lite-embed', provider: 'embedded', dimension: 100, modalities: ['text'] } as RegistryData['embedders'][number])
  withEmbeddedModel.models.push({ ...withEmbeddedModel.models[1], id: 'lite', provider: 'embedded', base_url: undefined, api_key_env: undefined } as RegistryData['models'][number])
  const eager = await buildApp(config, { logger: pino({ level: 'silent' }), registry: withEmbeddedModel, providers: { embedded } })
  t.teardown(() => eager.close({ drainMs: 0 }))
  t.ok((embedderFor.get('lite-embed')?.calls.length ?? 0) > 0, 'captions embedded at start')
  t.notOk('loaded' in (eager.readiness().indexes[0] ?? {}))
  t.ok((eager.readiness().indexes[0]?.size ?? 0) > 0)

  const forced = await buildApp(testAppConfig({ retrieval: { defaultIndex: 'photos', indexes: [{ name: 'photos', path: TEST_GALLERY, embedder: 'lite-embed', backend: 'memory', load: 'start' }] } }), {
    logger: pino({ level: 'silent' }),
    registry: remoteOnly,
    providers: { embedded },
  })
  t.teardown(() => forced.close({ drainMs: 0 }))
  t.ok((forced.readiness().indexes[0]?.size ?? 0) > 0, 'load: start overrides the default')
})
