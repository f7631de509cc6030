/**
 * The typed client against the whole app over real HTTP (port 0, fake upstream behind it): every
 * operation answers its typed shape, request ids and deadlines reach the service, and every
 * failure, from the service or before it, is a DriberApiError with a code a caller can branch on.
 */
import t, { type Test } from 'tap'
import { hashApiKey } from '../../src/auth/api-key-hash.js'
import { createDriberClient, DriberApiError, type DecideRequest } from '../../src/client/driber-client.js'
import { runExample } from '../../examples/typed-client.js'
import { beachDialogue, buildTestApp } from '../helper.js'
import { freePort } from '../support/free-port.js'

/** The error a promise rejects with, which must be a DriberApiError. */
const apiError = async (t: Test, promise: Promise<unknown>): Promise<DriberApiError> => {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  t.ok(error instanceof DriberApiError, `a DriberApiError: ${String(error)}`)
  return error as DriberApiError
}

t.test('every operation answers its typed shape', async (t) => {
  const { url, upstream } = await buildTestApp(t)
  const driber = createDriberClient({ baseUrl: url })

  const decision = await driber.decide({ dialogue: beachDialogue, speaker: 'Ana' })
  t.match(decision, { share: true, speaker: 'Ana', confidence: 0.8, intents: ['information_dissemination'], trigger: { turn: 2 }, model: 'model-a' })
  t.equal((upstream.chatRequests.at(-1)!.body as { response_format: { json_schema: { name: string } } }).response_format.json_schema.name, 'driber_decide')

  upstream.script({ kind: 'json', value: { candidates: [{ turn: 0, confidence: 0.4, rationale: 'the beach' }, { turn: 2, confidence: 0.9, rationale: 'the turtle' }] } })
  const ranked = await driber.rank({ dialogue: beachDialogue })
  t.same(ranked.candidates.map((candidate) => candidate.turn), [2, 0], 'rank mode, best first')

  const described = await driber.describe({ dialogue: beachDialogue, speaker: 'Ana', restrictions: ['prefix'], n: 2 })
  t.equal(described.descriptions.length, 2)
  t.match(described.descriptions[0]?.text, /^An image of/)

  const retrieved = await driber.retrieve({ descriptions: ['a chocolate birthday cake with candles'], k: 2 })
  t.match(retrieved, { index: 'test', results: [{ id: 'cake', url: 'https://images.example.org/cake.jpg' }] })

  const shared = await driber.share({ dialogue: beachDialogue, speaker: 'Ana', k: 2 })
  t.equal(shared.decision.share, true)
  t.equal(shared.results.length, 2)
  t.equal(shared.usage.total_tokens, shared.decision.usage.total_tokens + (shared.describe?.usage.total_tokens ?? 0))

  const { models, routes } = await driber.models()
  t.same(models.map((model) => model.id), ['model-a', 'model-b'])
  t.same(routes.decide, ['model-a', 'model-b'])

  // The types are the contract's: a field the API does not have does not compile.
  // @ts-expect-error `speakers` is not a Decide field
  const misspelt: DecideRequest = { dialogue: beachDialogue, speakers: ['Ana'] }
  t.ok(misspelt)
})

t.test('request ids go to the service and its upstream calls, and come back on errors', async (t) => {
  const { url, upstream } = await buildTestApp(t)
  const driber = createDriberClient({ baseUrl: `${url}/` })
  await driber.decide({ dialogue: beachDialogue }, { requestId: 'client-test-0001' })
  t.equal(upstream.chatRequests.at(-1)!.headers['x-request-id'], 'client-test-0001')

  const error = await apiError(t, driber.decide({ dialogue: beachDialogue, model: 'no-such-model' }, { requestId: 'client-test-0002' }))
  t.equal(error.code, 'DRIBER_UNKNOWN_MODEL')
  t.equal(error.status, 404)
  t.equal(error.requestId, 'client-test-0002')
  t.match(error.details, { requested: 'no-such-model', models: ['model-a', 'model-b'] }, 'the details say what exists')

  const generated = await apiError(t, driber.retrieve({ descriptions: ['x'], index: 'nowhere' }))
  t.match(generated.requestId, /^[0-9a-f-]{36}$/, 'a fresh UUID when none is given')
})

t.test('a deadline is sent as x-request-timeout-ms and the service answers DEADLINE_EXCEEDED', async (t) => {
  const { url, upstream } = await buildTestApp(t)
  const driber = createDriberClient({ baseUrl: url, timeoutMs: 300 })
  upstream.script({ kind: 'hang' }, { kind: 'hang' })
  const error = await apiError(t, driber.decide({ dialogue: beachDialogue }))
  t.equal(error.code, 'DRIBER_DEADLINE_EXCEEDED')
  t.equal(error.status, 504, 'answered by the service at its deadline, not by the client giving up')
})

t.test('service errors keep their catalog code, status and details', async (t) => {
  const { url } = await buildTestApp(t)
  const driber = createDriberClient({ baseUrl: url })
  const invalid = await apiError(t, driber.describe({ dialogue: beachDialogue, n: 0 }))
  t.equal(invalid.code, 'DRIBER_INVALID_ARGUMENT')
  t.equal(invalid.status, 400)
  t.match(invalid.message, /n/)
  // Bypassing the types, as a JavaScript caller might: the service still refuses it typed.
  const unknownField = await apiError(t, driber.retrieve({ descriptions: ['a dog'], limit: 3 } as never))
  t.equal(unknownField.code, 'DRIBER_INVALID_ARGUMENT')
  t.match(unknownField.details, { field: 'limit', reason: 'unknown field' })
})

t.test('with auth on: no key is UNAUTHENTICATED, the key opens every operation', async (t) => {
  const key = 'client-test-key-0123456789abcdef'
  const { url } = await buildTestApp(t, { config: { auth: { enabled: true, keys: [{ id: 'client', hash: hashApiKey(key) }] } } })
  const refused = await apiError(t, createDriberClient({ baseUrl: url }).models())
  t.equal(refused.code, 'DRIBER_UNAUTHENTICATED')
  t.equal(refused.status, 401)
  const wrong = await apiError(t, createDriberClient({ baseUrl: url, apiKey: 'not-the-key' }).models())
  t.equal(wrong.code, 'DRIBER_UNAUTHENTICATED')
  const lines: string[] = []
  await runExample(createDriberClient({ baseUrl: url, apiKey: key }), (line) => lines.push(line))
  t.same(
    lines.map((line) => line.split(':')[0]),
    ['models', 'decide', 'rank', 'describe', 'retrieve (test)', 'share', 'error'],
    'the example program calls every operation through the client',
  )
  t.match(lines.at(-1), /^error: 404 DRIBER_UNKNOWN_INDEX \(request [0-9a-f-]{36}\)$/)
})

t.test('failures before any answer: unreachable service, cancelled call', async (t) => {
  const port = await freePort()
  const unreachable = await apiError(t, createDriberClient({ baseUrl: `http://127.0.0.1:${port}` }).models())
  t.equal(unreachable.code, 'DRIBER_NETWORK_ERROR')
  t.equal(unreachable.status, 0)

  const { url, upstream } = await buildTestApp(t)
  upstream.script({ kind: 'hang' })
  const controller = new AbortController()
  const pending = createDriberClient({ baseUrl: url }).decide({ dialogue: beachDialogue }, { signal: controller.signal })
  // Cancel once the service has the call in hand (the upstream saw it).
  while (upstream.chatRequests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  controller.abort()
  const cancelled = await apiError(t, pending)
  t.equal(cancelled.code, 'DRIBER_CANCELLED')
  t.equal(cancelled.status, 0)
})
