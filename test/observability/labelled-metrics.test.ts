import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import t from 'tap'
import { LabelledCounter, LabelledGauge, LabelledHistogram } from '../../src/observability/labelled-metrics.js'

/** JSON with keys sorted at every level, so key order does not matter. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([left], [right]) => left.localeCompare(right)))
      : item,
  )

/** The exposition of one registry, trimmed. */
const exposition = async (registry: Registry): Promise<string> => (await registry.metrics()).trim()

t.test('the exposition is exactly what prom-client prints for the same samples', async (t) => {
  const ours = new Registry()
  const theirs = new Registry()
  const buckets = [0.01, 0.1, 1, 10]
  const histogram = new LabelledHistogram({ name: 'op_seconds', help: 'h', labelNames: ['model', 'outcome'], buckets, registry: ours })
  const reference = new Histogram({ name: 'op_seconds', help: 'h', labelNames: ['model', 'outcome'], buckets, registers: [theirs] })
  const counter = new LabelledCounter({ name: 'failures_total', help: 'c', labelNames: ['reason'], registry: ours })
  const referenceCounter = new Counter({ name: 'failures_total', help: 'c', labelNames: ['reason'], registers: [theirs] })
  const gauge = new LabelledGauge({ name: 'in_flight', help: 'g', labelNames: ['transport'], registry: ours })
  const referenceGauge = new Gauge({ name: 'in_flight', help: 'g', labelNames: ['transport'], registers: [theirs] })

  const fast = histogram.child(['model-a', 'ok'])
  const slow = histogram.child(['model-b', 'error'])
  for (const value of [0.005, 0.01, 0.05, 0.5, 5, 50]) {
    fast.observe(value)
    reference.observe({ model: 'model-a', outcome: 'ok' }, value)
  }
  slow.observe(2)
  reference.observe({ model: 'model-b', outcome: 'error' }, 2)
  counter.child(['empty']).inc()
  counter.child(['truncated']).inc(2)
  referenceCounter.inc({ reason: 'empty' })
  referenceCounter.inc({ reason: 'truncated' }, 2)
  const http = gauge.child(['http'])
  http.inc()
  http.inc()
  http.dec()
  referenceGauge.set({ transport: 'http' }, 1)

  t.equal(await exposition(ours), await exposition(theirs))
  t.equal(canonical(await ours.getMetricsAsJSON()), canonical(await theirs.getMetricsAsJSON()), 'the JSON form (what the cluster aggregator reads) matches too')
})

t.test('children exist at zero once made; bad samples are dropped, never thrown', async (t) => {
  const registry = new Registry()
  const histogram = new LabelledHistogram({ name: 'x_seconds', help: 'h', labelNames: ['stage'], buckets: [1, 0.1], registry })
  const counter = new LabelledCounter({ name: 'y_total', help: 'c', labelNames: ['stage'], registry })
  const child = histogram.child(['decide'])
  counter.child(['decide'])
  let text = await registry.metrics()
  t.match(text, /x_seconds_count\{stage="decide"\} 0/)
  t.match(text, /y_total\{stage="decide"\} 0/)
  t.match(text, /x_seconds_bucket\{le="0.1",stage="decide"\} 0\nx_seconds_bucket\{le="1",stage="decide"\} 0/, 'buckets sorted whatever order they were given in')

  t.doesNotThrow(() => child.observe(Number.NaN))
  t.doesNotThrow(() => child.observe(Number.POSITIVE_INFINITY))
  t.doesNotThrow(() => counter.child(['rank']).inc(-1))
  text = await registry.metrics()
  t.match(text, /x_seconds_count\{stage="decide"\} 0/)
  t.match(text, /x_seconds_sum\{stage="decide"\} 0/)
  t.match(text, /y_total\{stage="rank"\} 0/, 'counters never go down')

  child.observe(0.5)
  t.match(await registry.metrics(), /x_seconds_bucket\{le="0.1",stage="decide"\} 0\nx_seconds_bucket\{le="1",stage="decide"\} 1/)
  registry.resetMetrics()
  t.match(await registry.metrics(), /x_seconds_count\{stage="decide"\} 0/, 'resetMetrics zeroes them')
  t.ok(registry.getSingleMetric('x_seconds') instanceof LabelledHistogram, 'found like any registered metric')
})
