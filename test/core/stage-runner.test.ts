import { getEventListeners } from 'node:events'
import t from 'tap'
import { testConfig, type ConfigData, type DeepPartial } from '../../src/config.js'
import { createCore } from '../../src/core/create-core.js'
import type { RoutedModel } from '../../src/core/model-router.js'
import type { Attempt } from '../../src/core/types.js'
import type { ChatModel } from '../../src/providers/provider.js'
import { DriberError } from '../../src/errors.js'
import {
  ScriptedChatModel,
  USAGE,
  gate,
  indexSet,
  recordingObserver,
  routed,
  scriptedRouter,
  testContext,
  type Step,
} from '../support/scripted-chat-model.js'
import { driberErrorOf } from '../support/driber-error-of.js'

const dialogue = [
  { speaker: 'Ann', text: 'We adopted a puppy today!' },
  { speaker: 'Bo', text: 'What breed?' },
]
const yes = { share: true, speaker: 'Ann', confidence: 0.9, intents: ['information_dissemination'], trigger_turn: 1, rationale: 'Bo asked.' }
const good: Step = { reply: yes }
const badJson: Step = { reply: 'definitely share a photo' }
const unavailable: Step = { fail: new DriberError('UPSTREAM_UNAVAILABLE') }

/** Fast retries by default; each test overrides what it exercises. */
const build = (models: RoutedModel[], overrides: DeepPartial<ConfigData> = {}) => {
  const recorder = recordingObserver()
  const config = testConfig({
    ...overrides,
    resilience: { baseDelayMs: 1, maxDelayMs: 2, timeoutGraceMs: 0, ...overrides.resilience },
  })
  const core = createCore({
    config,
    router: scriptedRouter(models),
    indexes: indexSet([]),
    models: { list: () => ({ models: [], embedders: [], aliases: {}, routes: {} }) },
    observer: recorder.observer,
  })
  return { core, recorder }
}

/** Runs a decide call in a fresh context, returning its result or its DriberError. */
const decide = async (core: ReturnType<typeof build>['core'], t: { teardown: (fn: () => void) => void }, options: { budgetMs?: number; model?: string } = {}) => {
  const scope = testContext(options.budgetMs)
  t.teardown(scope.dispose)
  return core.decide({ dialogue, ...(options.model === undefined ? {} : { model: options.model }) }, scope.context)
}

const attemptsOf = (error: DriberError): Attempt[] => (error.details?.attempts ?? []) as Attempt[]

t.test('success: one call, the request built from the model, usage and events recorded', async (t) => {
  const model = new ScriptedChatModel('alpha', [good])
  const { core, recorder } = build([routed(model, { output: 'json_schema', timeoutMs: 4321 })])
  const scope = testContext()
  t.teardown(scope.dispose)
  const result = await core.decide({ dialogue, speaker: 'Ann' }, scope.context)
  t.match(result, { share: true, speaker: 'Ann', confidence: 0.9, trigger: { turn: 1, text: 'What breed?' }, model: 'alpha' })
  t.same(result.usage, USAGE)
  t.match(result.attempts, [{ model: 'alpha', outcome: 'ok' }])
  const request = model.requests[0]
  t.equal(request?.output.mode, 'json_schema')
  t.equal(request?.output.name, 'driber_decide')
  t.same((request?.output.schema as { required: string[] }).required, ['share', 'speaker', 'confidence', 'intents', 'trigger_turn', 'rationale'])
  t.same(request?.decoding, { temperature: 0 })
  t.ok((request?.timeoutMs ?? 0) <= 4321 && (request?.timeoutMs ?? 0) > 0, 'per-attempt timeout bounded by the model timeout')
  t.same(request?.task, { stage: 'decide', dialogue, speaker: 'Ann', speakers: ['Ann', 'Bo'] })
  t.equal(request?.requestId, 'test-request')
  t.ok(scope.context.timing.upstreamSeconds > 0, 'upstream time added to the request timing')
  t.match(recorder.of('upstreamCall'), [{ stage: 'decide', model: 'alpha', provider: 'scripted', usage: USAGE }])
  t.match(recorder.of('decideConfidence'), [{ model: 'alpha', share: true, confidence: 0.9 }])
  t.match(recorder.of('stageDone'), [{ stage: 'decide', model: 'alpha', outcome: 'ok' }])
})

t.test('the output mode follows the model', async (t) => {
  for (const output of ['json_object', 'text'] as const) {
    const model = new ScriptedChatModel('alpha', [good])
    const { core } = build([routed(model, { output })])
    await decide(core, t)
    t.equal(model.requests[0]?.output.mode, output)
  }
})

t.test('re-ask: a bad answer is sent back with the problem, and the second answer is used', async (t) => {
  const model = new ScriptedChatModel('alpha', [badJson, good])
  const { core, recorder } = build([routed(model)])
  const result = await decide(core, t)
  t.equal(result.share, true)
  t.match(result.attempts, [
    { model: 'alpha', outcome: 'parse_failure', reason: 'invalid_json' },
    { model: 'alpha', outcome: 'ok' },
  ])
  t.same(result.usage, { input_tokens: 20, output_tokens: 10, total_tokens: 30 }, 'usage summed over both calls')
  const second = model.requests[1]?.messages ?? []
  t.equal(second.length, 4, 'system, prompt, the bad answer, the re-ask')
  t.same(second[2], { role: 'assistant', content: 'definitely share a photo' })
  t.match(second[3], { role: 'user', content: /could not be used.*valid JSON object/ })
  t.match(recorder.of('parseFailure'), [{ stage: 'decide', model: 'alpha', reason: 'invalid_json' }])
})

t.test('re-ask fails, then the next model answers', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [badJson, { reply: { ...yes, trigger_turn: 9 } }])
  const beta = new ScriptedChatModel('beta', [good])
  const { core, recorder } = build([routed(alpha), routed(beta)])
  const result = await decide(core, t)
  t.equal(result.model, 'beta')
  t.match(result.attempts, [
    { model: 'alpha', outcome: 'parse_failure', reason: 'invalid_json' },
    { model: 'alpha', outcome: 'parse_failure', reason: 'schema_violation' },
    { model: 'beta', outcome: 'ok' },
  ])
  t.match(recorder.of('fallback'), [{ stage: 'decide', from: 'alpha', to: 'beta', reason: 'parse_failure' }])
})

t.test('every model fails to parse: PARSE_FAILURE with the attempts, never a silent "no"', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [badJson, { reply: '', finishReason: 'length' }])
  const beta = new ScriptedChatModel('beta', [{ reply: '', refusal: 'no' }, { reply: '   ' }])
  const { core, recorder } = build([routed(alpha), routed(beta)])
  const error = await driberErrorOf(decide(core, t))
  t.equal(error.kind, 'PARSE_FAILURE')
  t.match(attemptsOf(error), [
    { model: 'alpha', reason: 'invalid_json' },
    { model: 'alpha', reason: 'truncated' },
    { model: 'beta', reason: 'refusal' },
    { model: 'beta', reason: 'empty' },
  ])
  t.match(recorder.of('stageDone'), [{ stage: 'decide', outcome: 'error', errorCode: 'DRIBER_PARSE_FAILURE', model: 'beta' }])
})

t.test('re-asks follow the configuration', async (t) => {
  const model = new ScriptedChatModel('alpha', [badJson, badJson, badJson, good])
  const { core } = build([routed(model)], { parsing: { reasks: 0 } })
  t.equal((await driberErrorOf(decide(core, t))).kind, 'PARSE_FAILURE')
  t.equal(model.calls, 1, 'no re-ask when reasks is 0')
})

t.test('429: retried on the same model after at least its Retry-After', async (t) => {
  const model = new ScriptedChatModel('alpha', [{ fail: new DriberError('UPSTREAM_RATE_LIMITED', { retryAfterMs: 60 }) }, good])
  const { core, recorder } = build([routed(model)])
  const result = await decide(core, t)
  t.match(result.attempts, [
    { model: 'alpha', outcome: 'error', code: 'DRIBER_UPSTREAM_RATE_LIMITED' },
    { model: 'alpha', outcome: 'ok' },
  ])
  const [first, second] = model.requests
  t.ok((second?.at ?? 0) - (first?.at ?? 0) >= 60, 'waited for Retry-After')
  t.match(recorder.of('retry'), [{ stage: 'decide', model: 'alpha', errorCode: 'DRIBER_UPSTREAM_RATE_LIMITED' }])
  t.match(recorder.of('upstreamCall'), [{ errorCode: 'DRIBER_UPSTREAM_RATE_LIMITED' }, { model: 'alpha' }])
})

t.test('a Retry-After beyond the cap moves to the next model instead of waiting', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [{ fail: new DriberError('UPSTREAM_RATE_LIMITED', { retryAfterMs: 60_000 }) }, good])
  const beta = new ScriptedChatModel('beta', [good])
  const { core, recorder } = build([routed(alpha), routed(beta)], { resilience: { retryAfterCapMs: 1_000 } })
  const result = await decide(core, t)
  t.equal(result.model, 'beta')
  t.equal(alpha.calls, 1)
  t.match(recorder.of('fallback'), [{ from: 'alpha', to: 'beta', reason: 'error' }])
})

t.test('retries are bounded by maxAttempts, then the next model is tried', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [], unavailable)
  const beta = new ScriptedChatModel('beta', [good])
  const { core, recorder } = build([routed(alpha), routed(beta)], { resilience: { maxAttempts: 3 } })
  const result = await decide(core, t)
  t.equal(alpha.calls, 3)
  t.equal(result.model, 'beta')
  t.equal(recorder.of('retry').length, 2)
})

t.test('all models down: the most telling upstream error, with attempts', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [], unavailable)
  const beta = new ScriptedChatModel('beta', [], { fail: new DriberError('UPSTREAM_TIMEOUT') })
  const { core } = build([routed(alpha), routed(beta)], { resilience: { maxAttempts: 2 } })
  const error = await driberErrorOf(decide(core, t))
  t.equal(error.kind, 'UPSTREAM_TIMEOUT')
  t.equal(attemptsOf(error).length, 4)
})

t.test('a model that answered garbage and a model that was down: the upstream error, with every attempt', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [], badJson)
  const beta = new ScriptedChatModel('beta', [], unavailable)
  const { core } = build([routed(alpha), routed(beta)], { resilience: { maxAttempts: 1 } })
  const error = await driberErrorOf(decide(core, t))
  t.equal(error.kind, 'UPSTREAM_UNAVAILABLE')
  t.match(attemptsOf(error), [{ outcome: 'parse_failure' }, { outcome: 'parse_failure' }, { outcome: 'error' }])
})

t.test('UPSTREAM_REJECTED fails at once; UPSTREAM_AUTH falls back without retrying', async (t) => {
  const rejecting = new ScriptedChatModel('alpha', [{ fail: new DriberError('UPSTREAM_REJECTED') }])
  const spare = new ScriptedChatModel('beta', [good])
  const first = build([routed(rejecting), routed(spare)])
  t.equal((await driberErrorOf(decide(first.core, t))).kind, 'UPSTREAM_REJECTED')
  t.equal(spare.calls, 0, 'no fallback')

  const locked = new ScriptedChatModel('alpha', [], { fail: new DriberError('UPSTREAM_AUTH') })
  const open = new ScriptedChatModel('beta', [good])
  const second = build([routed(locked), routed(open)])
  t.equal((await decide(second.core, t)).model, 'beta')
  t.equal(locked.calls, 1, 'no retry on auth errors')
})

t.test('an unconverted provider exception falls back instead of crashing', async (t) => {
  const broken: RoutedModel = routed({
    id: 'alpha',
    provider: 'scripted',
    chat: async () => {
      throw new TypeError('provider bug')
    },
  })
  const beta = new ScriptedChatModel('beta', [good])
  const { core } = build([broken, routed(beta)])
  t.equal((await decide(core, t)).model, 'beta')
})

t.test('circuit breaker: opens on failures, routing skips the model, half-opens after the cool-down', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [unavailable, unavailable])
  const beta = new ScriptedChatModel('beta', [], good)
  const { core, recorder } = build([routed(alpha), routed(beta)], {
    resilience: { maxAttempts: 1, breaker: { windowSize: 4, minimumCalls: 2, failureRatio: 0.5, halfOpenAfterMs: 150 } },
  })
  await decide(core, t)
  t.match(core.breakerStates(), [{ model: 'alpha', state: 'closed' }, { model: 'beta', state: 'closed' }], 'one failure is below the minimum')
  await decide(core, t)
  t.match(core.breakerStates(), [{ model: 'alpha', state: 'open' }, { model: 'beta', state: 'closed' }])

  const skipped = await decide(core, t)
  t.equal(alpha.calls, 2, 'the open model is not called')
  t.match(skipped.attempts, [{ model: 'alpha', outcome: 'skipped', code: 'DRIBER_CIRCUIT_OPEN' }, { model: 'beta', outcome: 'ok' }])
  t.match(recorder.of('fallback').at(-1), { from: 'alpha', to: 'beta', reason: 'circuit_open' })

  const onlyAlpha = await driberErrorOf(decide(core, t, { model: 'alpha' }))
  t.equal(onlyAlpha.kind, 'CIRCUIT_OPEN', 'every model of the route open')
  t.ok((onlyAlpha.retryAfterMs ?? 0) > 0 && (onlyAlpha.retryAfterMs ?? 0) <= 150, 'Retry-After is the rest of the cool-down')

  await new Promise((resolve) => setTimeout(resolve, 200))
  const alphaAgain = await decide(core, t, { model: 'alpha' }).catch(() => undefined)
  t.equal(alpha.calls, 3, 'after the cool-down one probe goes through')
  t.ok(alphaAgain === undefined, 'the script is used up, so the probe fails with INTERNAL and the breaker reopens')
  t.match(core.breakerStates()[0], { model: 'alpha', state: 'open' })
})

t.test('circuit breaker closes again after a successful probe', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [unavailable, unavailable, good])
  const { core } = build([routed(alpha)], {
    resilience: { maxAttempts: 1, breaker: { windowSize: 2, minimumCalls: 2, failureRatio: 0.5, halfOpenAfterMs: 100 } },
  })
  await driberErrorOf(decide(core, t))
  await driberErrorOf(decide(core, t))
  t.match(core.breakerStates(), [{ model: 'alpha', state: 'open' }])
  await new Promise((resolve) => setTimeout(resolve, 150))
  t.equal((await decide(core, t)).model, 'alpha')
  t.match(core.breakerStates(), [{ model: 'alpha', state: 'closed' }])
})

t.test('a half-open probe cut short by the caller\'s deadline does not close the breaker: the backend never answered', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [unavailable, unavailable, { hangForever: true }], good)
  const { core } = build([routed(alpha)], {
    resilience: { maxAttempts: 1, breaker: { windowSize: 2, minimumCalls: 2, failureRatio: 0.5, halfOpenAfterMs: 50 } },
  })
  await driberErrorOf(decide(core, t))
  await driberErrorOf(decide(core, t))
  t.match(core.breakerStates(), [{ model: 'alpha', state: 'open' }])
  await new Promise((resolve) => setTimeout(resolve, 80))
  const cut = await driberErrorOf(decide(core, t, { budgetMs: 60 }))
  t.equal(cut.kind, 'DEADLINE_EXCEEDED')
  t.equal(alpha.calls, 3, 'the probe went out')
  t.match(core.breakerStates(), [{ model: 'alpha', state: 'open' }], 're-opened, not closed')
  const skipped = await driberErrorOf(decide(core, t))
  t.equal(skipped.kind, 'CIRCUIT_OPEN', 'the next request is still kept off the model')
  t.equal(alpha.calls, 3)
})

t.test('a breaker that opens during the request: CIRCUIT_OPEN with Retry-After, and the refused retry is not counted as a retry', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [unavailable], good)
  const { core, recorder } = build([routed(alpha)], {
    resilience: { maxAttempts: 3, breaker: { windowSize: 1, minimumCalls: 1, failureRatio: 0.5, halfOpenAfterMs: 30_000 } },
  })
  const error = await driberErrorOf(decide(core, t))
  t.equal(error.kind, 'CIRCUIT_OPEN')
  t.ok((error.retryAfterMs ?? 0) > 0 && (error.retryAfterMs ?? 0) <= 30_000, `Retry-After is the cool-down (${error.retryAfterMs})`)
  t.equal(alpha.calls, 1, 'the breaker refused the retry')
  t.same(recorder.of('retry'), [], 'no retry was made, so none is counted')
  t.match(attemptsOf(error), [{ outcome: 'error', code: 'DRIBER_UPSTREAM_UNAVAILABLE' }, { outcome: 'skipped', code: 'DRIBER_CIRCUIT_OPEN' }])
})

t.test('a retry that is made is counted once', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [unavailable, good])
  const { core, recorder } = build([routed(alpha)], { resilience: { maxAttempts: 3 } })
  t.equal((await decide(core, t)).model, 'alpha')
  t.match(recorder.of('retry'), [{ model: 'alpha', errorCode: 'DRIBER_UPSTREAM_UNAVAILABLE' }])
  t.equal(recorder.of('retry').length, 1)
})

t.test('a call cut by the request deadline is labelled DEADLINE_EXCEEDED, even when the provider\'s attempt timer fires first', async (t) => {
  // Like the openai provider: its own per-attempt timer, set to the budget the runner gives it
  // (here the rest of the request's deadline), fires a moment before the request's deadline timer.
  const timedOut: ChatModel = {
    id: 'alpha',
    provider: 'scripted',
    chat: (request) =>
      new Promise((_resolve, reject) => {
        setTimeout(() => reject(new DriberError('UPSTREAM_TIMEOUT', { details: { model: 'alpha' } })), Math.max(1, request.timeoutMs - 15))
      }),
  }
  const { core, recorder } = build([routed(timedOut, { timeoutMs: 60_000 })], { resilience: { maxAttempts: 1 } })
  for (let round = 0; round < 3; round++) {
    const error = await driberErrorOf(decide(core, t, { budgetMs: 60 }))
    t.equal(error.kind, 'DEADLINE_EXCEEDED', `round ${round}: the deadline, not the backend, cut the call`)
  }
  t.same(
    recorder.of('upstreamCall').map((event) => event.errorCode),
    ['DRIBER_DEADLINE_EXCEEDED', 'DRIBER_DEADLINE_EXCEEDED', 'DRIBER_DEADLINE_EXCEEDED'],
  )
})

t.test('parse failures and rejected requests do not open the breaker', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [], badJson)
  const { core } = build([routed(alpha)], { resilience: { breaker: { windowSize: 2, minimumCalls: 1, failureRatio: 0.1 } } })
  for (let index = 0; index < 3; index++) await driberErrorOf(decide(core, t))
  t.match(core.breakerStates(), [{ model: 'alpha', state: 'closed' }])
})

t.test('bulkhead: beyond concurrency and queue, OVERLOADED with Retry-After, or the next model', async (t) => {
  const held = gate()
  const alpha = new ScriptedChatModel('alpha', [{ gate: held.promise, then: good }], good)
  const beta = new ScriptedChatModel('beta', [], good)
  const alphaRouted = routed(alpha, { maxConcurrency: 1, maxQueue: 0 })
  const { core, recorder } = build([alphaRouted, routed(beta)], { resilience: { overloadRetryAfterMs: 1234 } })
  const first = decide(core, t, { model: 'alpha' })
  await new Promise((resolve) => setImmediate(resolve))

  const overloaded = await driberErrorOf(decide(core, t, { model: 'alpha' }))
  t.equal(overloaded.kind, 'OVERLOADED')
  t.equal(overloaded.retryAfterMs, 1234)
  t.match(attemptsOf(overloaded), [{ model: 'alpha', outcome: 'skipped', code: 'DRIBER_OVERLOADED' }])

  const spilled = await decide(core, t)
  t.equal(spilled.model, 'beta')
  t.match(recorder.of('fallback').at(-1), { from: 'alpha', to: 'beta', reason: 'overloaded' })

  held.release()
  t.equal((await first).model, 'alpha', 'the call holding the slot completes')
  t.equal(alpha.calls, 1, 'refused calls never reached the model')
})

t.test('deadline: DEADLINE_EXCEEDED when the request runs out of time', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [{ hang: true }])
  const { core } = build([routed(alpha)])
  const error = await driberErrorOf(decide(core, t, { budgetMs: 80 }))
  t.equal(error.kind, 'DEADLINE_EXCEEDED')
  t.ok(alpha.requests[0]?.signal.aborted, 'the upstream call was aborted')
})

t.test('a provider that ignores its timeout is cut off at the per-attempt limit', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [{ hangForever: true }])
  const beta = new ScriptedChatModel('beta', [good])
  const { core } = build([routed(alpha, { timeoutMs: 50 }), routed(beta)], { resilience: { maxAttempts: 1 } })
  const result = await decide(core, t)
  t.equal(result.model, 'beta')
  t.match(result.attempts, [{ model: 'alpha', outcome: 'error', code: 'DRIBER_UPSTREAM_TIMEOUT' }, { model: 'beta', outcome: 'ok' }])
  t.ok(alpha.requests[0]?.signal.aborted, 'its signal was aborted too')
})

t.test('client gone: CANCELLED, during a call or during a retry wait', async (t) => {
  t.setTimeout(20_000)
  const hanging = new ScriptedChatModel('alpha', [{ hang: true }])
  const first = build([routed(hanging)])
  const scope = testContext()
  t.teardown(scope.dispose)
  const pending = first.core.decide({ dialogue }, scope.context)
  setTimeout(() => scope.cancel(), 20)
  t.equal((await driberErrorOf(pending)).kind, 'CANCELLED')

  const limited = new ScriptedChatModel('alpha', [{ fail: new DriberError('UPSTREAM_RATE_LIMITED', { retryAfterMs: 60_000 }) }, good])
  const second = build([routed(limited)], { resilience: { retryAfterCapMs: 120_000 } })
  const waiting = testContext(100_000)
  t.teardown(waiting.dispose)
  const retrying = second.core.decide({ dialogue }, waiting.context)
  setTimeout(() => waiting.cancel(), 20)
  t.equal((await driberErrorOf(retrying)).kind, 'CANCELLED', 'the backoff wait ends with the request')
  t.equal(limited.calls, 1)
})

t.test('a request already over calls no model', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [good])
  const { core } = build([routed(alpha)])
  const scope = testContext()
  t.teardown(scope.dispose)
  scope.cancel()
  t.equal((await driberErrorOf(core.decide({ dialogue }, scope.context))).kind, 'CANCELLED')
  t.equal(alpha.calls, 0)
})

t.test('a retry that cannot finish before the deadline is not attempted', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [{ fail: new DriberError('UPSTREAM_RATE_LIMITED', { retryAfterMs: 5_000 }) }, good])
  const { core } = build([routed(alpha)])
  const error = await driberErrorOf(decide(core, t, { budgetMs: 1_000 }))
  t.equal(error.kind, 'UPSTREAM_RATE_LIMITED')
  t.equal(alpha.calls, 1)
})

t.test('an observer that throws does not break the request', async (t) => {
  const alpha = new ScriptedChatModel('alpha', [good])
  const throwing = () => {
    throw new Error('metrics down')
  }
  const core = createCore({
    config: testConfig(),
    router: scriptedRouter([routed(alpha)]),
    indexes: indexSet([]),
    models: { list: () => ({ models: [], embedders: [], aliases: {}, routes: {} }) },
    observer: { upstreamCall: throwing, parseFailure: throwing, retry: throwing, fallback: throwing, escalation: throwing, answered: throwing, stageDone: throwing, decideConfidence: throwing },
  })
  t.equal((await decide(core, t)).model, 'alpha')
})

t.test('no timers or listeners outlive a request, whatever its fate', async (t) => {
  const timers = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length
  const before = timers()
  const alpha = new ScriptedChatModel('alpha', [
    { fail: new DriberError('UPSTREAM_RATE_LIMITED', { retryAfterMs: 5 }) },
    good,
    { hangForever: true },
    { hang: true },
  ])
  const beta = new ScriptedChatModel('beta', [], good)
  const { core } = build([routed(alpha, { timeoutMs: 30 }), routed(beta)], { resilience: { maxAttempts: 1 } })
  const scopes = [testContext(), testContext(), testContext()]
  await core.decide({ dialogue }, scopes[0]!.context).catch(() => undefined)
  await core.decide({ dialogue }, scopes[1]!.context)
  const cancelled = core.decide({ dialogue }, scopes[2]!.context)
  setTimeout(() => scopes[2]!.cancel(), 5)
  await cancelled.catch(() => undefined)
  for (const scope of scopes) scope.dispose()
  await new Promise((resolve) => setImmediate(resolve))
  t.ok(timers() <= before, `timers before ${before}, after ${timers()}`)
  for (const scope of scopes) t.equal(getEventListeners(scope.context.signal, 'abort').length, 0, 'no abort listener left')
})
