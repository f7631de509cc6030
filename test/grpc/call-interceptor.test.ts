/**
 * What grpc-js refuses on its own, and calls that end on the client's side, through the whole app
 * with a raw grpc-js client: garbage bytes, unknown methods and oversize messages are answered
 * UNAUTHENTICATED without a key (auth before the body, as on HTTP); with a key they get catalog
 * codes (INVALID_ARGUMENT, UNIMPLEMENTED, RESOURCE_EXHAUSTED). Every one is logged at `warn` and
 * counted in `grpc_server_handled_total` (method `unknown` for unknown paths), and a call whose
 * deadline passed or that was cancelled is logged with that outcome, not OK.
 */
import * as grpc from '@grpc/grpc-js'
import t from 'tap'
import { hashApiKey } from '../../src/auth/api-key-hash.js'
import { beachDialogue } from '../helper.js'
import { startFaultHarness } from '../support/fault-harness.js'
import { createProtoClient } from '../support/proto-client.js'
import { captureLogs } from '../support/capture-logs.js'

const key = 'drb_interceptor-key-0123456789abcdefghij'


interface RawOutcome {
  code: number
  driberCode: string | undefined
}

/** Sends `bytes` as the request of `path`, as any client with a wrong or no proto would. */
const rawCall = (address: string, path: string, bytes: Buffer, metadata: Record<string, string> = {}): Promise<RawOutcome> => {
  const client = new grpc.Client(address, grpc.credentials.createInsecure())
  const sent = new grpc.Metadata()
  for (const [name, value] of Object.entries(metadata)) sent.set(name, value)
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (value: Buffer) => value,
      (value: Buffer) => value,
      bytes,
      sent,
      {},
      (error) => {
        client.close()
        resolve({ code: error?.code ?? grpc.status.OK, driberCode: error?.metadata?.get('driber-error-code')[0]?.toString() })
      },
    )
  })
}

// Field 1 with wire type 7, which does not exist: no proto decoder accepts it.
const garbage = Buffer.from([0x0f, 0xff, 0xff, 0xff, 0xff])
const MAX_BYTES = 4 * 1024
const oversize = Buffer.alloc(MAX_BYTES * 2, 0x61)

const completionLines = (lines: Array<Record<string, unknown>>) => lines.filter((line) => line.msg === 'gRPC call completed')

t.test('without a key, garbage, oversize and unknown-method calls are UNAUTHENTICATED, logged and counted', async (t) => {
  const { lines, logger } = captureLogs()
  const harness = await startFaultHarness(t, { config: { auth: { keys: [{ id: 'ops', hash: hashApiKey(key) }] }, grpc: { maxReceiveMessageBytes: MAX_BYTES } }, logger })
  const before = harness.upstream.requestCount
  const cases: Array<[string, string, Buffer]> = [
    ['garbage', '/driber.v1.ImageSharing/Decide', garbage],
    ['oversize', '/driber.v1.ImageSharing/Describe', oversize],
    ['unknown method', '/driber.v1.ImageSharing/Paint', garbage],
    ['unknown service', '/acme.Nothing/Here', Buffer.alloc(0)],
  ]
  for (const [name, path, bytes] of cases) {
    t.same(await rawCall(harness.grpcAddress, path, bytes), { code: grpc.status.UNAUTHENTICATED, driberCode: 'DRIBER_UNAUTHENTICATED' }, name)
  }
  t.equal(harness.upstream.requestCount, before, 'nothing reached a model')
  t.equal(await harness.metric('grpc_server_handled_total', { grpc_method: 'Decide', grpc_code: 'UNAUTHENTICATED' }), 1)
  t.equal(await harness.metric('grpc_server_handled_total', { grpc_method: 'Describe', grpc_code: 'UNAUTHENTICATED' }), 1)
  t.equal(await harness.metric('grpc_server_handled_total', { grpc_service: 'unknown', grpc_method: 'unknown', grpc_code: 'UNAUTHENTICATED' }), 2, 'unknown paths share one bounded label')
  t.equal(await harness.metric('driber_requests_in_flight', { transport: 'grpc' }), 0, 'every refused call left the in-flight gauge')
  const logged = completionLines(lines)
  t.equal(logged.length, 4, 'one completion line per refused call')
  t.ok(logged.every((line) => line.grpcCode === 'UNAUTHENTICATED' && line.errorCode === 'DRIBER_UNAUTHENTICATED' && line.level === 'warn'), 'logged at warn with the code')
  t.ok(logged.some((line) => line.path === '/acme.Nothing/Here'), 'an unknown path is named in its line')
})

t.test('with a key: garbage is INVALID_ARGUMENT, oversize RESOURCE_EXHAUSTED, unknown methods UNIMPLEMENTED; all logged and counted', async (t) => {
  const { lines, logger } = captureLogs()
  const harness = await startFaultHarness(t, { config: { auth: { keys: [{ id: 'ops', hash: hashApiKey(key) }] }, grpc: { maxReceiveMessageBytes: MAX_BYTES } }, logger })
  const before = harness.upstream.requestCount
  const authorization = { authorization: `Bearer ${key}` }
  t.same(await rawCall(harness.grpcAddress, '/driber.v1.ImageSharing/Decide', garbage, authorization), { code: grpc.status.INVALID_ARGUMENT, driberCode: 'DRIBER_INVALID_ARGUMENT' }, 'garbage')
  t.same(await rawCall(harness.grpcAddress, '/driber.v1.ImageSharing/Describe', oversize, authorization), { code: grpc.status.RESOURCE_EXHAUSTED, driberCode: 'DRIBER_PAYLOAD_TOO_LARGE' }, 'oversize')
  t.same(await rawCall(harness.grpcAddress, '/driber.v1.ImageSharing/Paint', garbage, authorization), { code: grpc.status.UNIMPLEMENTED, driberCode: 'DRIBER_ROUTE_NOT_FOUND' }, 'unknown method')
  t.equal(harness.upstream.requestCount, before, 'nothing reached a model')
  t.equal(await harness.metric('grpc_server_handled_total', { grpc_method: 'Decide', grpc_code: 'INVALID_ARGUMENT' }), 1)
  t.equal(await harness.metric('grpc_server_handled_total', { grpc_method: 'Describe', grpc_code: 'RESOURCE_EXHAUSTED' }), 1)
  t.equal(await harness.metric('grpc_server_handled_total', { grpc_method: 'unknown', grpc_code: 'UNIMPLEMENTED' }), 1)
  const logged = completionLines(lines)
  t.same(
    logged.map((line) => [line.method, line.grpcCode, line.errorCode, line.level]),
    [
      ['Decide', 'INVALID_ARGUMENT', 'DRIBER_INVALID_ARGUMENT', 'warn'],
      ['Describe', 'RESOURCE_EXHAUSTED', 'DRIBER_PAYLOAD_TOO_LARGE', 'warn'],
      ['unknown', 'UNIMPLEMENTED', 'DRIBER_ROUTE_NOT_FOUND', 'warn'],
    ],
  )
  // The same client mistake over HTTP is a 4xx completion line at warn: one level for both transports.
  const http = await harness.call('http', 'decide', { dialogue: [] }, { apiKey: key })
  t.notOk(http.ok)
  t.equal(lines.find((line) => line.msg === 'request completed' && line.statusCode === 400)?.level, 'warn')
  t.equal(await rawCall(harness.grpcAddress, '/grpc.health.v1.Health/Check', Buffer.alloc(0)).then((outcome) => outcome.code), grpc.status.OK, 'health stays open')
  t.equal(completionLines(lines).length, 3, 'probes write no completion line')
})

t.test('a call whose deadline passed, and a cancelled call, are logged and counted with what the client saw', async (t) => {
  const { lines, logger } = captureLogs()
  const harness = await startFaultHarness(t, {
    config: { rateLimit: { enabled: false } },
    logger,
    upstream: { responder: (request) => (request.path.endsWith('/chat/completions') ? { kind: 'hang' } : undefined) },
  })
  const client = createProtoClient(harness.grpcAddress)
  t.teardown(() => client.close())
  const expired = await client.call('Decide', { dialogue: beachDialogue }, { deadlineMs: 300, metadata: { 'x-request-id': 'late-1' } }).catch((error: grpc.ServiceError) => error)
  t.equal((expired as grpc.ServiceError).code, grpc.status.DEADLINE_EXCEEDED)
  const controller = new AbortController()
  const before = harness.upstream.chatRequests.length
  const cancelled = client.call('Decide', { dialogue: beachDialogue }, { signal: controller.signal, metadata: { 'x-request-id': 'gone-1' } }).catch((error: grpc.ServiceError) => error)
  while (harness.upstream.chatRequests.length === before) await new Promise((resolve) => setTimeout(resolve, 10))
  controller.abort()
  t.equal(((await cancelled) as grpc.ServiceError).code, grpc.status.CANCELLED)
  while (completionLines(lines).length < 2) await new Promise((resolve) => setTimeout(resolve, 10))
  const byId = new Map(completionLines(lines).map((line) => [line.requestId, line]))
  t.match(byId.get('late-1'), { grpcCode: 'DEADLINE_EXCEEDED', errorCode: 'DRIBER_DEADLINE_EXCEEDED' })
  t.match(byId.get('gone-1'), { grpcCode: 'CANCELLED', errorCode: 'DRIBER_CANCELLED', level: 'warn' })
  t.equal(await harness.metric('grpc_server_handled_total', { grpc_method: 'Decide', grpc_code: 'OK' }), 0, 'neither is counted as OK')
  t.equal(await harness.metric('grpc_server_handled_total', { grpc_method: 'Decide', grpc_code: 'DEADLINE_EXCEEDED' }), 1)
  t.equal(await harness.metric('grpc_server_handled_total', { grpc_method: 'Decide', grpc_code: 'CANCELLED' }), 1)
})
