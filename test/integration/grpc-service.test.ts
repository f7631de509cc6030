/**
 * The whole app over gRPC against the fake upstream, with a client built only from `proto/`:
 * every method, error statuses with their catalog codes, size limits, deadlines and cancellation
 * reaching the upstream, health through start-up and drain, reflection.
 */
import * as grpc from '@grpc/grpc-js'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import t, { type Test } from 'tap'
import { buildApp, type App } from '../../src/app.js'
import { ErrorCatalog } from '../../src/errors.js'
import { beachDialogue, buildTestApp, testAppConfig, testRegistry, type TestAppOptions } from '../helper.js'
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js'
import { checkHealth, listServices, reflect } from '../support/grpc-standard-clients.js'
import { createProtoClient, type ProtoClient } from '../support/proto-client.js'

const bindGrpc = async (t: Test, app: App): Promise<string> => {
  const server = app.grpc?.server
  if (server === undefined) throw new Error('the app built no gRPC server')
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  return `127.0.0.1:${port}`
}

/** The whole app (listening on HTTP too) with gRPC bound on port 0 and a proto-only client. */
const startApp = async (t: Test, options: TestAppOptions = {}): Promise<{ app: App; upstream: FakeUpstream; client: ProtoClient; address: string }> => {
  const { app, upstream } = await buildTestApp(t, options)
  const address = await bindGrpc(t, app)
  const client = createProtoClient(address)
  t.teardown(() => client.close())
  return { app, upstream, client, address }
}

const failure = async (promise: Promise<unknown>): Promise<grpc.ServiceError> => {
  try {
    await promise
  } catch (error) {
    return error as grpc.ServiceError
  }
  throw new Error('expected the call to fail')
}

const codeOf = (error: grpc.ServiceError): string | undefined => error.metadata.get('driber-error-code')[0]?.toString()

t.test('every method answers a client generated only from proto/', async (t) => {
  const { client } = await startApp(t)

  const decided = await client.call('Decide', { dialogue: beachDialogue, speaker: 'Ana' }, { metadata: { 'x-request-id': 'grpc-it-1' } })
  t.equal(decided.metadata.get('x-request-id')[0], 'grpc-it-1', 'the request id is echoed')
  t.equal(decided.response.result, 'next')
  const next = decided.response.next
  t.type(next.share, 'boolean')
  t.equal(next.speaker, 'Ana')
  t.ok(next.confidence >= 0 && next.confidence <= 1)
  t.ok(next.intents.every((intent: string) => intent.startsWith('INTENT_') && intent !== 'INTENT_UNSPECIFIED'))
  t.equal(next.model, 'model-a')
  t.equal(next.attempts.at(-1).outcome, 'ATTEMPT_OUTCOME_OK')
  t.ok(next.usage.total_tokens > 0)

  const ranked = await client.call('Decide', { dialogue: beachDialogue, mode: 'DECIDE_MODE_RANK' })
  t.equal(ranked.response.result, 'rank')
  t.ok(ranked.response.rank.candidates.length > 0)
  for (const candidate of ranked.response.rank.candidates) t.equal(candidate.utterance, beachDialogue[candidate.turn]?.text, 'candidates name real turns')

  const rank = await client.call('Rank', { dialogue: beachDialogue })
  t.ok(rank.response.candidates.length > 0)
  t.equal(rank.response.model, 'model-a')

  const described = await client.call('Describe', { dialogue: beachDialogue, restrictions: ['RESTRICTION_PREFIX'], n: 2 })
  t.equal(described.response.descriptions.length, 2)
  t.ok(described.response.descriptions.every((description: { text: string }) => description.text.length > 0))

  const retrieved = await client.call('Retrieve', { descriptions: ['An image of a sea turtle'], k: 2 })
  t.equal(retrieved.response.index, 'test')
  t.equal(retrieved.response.results.length, 2)
  t.ok(retrieved.response.results[0].score >= retrieved.response.results[1].score, 'best first')

  const shared = await client.call('Share', { dialogue: beachDialogue, speaker: 'Ana', k: 1 })
  t.type(shared.response.decision.share, 'boolean')
  if (shared.response.decision.share) {
    t.equal(shared.response.results.length, 1)
    t.ok(shared.response.describe.model.length > 0 && shared.response.describe.attempts.length >= 1, "Describe's model and attempts")
    t.equal(
      shared.response.usage.total_tokens,
      shared.response.decision.usage.total_tokens + shared.response.describe.usage.total_tokens,
      'usage sums Decide and Describe',
    )
  } else {
    t.same([shared.response.descriptions, shared.response.results], [[], []], 'nothing described when the decision is no')
    t.equal(shared.response.describe, null)
  }

  const models = await client.call('ListModels', {})
  t.same(
    models.response.models.map((model: { id: string; scale: string }) => [model.id, model.scale]),
    [
      ['model-a', 'SCALE_SMALL'],
      ['model-b', 'SCALE_MEDIUM'],
    ],
  )
  t.same(models.response.routes.decide.models, ['model-a', 'model-b'])
  t.notMatch(JSON.stringify(models.response), /DRIBER_TEST_UPSTREAM_KEY|sk-test/, 'no secrets, not even their variable names')
})

t.test('errors carry the catalog status and the stable code in trailing metadata', async (t) => {
  const { client, upstream } = await startApp(t)

  const unknown = await failure(client.call('Decide', { dialogue: beachDialogue, model: 'no-such-model' }))
  t.equal(unknown.code, grpc.status.NOT_FOUND)
  t.equal(codeOf(unknown), 'DRIBER_UNKNOWN_MODEL')
  const details = JSON.parse(String(unknown.metadata.get('driber-error-details-bin')[0]))
  t.match(JSON.stringify(details), /model-a/, 'the details list what exists')

  const before = upstream.requestCount
  const invalid = await failure(client.call('Describe', { dialogue: [] }))
  t.equal(invalid.code, grpc.status.INVALID_ARGUMENT)
  t.equal(codeOf(invalid), 'DRIBER_INVALID_ARGUMENT')
  const badEnum = await failure(client.call('Describe', { dialogue: beachDialogue, restrictions: ['RESTRICTION_UNSPECIFIED'] }))
  t.equal(badEnum.code, grpc.status.INVALID_ARGUMENT)
  t.equal(upstream.requestCount, before, 'bad input never reaches a model')

  upstream.scriptRepeat({ kind: 'status', status: 500, message: 'boom' }, 20)
  const down = await failure(client.call('Rank', { dialogue: beachDialogue }))
  t.equal(down.code, grpc.status.UNAVAILABLE)
  t.equal(codeOf(down), 'DRIBER_UPSTREAM_UNAVAILABLE')
  t.notMatch(down.details, /boom/)
})

t.test('a parse failure after every fallback is the catalog status with DRIBER_PARSE_FAILURE', async (t) => {
  const { client, upstream } = await startApp(t)
  upstream.setResponder(() => ({ kind: 'content', content: 'I would rather not answer in JSON.' }))
  const error = await failure(client.call('Decide', { dialogue: beachDialogue }))
  t.equal(error.code, ErrorCatalog.PARSE_FAILURE.grpcStatus)
  t.equal(codeOf(error), 'DRIBER_PARSE_FAILURE')
  const details = JSON.parse(String(error.metadata.get('driber-error-details-bin')[0])) as { attempts?: Array<{ model: string }> }
  t.ok((details.attempts ?? []).some((attempt) => attempt.model === 'model-b'), 'the fallback was tried before giving up')
})

t.test('an oversized request is RESOURCE_EXHAUSTED, never reaches a model, and the server keeps serving', async (t) => {
  const { client, upstream } = await startApp(t, { config: { grpc: { maxReceiveMessageBytes: 8192 } } })
  const error = await failure(client.call('Decide', { dialogue: [{ speaker: 'Ana', text: 'x'.repeat(20_000) }] }))
  t.equal(error.code, grpc.status.RESOURCE_EXHAUSTED)
  t.equal(error.code, ErrorCatalog.PAYLOAD_TOO_LARGE.grpcStatus, 'the catalog agrees')
  t.equal(upstream.chatRequests.length, 0)
  const after = await client.call('ListModels', {})
  t.ok(after.response.models.length > 0)
})

t.test('a 50 ms deadline against an upstream that never answers: DEADLINE_EXCEEDED and the upstream request is cut off', async (t) => {
  const { client, upstream } = await startApp(t)
  upstream.setResponder(() => ({ kind: 'hang' }))
  // On a loaded machine 50 ms can pass before the call even reaches the upstream, leaving nothing
  // to cut off; call again until one did (the first call, normally).
  for (let call = 1; upstream.chatRequests.length === 0; call++) {
    if (call > 20) throw new Error('no call reached the upstream within its 50 ms deadline')
    const started = performance.now()
    const error = await failure(client.call('Decide', { dialogue: beachDialogue }, { deadlineMs: 50 }))
    const elapsed = performance.now() - started
    t.equal(error.code, grpc.status.DEADLINE_EXCEEDED, `call ${call}: DEADLINE_EXCEEDED`)
    t.comment(`call ${call} answered after ${elapsed.toFixed(1)} ms (not asserted: speed lives in bench/)`)
  }
  // Every request the upstream received is cut off; one that never ends would hang this wait.
  await upstream.waitForAborted(upstream.chatRequests.length)
  t.ok(upstream.chatRequests.every((request) => request.aborted && !request.completed), 'the fake upstream saw its requests aborted')
})

t.test('a client cancel reaches the upstream', async (t) => {
  const { client, upstream } = await startApp(t)
  upstream.setResponder(() => ({ kind: 'hang' }))
  const controller = new AbortController()
  // Index loading may have embedded the gallery already: wait for the request this call makes.
  const seen = upstream.requestCount
  const pending = failure(client.call('Describe', { dialogue: beachDialogue }, { signal: controller.signal }))
  await upstream.waitForRequests(seen + 1)
  controller.abort()
  t.equal((await pending).code, grpc.status.CANCELLED)
  await upstream.waitForAborted(1)
  t.equal(upstream.chatRequests[0]?.aborted, true)
})

t.test('health: NOT_SERVING while starting, SERVING when ready, NOT_SERVING while draining; accepted calls finish', async (t) => {
  const upstream = await startFakeUpstream()
  t.teardown(() => upstream.close())
  const app = await buildApp(testAppConfig(), { logger: pino({ level: 'silent' }), registry: testRegistry(upstream.baseUrl) })
  t.teardown(() => app.close({ drainMs: 0 }))
  const address = await bindGrpc(t, app)
  const client = createProtoClient(address)
  t.teardown(() => client.close())

  t.equal(await checkHealth(address, ''), 'NOT_SERVING', 'bound but not ready')
  t.equal(await checkHealth(address, 'driber.v1.ImageSharing'), 'NOT_SERVING')
  await app.ready()
  t.equal(await checkHealth(address, ''), 'SERVING')
  t.equal(await checkHealth(address, 'driber.v1.ImageSharing'), 'SERVING')

  // One slow call in flight when the drain starts: it must still get its answer. Slow enough that
  // the checks below run while it is still in flight, even on a loaded machine.
  upstream.setResponder(() => ({ kind: 'default', delayMs: 2_000 }))
  const seen = upstream.requestCount
  const inFlight = client.call('Decide', { dialogue: beachDialogue })
  await upstream.waitForRequests(seen + 1)
  const closed = app.close({ drainMs: 5_000 })
  t.equal(await checkHealth(address, 'driber.v1.ImageSharing'), 'NOT_SERVING', 'draining')
  const refused = await failure(client.call('ListModels', {}))
  t.equal(refused.code, grpc.status.UNAVAILABLE, 'new calls are refused while draining')
  t.equal(codeOf(refused), 'DRIBER_SHUTTING_DOWN')
  const answered = await inFlight
  t.equal(answered.response.result, 'next', 'the call accepted before the drain was answered')
  await closed
})

t.test('reflection lists the service and serves its descriptor', async (t) => {
  const { address } = await startApp(t)
  const services = await listServices(address)
  t.ok(services.includes('driber.v1.ImageSharing'))
  t.ok(services.includes('grpc.health.v1.Health'))
  const file = await reflect(address, { file_containing_symbol: 'driber.v1.ImageSharing' })
  const descriptors = file.file_descriptor_response?.file_descriptor_proto ?? []
  t.ok(descriptors.length > 0, 'a file descriptor came back')
  const text = descriptors.map((bytes) => Buffer.from(bytes).toString('latin1')).join('')
  t.match(text, /ImageSharing/)
  t.match(text, /DecideRequest/)
  t.notOk(text.includes(fileURLToPath(new URL('../..', import.meta.url))), 'no path of this checkout leaks into descriptors')
})

t.test('a deadline that cuts a call short keeps its attempts in driber-error-details-bin', async (t) => {
  const { client, upstream } = await startApp(t, { config: { deadlines: { requestMs: 200 } } })
  upstream.setResponder(() => ({ kind: 'hang' }))
  const error = await failure(client.call('Decide', { dialogue: beachDialogue }))
  t.equal(error.code, grpc.status.DEADLINE_EXCEEDED)
  t.equal(codeOf(error), 'DRIBER_DEADLINE_EXCEEDED')
  const details = JSON.parse(String(error.metadata.get('driber-error-details-bin')[0] ?? '{}')) as { attempts?: Array<{ model: string; outcome: string }> }
  t.match(details.attempts, [{ model: 'model-a', outcome: 'error' }], 'the call that was cut short')
})
