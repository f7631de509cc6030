/**
 * The whole app's observability, driven over real HTTP and gRPC against the fake upstream: the
 * `/metrics` exposition after traffic passes `promtool check metrics` and counts what happened;
 * request ids reach upstreams and every log line; logs carry one completion line per request and
 * never dialogue text or keys; the separate metrics port serves scrapes from `startServer`.
 */
import * as grpc from '@grpc/grpc-js'
import t from 'tap'
import { startServer } from '../../src/server.js'
import { beachDialogue, buildTestApp, TEST_KEY_VALUE, testAppConfig } from '../helper.js'
import { createProtoClient } from '../support/proto-client.js'
import { freePort } from '../support/free-port.js'
import { runTool, skipUnless } from '../support/prometheus-tools.js'
import { captureLogs } from '../support/capture-logs.js'


const sample = (exposition: string, series: string): number | undefined => {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

t.test('after HTTP and gRPC traffic, /metrics counts it and promtool accepts it', async (t) => {
  const { lines, logger } = captureLogs()
  const { app, url, post, get, upstream } = await buildTestApp(t, { config: { parsing: { reasks: 0 } }, appOptions: { logger } })
  const address = await new Promise<string>((resolve, reject) =>
    app.grpc?.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(`127.0.0.1:${port}`))),
  )
  const client = createProtoClient(address)
  t.teardown(() => client.close())

  const decided = await post('/v1/decide', { dialogue: beachDialogue, speaker: 'Ana' }, { 'x-request-id': 'obs-http-1' })
  t.equal(decided.status, 200)
  t.match(decided.headers.get('x-driber-overhead-ms'), /^\d+\.\d{3}$/, 'the overhead header is set')
  upstream.script({ kind: 'refusal', refusal: 'I cannot help with that.' })
  const fellBack = await post('/v1/describe', { dialogue: beachDialogue, speaker: 'Ana' }, { 'x-request-id': 'obs-http-2' })
  t.equal(fellBack.status, 200)
  t.equal(fellBack.body.model, 'model-b')
  const refused = await post('/v1/decide', { dialogue: [], speaker: 'Ana' }, { 'x-request-id': 'obs-http-3' })
  t.equal(refused.status, 400)
  const retrieved = await post('/v1/retrieve', { descriptions: ['a sea turtle in clear water'], k: 2 })
  t.equal(retrieved.status, 200)
  const overGrpc = await client.call('Decide', { dialogue: beachDialogue, speaker: 'Ana' }, { metadata: { 'x-request-id': 'obs-grpc-1' } })
  t.equal(overGrpc.response.next.model, 'model-a')

  // The request id goes upstream with each call it caused.
  const upstreamIds = upstream.chatRequests.map((request) => request.headers['x-request-id'])
  t.ok(upstreamIds.includes('obs-http-1'), 'HTTP request id forwarded to the model backend')
  t.equal(upstreamIds.filter((id) => id === 'obs-http-2').length, 2, 'both attempts of the fallback carry it')
  t.ok(upstreamIds.includes('obs-grpc-1'), 'gRPC metadata request id forwarded to the model backend')

  const scraped = await get('/metrics')
  t.equal(scraped.status, 200)
  t.equal(scraped.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8')
  const text = scraped.body as string
  t.equal(sample(text, 'http_server_request_duration_seconds_count{http_request_method="POST",http_route="/v1/decide",http_response_status_code="200"}'), 1)
  t.equal(sample(text, 'http_server_request_duration_seconds_count{http_request_method="POST",http_route="/v1/decide",http_response_status_code="400"}'), 1)
  t.equal(sample(text, 'grpc_server_handled_total{grpc_service="driber.v1.ImageSharing",grpc_method="Decide",grpc_code="OK"}'), 1)
  t.equal(sample(text, 'driber_parse_failures_total{stage="describe",model="model-a",reason="refusal"}'), 1)
  t.equal(sample(text, 'driber_fallbacks_total{stage="describe",from="model-a",to="model-b",reason="parse_failure"}'), 1)
  t.equal(sample(text, 'driber_stage_duration_seconds_count{stage="decide",model="model-a",outcome="ok"}'), 2, 'one over HTTP, one over gRPC')
  t.equal(sample(text, 'driber_stage_duration_seconds_count{stage="describe",model="model-b",outcome="ok"}'), 1)
  t.equal(sample(text, 'driber_retrieval_search_duration_seconds_count{index="test",outcome="ok"}'), 1)
  t.ok(
    (sample(text, 'gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="embeddings",gen_ai_provider_name="openai",gen_ai_request_model="fake-embed",error_type=""}') ?? 0) >= 2,
    'embedding calls are counted: the gallery at start-up and the query',
  )
  t.equal(sample(text, 'driber_overhead_seconds_count{transport="http"}'), 4, 'every HTTP request but the scrape itself')
  t.equal(sample(text, 'driber_overhead_seconds_count{transport="grpc"}'), 1)
  t.equal(sample(text, 'driber_requests_in_flight{transport="http"}'), 1, 'the scrape itself is the one request in flight')
  t.equal(sample(text, 'driber_requests_in_flight{transport="grpc"}'), 0)
  t.equal(sample(text, 'driber_circuit_breaker_state{stage="decide",model="model-a"}'), 0)
  t.ok((sample(text, 'gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="model-a",gen_ai_token_type="input"}') ?? 0) > 0, 'input tokens counted')
  t.notMatch(text, /sea turtle|Ana|obs-http-1/, 'no request content or ids in labels')

  if (skipUnless('promtool') === false) {
    const checked = await runTool('promtool', ['check', 'metrics'], text)
    t.equal(checked.code, 0, `promtool check metrics: ${checked.stdout}${checked.stderr}`)
  } else {
    t.comment('promtool not installed: exposition lint skipped (run scripts/setup-system.sh)')
  }

  // Logs: one completion line per HTTP request with the id, model, attempts and timings.
  const completions = lines.filter((line) => line.msg === 'request completed')
  const forFallback = completions.filter((line) => line.requestId === 'obs-http-2')
  t.equal(forFallback.length, 1, 'one completion line for the request')
  t.match(forFallback[0], { stage: 'describe', statusCode: 200, model: 'model-b', attemptCount: 2 })
  t.type(forFallback[0]?.overheadMs, 'number')
  t.type(forFallback[0]?.upstreamMs, 'number')
  t.match(completions.find((line) => line.requestId === 'obs-http-3'), { statusCode: 400, errorCode: 'DRIBER_INVALID_ARGUMENT', level: 'warn' })
  const grpcCompletion = lines.filter((line) => line.requestId === 'obs-grpc-1' && line.msg === 'gRPC call completed')
  t.equal(grpcCompletion.length, 1, 'gRPC calls get one completion line, with the request id')
  t.match(grpcCompletion[0], { method: 'Decide', grpcCode: 'OK', model: 'model-a', attemptCount: 1, remoteAddress: '127.0.0.1' })
  t.type(grpcCompletion[0]?.upstreamMs, 'number')
  t.notOk(lines.some((line) => line.msg === 'incoming request'), "fastify's own per-request lines are off")
  const everything = JSON.stringify(lines)
  t.notMatch(everything, /sea turtle|Crystal clear|beach/, 'no dialogue or description text in the logs')
  t.notMatch(everything, TEST_KEY_VALUE, 'no key in the logs')
  t.ok(url.length > 0)
})

t.test('startServer serves /metrics on the separate metrics port and closes it on shutdown', async (t) => {
  const metricsPort = await freePort()
  const server = await startServer(
    testAppConfig({
      http: { port: 0 },
      grpc: { enabled: false },
      metrics: { port: metricsPort },
      registryPath: 'config/registry.yaml',
      retrieval: { indexes: [] },
    }),
  )
  t.teardown(() => server.shutdown('test over'))
  t.equal(server.metricsUrl, `http://127.0.0.1:${metricsPort}/metrics`)
  const response = await fetch(server.metricsUrl ?? '')
  t.equal(response.status, 200)
  t.match(await response.text(), /^driber_build_info\{version="[^"]+",nodejs_version="[^"]+"\} 1$/m)
  await server.shutdown('test over')
  await t.rejects(fetch(server.metricsUrl ?? ''), 'the port is closed after shutdown')
})
