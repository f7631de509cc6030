import t from 'tap'
import { createMetrics } from '../../src/observability/metrics.js'
import { startMetricsServer } from '../../src/observability/metrics-server.js'

t.test('a separate port serves /metrics and nothing else', async (t) => {
  const metrics = createMetrics({ collectDefault: false })
  metrics.countParseFailure('decide', 'model-a', 'empty')
  const server = await startMetricsServer({ metrics, host: '127.0.0.1', port: 0 })
  t.teardown(() => server.close())
  const base = `http://127.0.0.1:${server.port}`

  const response = await fetch(`${base}/metrics`)
  t.equal(response.status, 200)
  t.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8')
  t.match(await response.text(), /driber_parse_failures_total\{stage="decide",model="model-a",reason="empty"\} 1/)

  t.equal((await fetch(`${base}/v1/decide`)).status, 404)
  t.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405)
  const head = await fetch(`${base}/metrics`, { method: 'HEAD' })
  t.equal(head.status, 200)
})

t.test('a port already taken fails start-up instead of serving nothing', async (t) => {
  const metrics = createMetrics({ collectDefault: false })
  const first = await startMetricsServer({ metrics, host: '127.0.0.1', port: 0 })
  t.teardown(() => first.close())
  await t.rejects(startMetricsServer({ metrics, host: '127.0.0.1', port: first.port }), { code: 'EADDRINUSE' })
})
