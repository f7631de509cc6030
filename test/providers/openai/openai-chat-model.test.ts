/**
 * The OpenAI-compatible chat model, driven through the real `openai` SDK over HTTP against the
 * fake upstream: what it sends, what it returns for each kind of answer, and which catalog error
 * each failure becomes.
 */
import t, { type Test } from 'tap'
import { DriberError } from '../../../src/errors.js'
import { attemptBudget } from '../../../src/providers/openai/openai-attempt.js'
import { createOpenAIProvider } from '../../../src/providers/openai/openai-provider.js'
import type { ChatModel, ChatRequest, OutputMode } from '../../../src/providers/provider.js'
import { parseRegistry } from '../../../src/registry/load-registry.js'
import type { ModelEntry } from '../../../src/registry/registry-schema.js'
import { startFakeUpstream, type FakeUpstream } from '../../support/fake-upstream.js'
import { driberErrorOf } from '../../support/driber-error-of.js'

const DECIDE_SCHEMA = { type: 'object', properties: { share: { type: 'boolean' } }, required: ['share'], additionalProperties: false }

const PROMPT = [
  'Task: judge the conversation.',
  '<<<DIALOGUE',
  '[turn 0] "Ann": "I just got back from Kyoto"',
  '[turn 1] "Ben": "What was the temple like?"',
  'DIALOGUE>>>',
].join('\n')

const entryFor = (baseUrl: string, extra: Record<string, unknown> = {}): ModelEntry => {
  const data = parseRegistry({
    version: 1,
    models: [{ id: 'test-model', provider: 'openai', base_url: baseUrl, scale: 'small', upstream_model: 'fake-llm-7b', timeout_ms: 5_000, ...extra }],
    routes: { decide: ['test-model'], describe: ['test-model'] },
  })
  return data.models[0] as ModelEntry
}

const request = (overrides: Partial<ChatRequest> & { mode?: OutputMode } = {}): ChatRequest => {
  const { mode, ...rest } = overrides
  return {
    stage: 'decide',
    task: { stage: 'decide', dialogue: [] },
    messages: [
      { role: 'system', content: 'You answer in JSON.' },
      { role: 'user', content: PROMPT },
    ],
    output: { mode: mode ?? 'json_schema', name: 'driber_decide', schema: DECIDE_SCHEMA },
    decoding: { temperature: 0 },
    timeoutMs: 5_000,
    signal: new AbortController().signal,
    requestId: 'req-0001',
    ...rest,
  }
}

interface Setup {
  upstream: FakeUpstream
  model: ChatModel
}

const setup = async (t: Test, extra: Record<string, unknown> = {}, secrets: Record<string, string> = {}): Promise<Setup> => {
  const upstream = await startFakeUpstream()
  t.teardown(() => upstream.close())
  const model = createOpenAIProvider().createChatModel(entryFor(upstream.baseUrl, extra), (name) => secrets[name])
  t.teardown(() => model.close?.())
  return { upstream, model }
}

const lastBody = (upstream: FakeUpstream): Record<string, unknown> => upstream.chatRequests.at(-1)?.body as Record<string, unknown>

t.test('valid JSON: content, finish reason and usage come back', async (t) => {
  const { upstream, model } = await setup(t)
  upstream.script({ kind: 'json', value: { share: true } })
  const response = await model.chat(request())
  t.same(JSON.parse(response.content), { share: true })
  t.equal(response.finishReason, 'stop')
  t.equal(response.refusal, null)
  const wire = JSON.stringify({ share: true })
  // The fake counts a token per four characters: the usage must be the upstream's, renamed.
  const input = Math.ceil(['You answer in JSON.', PROMPT].join('\n').length / 4)
  const output = Math.ceil(wire.length / 4)
  t.same(response.usage, { input_tokens: input, output_tokens: output, total_tokens: input + output })
})

t.test('the default answer is valid stage JSON built from the prompt', async (t) => {
  const { model } = await setup(t)
  const answer = JSON.parse((await model.chat(request())).content) as Record<string, unknown>
  t.equal(answer.share, true)
  t.equal(answer.speaker, 'Ann', 'a speaker from the prompt')
  t.equal(answer.trigger_turn, 1, 'the last turn')
})

t.test('raw content is passed through untouched for the core to parse', async (t) => {
  const { upstream, model } = await setup(t)
  const raw = 'Sure! Here it is:\n```json\n{"share": true,}\n```'
  upstream.script({ kind: 'content', content: raw })
  t.equal((await model.chat(request())).content, raw)
})

t.test('truncated, refusal and empty answers are reported as such', async (t) => {
  const { upstream, model } = await setup(t)
  upstream.script({ kind: 'truncated', content: '{"share": tr' }, { kind: 'refusal', refusal: 'I will not judge this.' }, { kind: 'empty' }, { kind: 'empty', asNull: true })
  const truncated = await model.chat(request())
  t.equal(truncated.finishReason, 'length')
  t.equal(truncated.content, '{"share": tr')
  const refusal = await model.chat(request())
  t.equal(refusal.refusal, 'I will not judge this.')
  t.equal(refusal.content, '', 'null content becomes an empty string')
  t.equal((await model.chat(request())).content, '')
  t.equal((await model.chat(request())).content, '', 'null content without refusal')
})

t.test('finish_reason spellings: only a token-limit stop is length, unknown ones never are', async (t) => {
  const { upstream, model } = await setup(t)
  const cases: Array<[string, string]> = [
    ['max_tokens', 'length'],
    ['MAX_TOKENS', 'length'],
    ['eos_token', 'stop'],
    ['end_turn', 'stop'],
    ['safety', 'content_filter'],
    ['something_new', 'unknown'],
  ]
  for (const [wire] of cases) upstream.script({ kind: 'content', content: '{"share": tr', finishReason: wire })
  for (const [wire, expected] of cases) t.equal((await model.chat(request())).finishReason, expected, wire)
})

t.test('response_format follows the output mode', async (t) => {
  const { upstream, model } = await setup(t)
  await model.chat(request({ mode: 'json_schema' }))
  t.same(lastBody(upstream).response_format, { type: 'json_schema', json_schema: { name: 'driber_decide', schema: DECIDE_SCHEMA, strict: true } })
  await model.chat(request({ mode: 'json_object' }))
  t.same(lastBody(upstream).response_format, { type: 'json_object' })
  await model.chat(request({ mode: 'text' }))
  t.notOk('response_format' in lastBody(upstream), 'text mode sends no response_format')
})

t.test('the upstream model name, messages and decoding settings are sent', async (t) => {
  const { upstream, model } = await setup(t)
  await model.chat(request({ decoding: { temperature: 0.7, top_p: 0.9, max_tokens: 300, seed: 42 } }))
  const body = lastBody(upstream)
  t.equal(body.model, 'fake-llm-7b')
  t.same(body.messages, request().messages)
  t.equal(body.temperature, 0.7)
  t.equal(body.top_p, 0.9)
  t.equal(body.max_tokens, 300)
  t.equal(body.seed, 42)
  t.notOk('stream' in body && body.stream === true, 'not streamed')
  await model.chat(request({ decoding: {} }))
  t.notOk('temperature' in lastBody(upstream), 'unset settings are not sent')
})

t.test('the request id, entry headers and key reach the upstream; keyless servers get no Authorization', async (t) => {
  const keyed = await setup(t, { api_key_env: 'FAKE_KEY', headers: { 'api-version': '2024-10-21' } }, { FAKE_KEY: 'sk-test-123' })
  await keyed.model.chat(request({ requestId: 'req-abc' }))
  const headers = keyed.upstream.chatRequests[0]?.headers
  t.equal(headers?.['x-request-id'], 'req-abc')
  t.equal(headers?.authorization, 'Bearer sk-test-123')
  t.equal(headers?.['api-version'], '2024-10-21')
  t.equal(headers?.['x-stainless-retry-count'], '0')

  const keyless = await setup(t)
  await keyless.model.chat(request())
  t.notOk('authorization' in (keyless.upstream.chatRequests[0]?.headers ?? {}), 'no Authorization header without a key')
})

t.test('429 becomes UPSTREAM_RATE_LIMITED with Retry-After in any of its forms', async (t) => {
  const { upstream, model } = await setup(t)
  upstream.script(
    { kind: 'rate_limited', retryAfterSeconds: 2 },
    { kind: 'rate_limited', retryAfterMs: 1500 },
    { kind: 'rate_limited', retryAfterDate: new Date(Date.now() + 120_000) },
    { kind: 'rate_limited' },
  )
  const seconds = await driberErrorOf(model.chat(request()))
  t.equal(seconds.code, 'DRIBER_UPSTREAM_RATE_LIMITED')
  t.equal(seconds.retryable, true)
  t.equal(seconds.retryAfterMs, 2000)
  t.equal((await driberErrorOf(model.chat(request()))).retryAfterMs, 1500)
  const dated = await driberErrorOf(model.chat(request()))
  // An HTTP date has one-second resolution; the hint is "about two minutes", never negative.
  t.ok(dated.retryAfterMs !== undefined && dated.retryAfterMs > 100_000 && dated.retryAfterMs <= 120_000, `date parsed (${dated.retryAfterMs})`)
  t.equal((await driberErrorOf(model.chat(request()))).retryAfterMs, undefined, 'no header, no hint')
  t.equal(upstream.chatRequests.length, 4, 'the SDK does not retry by itself')
})

t.test('5xx becomes UPSTREAM_UNAVAILABLE, retryable', async (t) => {
  const { upstream, model } = await setup(t)
  for (const status of [500, 502, 503]) {
    upstream.script({ kind: 'status', status })
    const error = await driberErrorOf(model.chat(request()))
    t.equal(error.code, 'DRIBER_UPSTREAM_UNAVAILABLE', `status ${status}`)
    t.equal(error.retryable, true)
    t.equal(error.details?.status, status)
  }
  upstream.script({ kind: 'status', status: 503, headers: { 'retry-after': '3' } })
  t.equal((await driberErrorOf(model.chat(request()))).retryAfterMs, 3000, 'a 503 Retry-After is kept as a hint')
  t.equal(upstream.chatRequests.length, 4, 'one upstream call per attempt')
})

t.test('4xx: auth failures and rejections are not retryable', async (t) => {
  const { upstream, model } = await setup(t)
  upstream.script(
    { kind: 'status', status: 401, message: 'Incorrect API key provided: sk-abc***xyz' },
    { kind: 'status', status: 403 },
    { kind: 'status', status: 400, message: 'Invalid schema for response_format', code: 'invalid_schema' },
    { kind: 'status', status: 404, message: 'The model does not exist' },
    { kind: 'status', status: 400, message: 'x'.repeat(1000) },
  )
  const unauthorised = await driberErrorOf(model.chat(request()))
  t.equal(unauthorised.code, 'DRIBER_UPSTREAM_AUTH')
  t.equal(unauthorised.retryable, false)
  t.notOk(JSON.stringify(unauthorised.toBody()).includes('sk-abc'), 'the upstream auth message (a masked key) is not passed on')
  t.equal((await driberErrorOf(model.chat(request()))).code, 'DRIBER_UPSTREAM_AUTH', '403')
  const rejected = await driberErrorOf(model.chat(request()))
  t.equal(rejected.code, 'DRIBER_UPSTREAM_REJECTED')
  t.equal(rejected.retryable, false)
  t.same(rejected.details, { model: 'test-model', status: 400, upstream_code: 'invalid_schema', upstream_message: 'Invalid schema for response_format' })
  t.equal((await driberErrorOf(model.chat(request()))).code, 'DRIBER_UPSTREAM_REJECTED', '404')
  const long = await driberErrorOf(model.chat(request()))
  t.notOk('upstream_message' in (long.details ?? {}), 'long upstream bodies are left out')
})

t.test('connection failures become UPSTREAM_UNAVAILABLE', async (t) => {
  const { upstream, model } = await setup(t)
  upstream.script({ kind: 'reset' }, { kind: 'drop' })
  const reset = await driberErrorOf(model.chat(request()))
  t.equal(reset.code, 'DRIBER_UPSTREAM_UNAVAILABLE', 'reset mid-body')
  t.equal(reset.retryable, true)
  t.equal((await driberErrorOf(model.chat(request()))).code, 'DRIBER_UPSTREAM_UNAVAILABLE', 'dropped before any byte')

  const gone = await startFakeUpstream()
  const port = gone.baseUrl
  await gone.close()
  const refused = createOpenAIProvider().createChatModel(entryFor(port), () => undefined)
  t.teardown(() => refused.close?.())
  const error = await driberErrorOf(refused.chat(request()))
  t.equal(error.code, 'DRIBER_UPSTREAM_UNAVAILABLE', 'connection refused')
  t.equal(error.retryable, true)
})

t.test('a 200 that is not a completion is an upstream fault, not an empty answer', async (t) => {
  const { upstream, model } = await setup(t)
  upstream.setResponder(() => ({ kind: 'status', status: 200, message: 'not a completion' }))
  const error = await driberErrorOf(model.chat(request()))
  t.equal(error.code, 'DRIBER_UPSTREAM_UNAVAILABLE')
})

t.test('fractional and out-of-range budgets (from remaining deadlines) still make a valid attempt', async (t) => {
  const { upstream, model } = await setup(t)
  upstream.script({ kind: 'json', value: { share: true } }, { kind: 'hang' })
  t.same(JSON.parse((await model.chat(request({ timeoutMs: 1234.56 }))).content), { share: true }, 'a fractional budget')
  const error = await driberErrorOf(model.chat(request({ timeoutMs: 0.4 })))
  t.equal(error.code, 'DRIBER_UPSTREAM_TIMEOUT', 'a budget under 1 ms times out rather than crashing')
  t.equal(attemptBudget(Number.POSITIVE_INFINITY), 2_147_483_647, 'no budget means the longest timer, not an instant one')
  t.equal(attemptBudget(-5), 1)
  t.equal(attemptBudget(10.1), 11)
})

t.test('an upstream that never answers times out, and the upstream sees the call cut off', async (t) => {
  const { upstream, model } = await setup(t)
  upstream.script({ kind: 'hang' })
  const error = await driberErrorOf(model.chat(request({ timeoutMs: 200 })))
  t.equal(error.code, 'DRIBER_UPSTREAM_TIMEOUT')
  t.equal(error.retryable, true)
  t.equal(error.details?.timeout_ms, 200)
  await upstream.waitForAborted(1)
  t.equal(upstream.chatRequests[0]?.aborted, true)
})

t.test('the idle timeout catches a silent upstream long before the attempt timeout', async (t) => {
  // The attempt budget is far beyond tap's timeout: only the idle timeout can end these calls.
  const { upstream, model } = await setup(t, { idle_timeout_ms: 150, timeout_ms: 600_000 })
  upstream.script({ kind: 'hang' }, { kind: 'drip', intervalMs: 10, chunks: 4, stallAfter: 2 })
  const silent = await driberErrorOf(model.chat(request({ timeoutMs: 600_000 })))
  t.equal(silent.code, 'DRIBER_UPSTREAM_TIMEOUT', 'no headers')
  const stalled = await driberErrorOf(model.chat(request({ timeoutMs: 600_000 })))
  t.equal(stalled.code, 'DRIBER_UPSTREAM_TIMEOUT', 'body stops half-way')
  await upstream.waitForAborted(2)
})

t.test('a slow drip that keeps coming is read to the end', async (t) => {
  const { upstream, model } = await setup(t, { idle_timeout_ms: 1_000 })
  upstream.script({ kind: 'drip', intervalMs: 20, chunks: 5, then: { kind: 'json', value: { share: false } } })
  t.same(JSON.parse((await model.chat(request())).content), { share: false })
})

t.test("the request's signal cancels the upstream call and its reason is what the caller gets", async (t) => {
  const { upstream, model } = await setup(t)
  upstream.scriptRepeat({ kind: 'hang' }, 3)

  const cancel = new AbortController()
  const cancelled = model.chat(request({ signal: cancel.signal }))
  await upstream.waitForRequests(1)
  const reason = new DriberError('CANCELLED')
  cancel.abort(reason)
  t.equal(await driberErrorOf(cancelled), reason, 'the transport-set reason is rethrown as is')
  await upstream.waitForAborted(1)

  const deadline = new AbortController()
  const late = model.chat(request({ signal: deadline.signal }))
  await upstream.waitForRequests(2)
  deadline.abort(new DriberError('DEADLINE_EXCEEDED'))
  t.equal((await driberErrorOf(late)).code, 'DRIBER_DEADLINE_EXCEEDED')
  await upstream.waitForAborted(2)

  const plain = new AbortController()
  const other = model.chat(request({ signal: plain.signal }))
  await upstream.waitForRequests(3)
  plain.abort()
  t.equal((await driberErrorOf(other)).code, 'DRIBER_CANCELLED', 'a reason that is not ours reads as a cancel')
  await upstream.waitForAborted(3)

  const before = upstream.requestCount
  const already = new AbortController()
  already.abort(new DriberError('DEADLINE_EXCEEDED'))
  t.equal((await driberErrorOf(model.chat(request({ signal: already.signal })))).code, 'DRIBER_DEADLINE_EXCEEDED')
  t.equal(upstream.requestCount, before, 'an already-aborted request never reaches the upstream')
})

t.test('models on one base URL share keep-alive connections and release them on close', async (t) => {
  const upstream = await startFakeUpstream()
  t.teardown(() => upstream.close())
  const provider = createOpenAIProvider()
  const first = provider.createChatModel(entryFor(upstream.baseUrl), () => undefined)
  const second = provider.createChatModel({ ...entryFor(upstream.baseUrl), id: 'other-model', idle_timeout_ms: 2_000 }, () => undefined)
  for (let i = 0; i < 6; i++) {
    await first.chat(request())
    await second.chat(request())
  }
  t.equal(upstream.requestCount, 12)
  // undici may open a second socket while the first is being handed back, but never one per call.
  const opened = upstream.totalConnections
  t.ok(opened <= 2, `twelve sequential calls from two models reuse pooled sockets (${opened} opened)`)
  await first.close?.()
  await second.chat(request())
  t.equal(upstream.totalConnections, opened, 'closing one model leaves the shared pool to the other')
  await second.close?.()
  await upstream.waitForIdle()
  t.equal(upstream.openConnections, 0, 'the last model to close closes the sockets')
})

t.test('no timer or socket outlives the calls', async (t) => {
  const upstream = await startFakeUpstream()
  const model = createOpenAIProvider().createChatModel(entryFor(upstream.baseUrl), () => undefined)
  upstream.script({ kind: 'hang' }, { kind: 'status', status: 500 })
  await driberErrorOf(model.chat(request({ timeoutMs: 100 })))
  await driberErrorOf(model.chat(request()))
  await model.chat(request())
  await model.close?.()
  await upstream.close()
  // Handles close on the next turns of the event loop; wait for them rather than for a fixed time.
  const leftovers = (): string[] => process.getActiveResourcesInfo().filter((name) => name === 'Timeout' || name.startsWith('TCP'))
  for (let turn = 0; turn < 50 && leftovers().length > 0; turn++) await new Promise((resolve) => setImmediate(resolve))
  t.same(leftovers(), [])
})
