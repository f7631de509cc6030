import Fastify from 'fastify'
import t from 'tap'
import { httpMetricsPlugin } from '../../src/observability/http-metrics-plugin.js'
import { createMetrics } from '../../src/observability/metrics.js'

const build = async (t: Pick<typeof import('tap').default, 'teardown'>, exposeEndpoint = true) => {
  const metrics = createMetrics({ collectDefault: false })
  const app = Fastify()
  await app.register(httpMetricsPlugin, { metrics, exposeEndpoint, overheadMs: () => 1.5 })
  app.get('/v1/items/:id', async () => ({ ok: true }))
  app.post('/v1/fail', async (_request, reply) => reply.code(503).send({ error: 'down' }))
  t.teardown(() => app.close())
  return { app, metrics }
}

t.test('requests are labelled by route template and status, never by raw URL', async (t) => {
  const { app, metrics } = await build(t)
  await app.inject({ method: 'GET', url: '/v1/items/alice-secret-id' })
  await app.inject({ method: 'GET', url: '/v1/items/bob?x=1' })
  await app.inject({ method: 'POST', url: '/v1/fail' })
  await app.inject({ method: 'GET', url: '/no/such/route' })
  const text = await metrics.render()
  t.match(text, /http_server_request_duration_seconds_count\{http_request_method="GET",http_route="\/v1\/items\/:id",http_response_status_code="200"\} 2/)
  t.match(text, /http_server_request_duration_seconds_count\{http_request_method="POST",http_route="\/v1\/fail",http_response_status_code="503"\} 1/)
  t.match(text, /http_server_request_duration_seconds_count\{http_request_method="GET",http_route="",http_response_status_code="404"\} 1/)
  t.notMatch(text, /alice-secret-id|bob|no\/such/, 'raw paths never become labels')
  t.match(text, /driber_overhead_seconds_count\{transport="http"\} 4/)
  t.match(text, /driber_overhead_seconds_sum\{transport="http"\} 0.006/)
  t.match(text, /driber_requests_in_flight\{transport="http"\} 0/, 'the gauge returns to zero')
})

t.test('GET /metrics serves the exposition with the Prometheus content type and is not counted', async (t) => {
  const { app } = await build(t)
  await app.inject({ method: 'GET', url: '/v1/items/1' })
  const first = await app.inject({ method: 'GET', url: '/metrics' })
  const second = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(first.statusCode, 200)
  t.equal(first.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
  t.match(second.body, /# TYPE http_server_request_duration_seconds histogram/)
  t.notMatch(second.body, /http_route="\/metrics"/, 'scrapes do not count as traffic')
})

t.test('the endpoint can be left to a separate metrics port', async (t) => {
  const { app } = await build(t, false)
  const response = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(response.statusCode, 404)
})

t.test('a client that goes away mid-request is counted once as 499 and leaves the in-flight gauge at zero', async (t) => {
  const metrics = createMetrics({ collectDefault: false })
  const app = Fastify()
  await app.register(httpMetricsPlugin, { metrics })
  let release: () => void = () => {}
  let started: () => void = () => {}
  const handlerStarted = new Promise<void>((resolve) => {
    started = resolve
  })
  app.get('/slow', async () => {
    started()
    await new Promise<void>((resolve) => {
      release = resolve
    })
    return { ok: true }
  })
  t.teardown(() => app.close())
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const controller = new AbortController()
  const request = fetch(`${address}/slow`, { signal: controller.signal }).catch(() => undefined)
  await handlerStarted
  t.match(await metrics.render(), /driber_requests_in_flight\{transport="http"\} 1/)
  controller.abort()
  await request
  // Wait for the server side to see the socket close.
  for (let i = 0; i < 100 && !/driber_requests_in_flight\{transport="http"\} 0/.test(await metrics.render()); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  release()
  await new Promise((resolve) => setTimeout(resolve, 20))
  const text = await metrics.render()
  t.match(text, /driber_requests_in_flight\{transport="http"\} 0/)
  t.match(text, /http_server_request_duration_seconds_count\{http_request_method="GET",http_route="\/slow",http_response_status_code="499"\} 1/)
  t.notMatch(text, /http_route="\/slow",http_response_status_code="200"/)
})
