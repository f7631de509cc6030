/**
 * Authentication, rate limits and TLS through the whole app, on both transports: the same keys,
 * the same refusals, one allowance per key shared by HTTP and gRPC, probes left open, and no
 * model called for a refused request.
 */
import { readFileSync } from 'node:fs'
import * as grpc from '@grpc/grpc-js'
import pino from 'pino'
import t from 'tap'
import { Agent, request as httpRequest } from 'undici'
import { hashApiKey } from '../../src/auth/api-key-hash.js'
import { grpcServerCredentials } from '../../src/auth/tls-material.js'
import { buildApp } from '../../src/app.js'
import { createDriberGrpcClient } from '../../src/grpc/grpc-client.js'
import { startFakeUpstream } from '../support/fake-upstream.js'
import { startFaultHarness, TRANSPORTS } from '../support/fault-harness.js'
import { checkHealth } from '../support/grpc-standard-clients.js'
import { makeSelfSignedCertificate, opensslMissing } from '../support/self-signed-certificate.js'
import { beachDialogue, testAppConfig, testRegistry } from '../helper.js'

const key = 'drb_integration-key-0123456789abcdefghij'
const otherKey = 'drb_integration-other-0123456789abcdefgh'

const withKeys = {
  auth: { keys: [{ id: 'checkout', hash: hashApiKey(key) }, { id: 'search', hash: hashApiKey(otherKey), rate: { max: 3, windowMs: 60_000 } }] },
}

t.test('unauthenticated and wrongly keyed calls are refused on both transports before any model is called', async (t) => {
  const harness = await startFaultHarness(t, { config: withKeys })
  for (const transport of TRANSPORTS) {
    for (const apiKey of [undefined, 'drb_wrong-key-0123456789abcdefghijkl', hashApiKey(key)]) {
      const result = await harness.call(transport, 'decide', { dialogue: beachDialogue }, apiKey === undefined ? {} : { apiKey })
      t.notOk(result.ok, `${transport} without a valid key`)
      if (result.ok) continue
      t.equal(result.code, 'DRIBER_UNAUTHENTICATED')
      t.equal(result.status, transport === 'http' ? 401 : grpc.status.UNAUTHENTICATED)
    }
  }
  t.equal(harness.upstream.chatRequests.length, 0, 'no refused call reached a model')
  for (const transport of TRANSPORTS) {
    const result = await harness.call(transport, 'decide', { dialogue: beachDialogue }, { apiKey: key })
    t.ok(result.ok, `${transport} with the key is served`)
  }
  t.equal(await harness.metric('grpc_server_handled_total', { grpc_code: 'UNAUTHENTICATED' }), 3, 'refusals are counted')
})

t.test('probes stay open without a key: /healthz, /readyz, /metrics and gRPC health', async (t) => {
  const harness = await startFaultHarness(t, { config: withKeys })
  const agent = new Agent()
  t.teardown(() => agent.close())
  for (const path of ['/healthz', '/readyz', '/metrics']) {
    const response = await httpRequest(`${harness.httpUrl}${path}`, { dispatcher: agent })
    await response.body.text()
    t.equal(response.statusCode, 200, path)
  }
  const models = await httpRequest(`${harness.httpUrl}/v1/models`, { dispatcher: agent })
  await models.body.text()
  t.equal(models.statusCode, 401, 'the registry listing is not a probe')
  t.equal(await checkHealth(harness.grpcAddress, ''), 'SERVING')
})

t.test('one allowance per key across HTTP and gRPC: 429 / RESOURCE_EXHAUSTED DRIBER_RATE_LIMITED with a retry hint', async (t) => {
  const harness = await startFaultHarness(t, { config: withKeys })
  const results = []
  for (const transport of ['http', 'grpc', 'http', 'grpc'] as const) {
    results.push({ transport, result: await harness.call(transport, 'decide', { dialogue: beachDialogue }, { apiKey: otherKey }) })
  }
  t.same(
    results.map(({ result }) => result.ok),
    [true, true, true, false],
    'the key may make 3 calls a minute, whichever transport carries them',
  )
  const refused = results[3]?.result
  if (refused !== undefined && !refused.ok) {
    t.equal(refused.code, 'DRIBER_RATE_LIMITED')
    t.equal(refused.status, grpc.status.RESOURCE_EXHAUSTED)
    t.ok((refused.retryAfterMs ?? 0) > 0, 'retry-after-ms metadata')
  }
  const httpRefused = await harness.call('http', 'decide', { dialogue: beachDialogue }, { apiKey: otherKey })
  t.ok(!httpRefused.ok && httpRefused.code === 'DRIBER_RATE_LIMITED' && httpRefused.status === 429 && (httpRefused.retryAfterMs ?? 0) >= 1000, 'HTTP 429 with Retry-After')
  t.ok((await harness.call('grpc', 'decide', { dialogue: beachDialogue }, { apiKey: key })).ok, 'another key has its own allowance')
  t.equal(harness.upstream.chatRequests.length, 4, 'refused calls never reached a model')
})

t.test('TLS from config on both servers: clients that trust the certificate are served', { skip: opensslMissing() }, async (t) => {
  const certificate = makeSelfSignedCertificate()
  t.teardown(certificate.remove)
  const upstream = await startFakeUpstream()
  t.teardown(() => upstream.close())
  const app = await buildApp(testAppConfig({ tls: { certPath: certificate.certPath, keyPath: certificate.keyPath }, ...withKeys }), {
    logger: pino({ level: 'silent' }),
    registry: testRegistry(upstream.baseUrl),
  })
  t.teardown(() => app.close({ drainMs: 0 }))
  const httpsUrl = await app.http.listen({ host: '127.0.0.1', port: 0 })
  t.match(httpsUrl, /^https:\/\//)
  const grpcServer = app.grpc
  if (grpcServer === undefined) throw new Error('gRPC is enabled in the test config')
  const port = await new Promise<number>((resolve, reject) =>
    grpcServer.server.bindAsync('127.0.0.1:0', grpcServerCredentials(app.security.tls), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  await app.ready()
  const ca = readFileSync(certificate.certPath)
  const agent = new Agent({ connect: { ca } })
  t.teardown(() => agent.close())
  const response = await httpRequest(`${httpsUrl}/v1/decide`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ dialogue: beachDialogue }),
  })
  t.equal(response.statusCode, 200)
  t.equal(((await response.body.json()) as { model: string }).model, 'model-a')
  const client = createDriberGrpcClient(`localhost:${port}`, { credentials: grpc.credentials.createSsl(ca), apiKey: key })
  t.teardown(() => client.close())
  const answer = await client.decide({ dialogue: beachDialogue }, { deadlineMs: 10_000 })
  t.equal(answer.model, 'model-a')
})
