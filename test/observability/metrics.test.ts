import t from 'tap'
import { register as globalRegistry, Registry } from 'prom-client'
import { createMetrics, GEN_AI_DURATION_BUCKETS, type Metrics } from '../../src/observability/metrics.js'
import { runTool, skipUnless } from '../support/prometheus-tools.js'

/** The samples of one metric whose labels include `labels`. */
const samples = async (metrics: Metrics, name: string, labels: Record<string, string> = {}) => {
  const metric = metrics.registry.getSingleMetric(name)
  if (metric === undefined) throw new Error(`metric ${name} is not registered`)
  const { values } = await metric.get()
  return values.filter((sample) => Object.entries(labels).every(([key, value]) => String(sample.labels[key]) === value))
}

const valueOf = async (metrics: Metrics, name: string, labels: Record<string, string>, metricName = name): Promise<number | undefined> =>
  (await samples(metrics, name, labels)).find((sample) => ((sample as { metricName?: string }).metricName ?? name) === metricName)?.value

t.test('metrics live in their own registry, never the global one', async (t) => {
  const first = createMetrics({ collectDefault: false })
  const second = createMetrics({ collectDefault: false })
  t.not(first.registry, second.registry, 'each app gets its own registry')
  t.equal(globalRegistry.getSingleMetric('driber_parse_failures_total'), undefined)
  first.countParseFailure('decide', 'model-a', 'invalid_json')
  t.equal(await valueOf(first, 'driber_parse_failures_total', { model: 'model-a' }), 1)
  t.equal(await valueOf(second, 'driber_parse_failures_total', { model: 'model-a' }), undefined, 'apps do not share counts')

  const given = new Registry()
  const injected = createMetrics({ registry: given, collectDefault: false })
  t.equal(injected.registry, given, 'an injected registry is used as is')
  t.ok(given.getSingleMetric('http_server_request_duration_seconds'))
})

t.test('each event lands on its metric with bounded labels', async (t) => {
  const metrics = createMetrics({ collectDefault: false })
  metrics.observeHttp('POST', '/v1/decide', 200, 0.25)
  metrics.observeHttp('POST', '/v1/decide', 200, 0.5)
  metrics.observeHttp('BREW', '/v1/decide', 400, 0.001)
  t.equal(
    await valueOf(metrics, 'http_server_request_duration_seconds', { http_request_method: 'POST', http_route: '/v1/decide', http_response_status_code: '200' }, 'http_server_request_duration_seconds_count'),
    2,
  )
  t.equal(
    await valueOf(metrics, 'http_server_request_duration_seconds', { http_request_method: '_OTHER' }, 'http_server_request_duration_seconds_count'),
    1,
    'unknown methods collapse into _OTHER so clients cannot mint label values',
  )

  metrics.observeGrpc('driber.v1.ImageSharing', 'Decide', 'OK', 0.1)
  metrics.observeGrpc('driber.v1.ImageSharing', 'Decide', 'INVALID_ARGUMENT', 0.01)
  t.equal(await valueOf(metrics, 'grpc_server_handled_total', { grpc_method: 'Decide', grpc_code: 'OK' }), 1)
  t.equal(await valueOf(metrics, 'grpc_server_handling_seconds', { grpc_code: 'INVALID_ARGUMENT' }, 'grpc_server_handling_seconds_count'), 1)

  metrics.observeStage('describe', 'model-a', 'ok', 3)
  t.equal(await valueOf(metrics, 'driber_stage_duration_seconds', { stage: 'describe', model: 'model-a', outcome: 'ok' }, 'driber_stage_duration_seconds_sum'), 3)

  metrics.observeUpstream('chat', 'openai', 'model-a', 'DRIBER_UPSTREAM_TIMEOUT', 30)
  t.equal(
    await valueOf(metrics, 'gen_ai_client_operation_duration_seconds', { gen_ai_request_model: 'model-a', error_type: 'DRIBER_UPSTREAM_TIMEOUT', le: '40.96' }, 'gen_ai_client_operation_duration_seconds_bucket'),
    1,
  )
  t.equal(
    await valueOf(metrics, 'gen_ai_client_operation_duration_seconds', { gen_ai_request_model: 'model-a', error_type: 'DRIBER_UPSTREAM_TIMEOUT', le: '20.48' }, 'gen_ai_client_operation_duration_seconds_bucket'),
    0,
  )

  metrics.observeTokens('chat', 'openai', 'model-a', 120, 30)
  t.equal(await valueOf(metrics, 'gen_ai_client_token_usage', { gen_ai_token_type: 'input' }, 'gen_ai_client_token_usage_sum'), 120)
  t.equal(await valueOf(metrics, 'gen_ai_client_token_usage', { gen_ai_token_type: 'output' }, 'gen_ai_client_token_usage_sum'), 30)

  metrics.countRetry('decide', 'model-a', 'DRIBER_UPSTREAM_RATE_LIMITED')
  metrics.countFallback('decide', 'model-a', 'model-b', 'parse_failure')
  metrics.countFallback('decide', 'model-a', 'model-b', 'parse_failure')
  t.equal(await valueOf(metrics, 'driber_retries_total', { error_code: 'DRIBER_UPSTREAM_RATE_LIMITED' }), 1)
  t.equal(await valueOf(metrics, 'driber_fallbacks_total', { from: 'model-a', to: 'model-b', reason: 'parse_failure' }), 2)

  metrics.observeDecideConfidence('model-a', true, 0.85)
  metrics.observeDecideConfidence('model-a', false, 0.15)
  t.equal(await valueOf(metrics, 'driber_decide_confidence', { decision: 'share', le: '0.8' }, 'driber_decide_confidence_bucket'), 0)
  t.equal(await valueOf(metrics, 'driber_decide_confidence', { decision: 'share', le: '0.9' }, 'driber_decide_confidence_bucket'), 1)
  t.equal(await valueOf(metrics, 'driber_decide_confidence', { decision: 'no_share' }, 'driber_decide_confidence_count'), 1)

  metrics.observeRetrieval('photochat', 'ok', 0.004)
  t.equal(await valueOf(metrics, 'driber_retrieval_search_duration_seconds', { index: 'photochat', outcome: 'ok' }, 'driber_retrieval_search_duration_seconds_count'), 1)

  metrics.observeOverhead('http', 0.002)
  metrics.observeOverhead('http', -1)
  t.equal(await valueOf(metrics, 'driber_overhead_seconds', { transport: 'http' }, 'driber_overhead_seconds_count'), 2)
  t.equal(await valueOf(metrics, 'driber_overhead_seconds', { transport: 'http' }, 'driber_overhead_seconds_sum'), 0.002, 'negative overhead clamps to 0')

  metrics.trackInFlight('http', 1)
  metrics.trackInFlight('http', 1)
  metrics.trackInFlight('http', -1)
  t.equal(await valueOf(metrics, 'driber_requests_in_flight', { transport: 'http' }), 1)
  t.equal(await valueOf(metrics, 'driber_requests_in_flight', { transport: 'grpc' }), 0, 'both transports exist from the start')
})

t.test('the GenAI duration buckets follow the OTel advice, 10 ms to about 82 s', async (t) => {
  t.equal(GEN_AI_DURATION_BUCKETS[0], 0.01)
  t.equal(GEN_AI_DURATION_BUCKETS.at(-1), 81.92)
})

t.test('declared models have zero-valued series before any traffic', async (t) => {
  const metrics = createMetrics({ collectDefault: false })
  metrics.declareModels([{ id: 'model-a', provider: 'openai', stages: ['decide', 'describe'] }])
  const parseFailures = await samples(metrics, 'driber_parse_failures_total', { model: 'model-a' })
  t.equal(parseFailures.length, 15, 'five reasons for each model stage (decide, rank, describe), routed or not')
  t.ok(parseFailures.every((sample) => sample.value === 0))
  const retries = await samples(metrics, 'driber_retries_total', { model: 'model-a' })
  t.same(
    [...new Set(retries.map((sample) => sample.labels.error_code))].sort(),
    ['DRIBER_UPSTREAM_RATE_LIMITED', 'DRIBER_UPSTREAM_TIMEOUT', 'DRIBER_UPSTREAM_UNAVAILABLE'],
    'retries at zero for every retried code',
  )
  t.equal(await valueOf(metrics, 'driber_stage_duration_seconds', { stage: 'decide', model: 'model-a', outcome: 'error' }, 'driber_stage_duration_seconds_count'), 0)
  t.equal(await valueOf(metrics, 'gen_ai_client_operation_duration_seconds', { gen_ai_request_model: 'model-a', error_type: '' }, 'gen_ai_client_operation_duration_seconds_count'), 0)
  t.equal(await valueOf(metrics, 'driber_decide_confidence', { model: 'model-a', decision: 'share' }, 'driber_decide_confidence_count'), 0)
  t.same(await samples(metrics, 'driber_decide_confidence', { stage: 'describe' }), [], 'no decide series for describe-only labels')

  // A model no route names can still be picked by id, alias or scale: its series exist too.
  metrics.declareModels([{ id: 'model-spare', provider: 'openai', stages: [] }])
  t.equal((await samples(metrics, 'driber_parse_failures_total', { model: 'model-spare' })).length, 15)
  t.equal(await valueOf(metrics, 'driber_stage_duration_seconds', { stage: 'rank', model: 'model-spare', outcome: 'ok' }, 'driber_stage_duration_seconds_count'), 0)
  t.equal(await valueOf(metrics, 'driber_decide_confidence', { model: 'model-spare', decision: 'no_share' }, 'driber_decide_confidence_count'), 0)
})

t.test('circuit breaker states are read from the source at scrape time, once per routed stage', async (t) => {
  const metrics = createMetrics({ collectDefault: false })
  metrics.declareModels([
    { id: 'model-a', provider: 'openai', stages: ['decide', 'describe'] },
    { id: 'model-b', provider: 'openai', stages: ['describe'] },
  ])
  let states: Array<{ model: string; state: 'closed' | 'half_open' | 'open' }> = [
    { model: 'model-a', state: 'closed' },
    { model: 'model-b', state: 'open' },
    { model: 'model-unrouted', state: 'half_open' },
  ]
  metrics.setBreakerSource(() => states)
  t.equal(await valueOf(metrics, 'driber_circuit_breaker_state', { stage: 'decide', model: 'model-a' }), 0)
  t.equal(await valueOf(metrics, 'driber_circuit_breaker_state', { stage: 'describe', model: 'model-a' }), 0)
  t.equal(await valueOf(metrics, 'driber_circuit_breaker_state', { stage: 'describe', model: 'model-b' }), 2)
  t.equal((await samples(metrics, 'driber_circuit_breaker_state', { model: 'model-b' })).length, 1, 'one series per stage the model serves')
  t.equal(await valueOf(metrics, 'driber_circuit_breaker_state', { stage: '', model: 'model-unrouted' }), 1)
  states = [{ model: 'model-b', state: 'half_open' }]
  t.equal(await valueOf(metrics, 'driber_circuit_breaker_state', { stage: 'describe', model: 'model-b' }), 1)

  metrics.setBreakerSource(() => {
    throw new Error('core gone')
  })
  const text = await metrics.render()
  t.match(text, /driber_circuit_breaker_state\{stage="describe",model="model-b"\} 1/, 'a failing source keeps the last values and the scrape works')
})

t.test('Node defaults are collected, without the gauges promtool rejects', async (t) => {
  const metrics = createMetrics()
  const text = await metrics.render()
  t.match(text, /^nodejs_eventloop_lag_seconds /m)
  t.match(text, /^nodejs_heap_size_used_bytes /m)
  t.notMatch(text, /nodejs_active_handles_total/)
  t.equal(metrics.contentType, 'text/plain; version=0.0.4; charset=utf-8')
  const without = await createMetrics({ collectDefault: false }).render()
  t.notMatch(without, /nodejs_eventloop_lag_seconds/)
})

t.test('promtool accepts the exposition', { skip: skipUnless('promtool') }, async (t) => {
  const metrics = createMetrics({ version: '0.0.0-test' })
  metrics.declareModels([{ id: 'model-a', provider: 'openai', stages: ['decide', 'rank', 'describe'] }])
  metrics.observeHttp('POST', '/v1/share', 200, 1.5)
  metrics.observeHttp('GET', '', 404, 0.001)
  metrics.observeGrpc('driber.v1.ImageSharing', 'Share', 'OK', 1.2)
  metrics.observeUpstream('chat', 'openai', 'model-a', '', 1.1)
  metrics.observeTokens('chat', 'openai', 'model-a', 200, 40)
  metrics.countParseFailure('decide', 'model-a', 'truncated')
  metrics.countRetry('decide', 'model-a', 'DRIBER_UPSTREAM_UNAVAILABLE')
  metrics.countFallback('describe', 'model-a', 'model-b', 'error')
  metrics.setBreakerSource(() => [{ model: 'model-a', state: 'half_open' }])
  const result = await runTool('promtool', ['check', 'metrics'], await metrics.render())
  t.equal(result.code, 0, `promtool check metrics: ${result.stdout}${result.stderr}`)
})

t.test('every driber metric is documented in README "Operations", and nothing documented is missing', async (t) => {
  const { readFileSync } = await import('node:fs')
  const path = await import('node:path')
  const { projectRoot } = await import('../../src/config.js')
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8')
  const start = readme.indexOf('## Operations')
  t.ok(start >= 0, 'README has an Operations section')
  const operations = readme.slice(start, readme.indexOf('\n## ', start + 1))
  const exposed = [...(await createMetrics({ collectDefault: false }).render()).matchAll(/^# TYPE (\S+) (\w+)$/gm)].map((match) => match[1] ?? '')
  t.ok(exposed.length >= 15)
  for (const name of exposed) t.match(operations, `\`${name}\``, `${name} is documented`)
  const documented = [...operations.matchAll(/^\| `((?:driber|http|grpc|gen_ai)_[a-z_]+)` \|/gm)].map((match) => match[1])
  for (const name of documented) t.ok(exposed.includes(name ?? ''), `${name} in the README exists`)
})
