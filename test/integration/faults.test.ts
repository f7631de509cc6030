/**
 * Fault injection, end to end, on both transports: the whole app (HTTP and gRPC on real ports)
 * and the real OpenAI SDK against the scriptable fake upstream. Route for every stage: model-a,
 * then model-b; per-attempt timeout 1.5 s; up to 3 attempts per model; one re-ask.
 *
 * For every fault the client must get the right answer or the right typed error within its
 * deadline; the app's own counters must agree with what happened (the attempts the answer
 * reports, the requests the upstream saw); no promise may be left rejected and unhandled; and once
 * everything is closed, no socket, server or timer the case opened may still be alive.
 */
import t, { type Test } from 'tap'
import type { Behaviour, RecordedRequest } from '../support/fake-upstream.js'
import { freePort } from '../support/free-port.js'
import {
  activeResources,
  faultRegistry,
  settleResources,
  startFaultHarness,
  TRANSPORTS,
  type CallResult,
  type FaultHarness,
  type FaultHarnessOptions,
  type Transport,
} from '../support/fault-harness.js'
import { beachDialogue, testRegistry } from '../helper.js'

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason)
}
process.on('unhandledRejection', onUnhandled)
t.teardown(() => {
  process.removeListener('unhandledRejection', onUnhandled)
})

/** gRPC status codes the answers below are checked against. */
const GRPC = { RESOURCE_EXHAUSTED: 8, DEADLINE_EXCEEDED: 4, UNAVAILABLE: 14 } as const

/** Answers chat requests by upstream model name; embeddings get the default. */
const byModel =
  (behaviours: Record<string, (request: RecordedRequest, count: number) => Behaviour | undefined>) =>
  (): ((request: RecordedRequest) => Behaviour | undefined) => {
    const counts = new Map<string, number>()
    return (request) => {
      if (!request.path.endsWith('/chat/completions')) return undefined
      const model = (request.body as { model?: string }).model ?? ''
      const count = (counts.get(model) ?? 0) + 1
      counts.set(model, count)
      return behaviours[model]?.(request, count)
    }
  }

const always = (behaviour: Behaviour) => (): Behaviour => behaviour
const firstThen = (first: Behaviour, times = 1) => (_request: RecordedRequest, count: number): Behaviour | undefined =>
  count <= times ? first : undefined

interface Attempt {
  model: string
  outcome: string
  reason?: string
  code?: string
}

const attemptsOf = (result: CallResult): Attempt[] => (result.ok ? ((result.body.attempts as Attempt[] | undefined) ?? []) : [])

/**
 * The counters must tell the same story as the answer: every upstream call observed, every
 * retry (same model again after an error), every fallback (a move to another model) and every
 * parse failure counted once.
 */
const checkCountersAgainstAttempts = async (t: Test, harness: FaultHarness, attempts: Attempt[], stage = 'decide'): Promise<void> => {
  const called = attempts.filter((attempt) => attempt.outcome !== 'skipped')
  let retries = 0
  let fallbacks = 0
  attempts.forEach((attempt, index) => {
    const next = attempts[index + 1]
    if (next === undefined) return
    if (next.model !== attempt.model) fallbacks++
    else if (attempt.outcome === 'error') retries++
  })
  t.equal(await harness.metric('gen_ai_client_operation_duration_seconds_count', { gen_ai_operation_name: 'chat' }), called.length, 'upstream calls counted')
  t.equal(await harness.metric('driber_retries_total', { stage }), retries, 'retries counted')
  t.equal(await harness.metric('driber_fallbacks_total', { stage }), fallbacks, 'fallbacks counted')
  t.equal(
    await harness.metric('driber_parse_failures_total', { stage }),
    attempts.filter((attempt) => attempt.outcome === 'parse_failure').length,
    'parse failures counted',
  )
}

/** The transport's completion counter saw exactly this one call, with this outcome. */
const checkTransportCounter = async (t: Test, harness: FaultHarness, transport: Transport, result: CallResult): Promise<void> => {
  if (transport === 'http') {
    const status = result.ok ? '200' : String(result.status)
    t.equal(await harness.metric('http_server_request_duration_seconds_count', { http_route: '/v1/decide', http_response_status_code: status }), 1, `one HTTP ${status} counted`)
  } else {
    const total = await harness.metric('grpc_server_handled_total', { grpc_method: 'Decide' })
    t.equal(total, 1, 'one gRPC call counted')
  }
}

interface FaultCase {
  name: string
  harness?: FaultHarnessOptions | (() => Promise<FaultHarnessOptions>)
  responder?: () => (request: RecordedRequest) => Behaviour | undefined
  deadlineMs?: number
  check(t: Test, harness: FaultHarness, result: CallResult, transport: Transport): Promise<void>
}

const expectAnswerFrom = (model: string) => async (t: Test, harness: FaultHarness, result: CallResult): Promise<Attempt[]> => {
  t.ok(result.ok, `answered (${result.ok ? 'ok' : result.code})`)
  if (!result.ok) return []
  t.equal(result.body.model, model, `answered by ${model}`)
  t.equal(typeof result.body.share, 'boolean')
  const attempts = attemptsOf(result)
  await checkCountersAgainstAttempts(t, harness, attempts)
  return attempts
}

const closedPort = async (): Promise<string> => `http://127.0.0.1:${await freePort()}/v1`

const cases: FaultCase[] = [
  {
    name: 'hang: the primary accepts and never answers; the fallback answers',
    responder: byModel({ 'fake-model-a': always({ kind: 'hang' }) }),
    async check(t, harness, result) {
      const attempts = await expectAnswerFrom('model-b')(t, harness, result)
      const onA = attempts.filter((attempt) => attempt.model === 'model-a')
      t.ok(onA.length >= 1 && onA.every((attempt) => attempt.code === 'DRIBER_UPSTREAM_TIMEOUT'), 'model-a timed out')
      await harness.upstream.waitForAborted(onA.length)
      t.equal(harness.upstream.abortedCount, onA.length, 'every hung upstream request was cut off')
    },
  },
  {
    name: 'hang everywhere: the client deadline is kept',
    responder: byModel({ 'fake-model-a': always({ kind: 'hang' }), 'fake-model-b': always({ kind: 'hang' }) }),
    deadlineMs: 700,
    async check(t, harness, result, transport) {
      t.notOk(result.ok)
      if (result.ok) return
      t.equal(result.status, transport === 'http' ? 504 : GRPC.DEADLINE_EXCEEDED)
      // grpc-js may answer the client's own deadline before the server's status arrives.
      t.ok(['DRIBER_DEADLINE_EXCEEDED', ...(transport === 'grpc' ? ['NO_CODE'] : [])].includes(result.code), result.code)
      t.ok(result.elapsedMs < 700 + 2000, `answered near the deadline (${Math.round(result.elapsedMs)} ms), not left hanging`)
      await harness.upstream.waitForAborted(harness.upstream.chatRequests.length)
      t.equal(harness.upstream.abortedCount, harness.upstream.chatRequests.length, 'no upstream request outlives the deadline')
    },
  },
  {
    name: 'slow drip: headers at once, then a body slower than the attempt timeout; the fallback answers',
    responder: byModel({ 'fake-model-a': always({ kind: 'drip', intervalMs: 150, chunks: 40 }) }),
    async check(t, harness, result) {
      const attempts = await expectAnswerFrom('model-b')(t, harness, result)
      t.ok(attempts.some((attempt) => attempt.model === 'model-a' && attempt.code === 'DRIBER_UPSTREAM_TIMEOUT'))
    },
  },
  {
    name: 'stalled drip: two chunks, then silence on an open socket',
    responder: byModel({ 'fake-model-a': always({ kind: 'drip', intervalMs: 10, chunks: 10, stallAfter: 2 }) }),
    async check(t, harness, result) {
      await expectAnswerFrom('model-b')(t, harness, result)
    },
  },
  {
    name: 'connection reset mid-body, once: retried on the same model',
    responder: byModel({ 'fake-model-a': firstThen({ kind: 'reset', afterBytes: 20 }) }),
    async check(t, harness, result) {
      const attempts = await expectAnswerFrom('model-a')(t, harness, result)
      t.same(
        attempts.map((attempt) => [attempt.outcome, attempt.code]),
        [
          ['error', 'DRIBER_UPSTREAM_UNAVAILABLE'],
          ['ok', undefined],
        ],
      )
      t.equal(await harness.metric('driber_retries_total', { model: 'model-a', error_code: 'DRIBER_UPSTREAM_UNAVAILABLE' }), 1)
    },
  },
  {
    name: 'malformed JSON, once: re-asked on the same model',
    responder: byModel({ 'fake-model-a': firstThen({ kind: 'content', content: '{"share": tru' }) }),
    async check(t, harness, result) {
      const attempts = await expectAnswerFrom('model-a')(t, harness, result)
      t.same(
        attempts.map((attempt) => attempt.outcome),
        ['parse_failure', 'ok'],
      )
      t.ok(['invalid_json', 'truncated'].includes(attempts[0]?.reason ?? ''), `reason ${attempts[0]?.reason}`)
    },
  },
  {
    name: 'truncated by the token limit, once: re-asked',
    responder: byModel({ 'fake-model-a': firstThen({ kind: 'truncated' }) }),
    async check(t, harness, result) {
      const attempts = await expectAnswerFrom('model-a')(t, harness, result)
      t.same(
        attempts.map((attempt) => [attempt.outcome, attempt.reason]),
        [
          ['parse_failure', 'truncated'],
          ['ok', undefined],
        ],
      )
      t.equal(await harness.metric('driber_parse_failures_total', { reason: 'truncated' }), 1)
    },
  },
  {
    name: '429 with a short Retry-After, twice: waited for and retried on the same model',
    responder: byModel({ 'fake-model-a': firstThen({ kind: 'rate_limited', retryAfterMs: 20 }, 2) }),
    async check(t, harness, result) {
      const attempts = await expectAnswerFrom('model-a')(t, harness, result)
      t.same(
        attempts.map((attempt) => attempt.code ?? attempt.outcome),
        ['DRIBER_UPSTREAM_RATE_LIMITED', 'DRIBER_UPSTREAM_RATE_LIMITED', 'ok'],
      )
    },
  },
  {
    name: '429 storm on the primary with a long Retry-After: not waited for; the fallback answers',
    responder: byModel({ 'fake-model-a': always({ kind: 'rate_limited', retryAfterSeconds: 30 }) }),
    async check(t, harness, result) {
      const attempts = await expectAnswerFrom('model-b')(t, harness, result)
      t.equal(attempts.filter((attempt) => attempt.model === 'model-a').length, 1, 'one call to model-a, no retry into a 30 s wait')
      t.ok(result.elapsedMs < 10_000)
    },
  },
  {
    name: '429 storm everywhere: 429 / RESOURCE_EXHAUSTED DRIBER_UPSTREAM_RATE_LIMITED with the upstream Retry-After',
    responder: byModel({
      'fake-model-a': always({ kind: 'rate_limited', retryAfterSeconds: 30 }),
      'fake-model-b': always({ kind: 'rate_limited', retryAfterSeconds: 30 }),
    }),
    async check(t, harness, result, transport) {
      t.notOk(result.ok)
      if (result.ok) return
      t.equal(result.code, 'DRIBER_UPSTREAM_RATE_LIMITED')
      t.equal(result.status, transport === 'http' ? 429 : GRPC.RESOURCE_EXHAUSTED)
      t.ok((result.retryAfterMs ?? 0) >= 1000, `Retry-After passed on (${result.retryAfterMs} ms)`)
      // One 429 per model ends the request (a wait of 30 s is beyond the cap); on a starved machine an
      // attempt may also time out first, so the count is checked against what the upstream saw.
      t.equal(await harness.metric('gen_ai_client_operation_duration_seconds_count', { error_type: 'DRIBER_UPSTREAM_RATE_LIMITED' }), 2, 'one 429 per model')
      t.equal(await harness.metric('gen_ai_client_operation_duration_seconds_count', { gen_ai_operation_name: 'chat' }), harness.upstream.chatRequests.length, 'every upstream call counted')
    },
  },
  {
    name: '500 burst shorter than the attempt budget: retried on the same model',
    responder: byModel({ 'fake-model-a': firstThen({ kind: 'status', status: 500 }, 2) }),
    async check(t, harness, result) {
      const attempts = await expectAnswerFrom('model-a')(t, harness, result)
      t.equal(attempts.length, 3)
      t.equal(await harness.metric('driber_retries_total', { model: 'model-a' }), 2)
      t.equal(harness.upstream.chatRequests.length, 3, 'the upstream saw exactly the counted calls')
    },
  },
  {
    name: '500 on every call to the primary: attempts exhausted, the fallback answers',
    responder: byModel({ 'fake-model-a': always({ kind: 'status', status: 503 }) }),
    async check(t, harness, result) {
      const attempts = await expectAnswerFrom('model-b')(t, harness, result)
      t.equal(attempts.filter((attempt) => attempt.model === 'model-a').length, 3, 'maxAttempts calls to model-a')
      t.equal(harness.upstream.chatRequests.length, attempts.length)
    },
  },
  {
    name: 'one model down (nothing listens at its address), a healthy fallback',
    harness: async () => {
      const down = await closedPort()
      return {
        registry: (baseUrl: string) => {
          const registry = faultRegistry(1500)(baseUrl)
          return { ...registry, models: registry.models.map((model) => (model.id === 'model-a' ? { ...model, base_url: down } : model)) }
        },
      }
    },
    async check(t, harness, result) {
      const attempts = await expectAnswerFrom('model-b')(t, harness, result)
      t.ok(attempts.some((attempt) => attempt.model === 'model-a' && attempt.code === 'DRIBER_UPSTREAM_UNAVAILABLE'))
      t.ok(harness.upstream.chatRequests.every((request) => (request.body as { model: string }).model === 'fake-model-b'))
    },
  },
  {
    name: 'all models down: a fast 503 / UNAVAILABLE, never a hang',
    harness: async () => {
      const down = await closedPort()
      return {
        registry: (baseUrl: string) => {
          const registry = testRegistry(baseUrl)
          return { ...registry, models: registry.models.map((model) => ({ ...model, base_url: down })) }
        },
      }
    },
    deadlineMs: 5000,
    async check(t, harness, result, transport) {
      t.notOk(result.ok)
      if (result.ok) return
      t.ok(['DRIBER_UPSTREAM_UNAVAILABLE', 'DRIBER_CIRCUIT_OPEN'].includes(result.code), result.code)
      t.equal(result.status, transport === 'http' ? 503 : GRPC.UNAVAILABLE)
      t.ok(result.elapsedMs < 5000, 'well inside the deadline')
      t.equal(await harness.metric('driber_stage_duration_seconds_count', { stage: 'decide', outcome: 'error' }), 1)
    },
  },
]

for (const transport of TRANSPORTS) {
  for (const fault of cases) {
    t.test(`${transport}: ${fault.name}`, async (t) => {
      const baseline = activeResources()
      const options = typeof fault.harness === 'function' ? await fault.harness() : (fault.harness ?? {})
      const harness = await startFaultHarness(t, {
        ...options,
        ...(fault.responder === undefined ? {} : { upstream: { responder: fault.responder() } }),
      })
      const result = await harness.call(transport, 'decide', { dialogue: beachDialogue }, { deadlineMs: fault.deadlineMs ?? 8000 })
      await fault.check(t, harness, result, transport)
      await checkTransportCounter(t, harness, transport, result)
      await harness.close()
      const after = await settleResources(baseline)
      const leaked = Object.fromEntries(Object.entries(after).filter(([type, count]) => count > (baseline[type] ?? 0)))
      t.same(leaked, {}, 'no socket, server or timer left behind')
      t.same(unhandled, [], 'no unhandled rejection')
    })
  }
}

t.test('a breaker opens for a dead model: later calls skip it without waiting on it (both transports share it)', async (t) => {
  const down = await closedPort()
  const harness = await startFaultHarness(t, {
    config: { resilience: { breaker: { minimumCalls: 4, windowSize: 8, failureRatio: 0.5, halfOpenAfterMs: 60_000 } } },
    registry: (baseUrl) => {
      const registry = faultRegistry(1500)(baseUrl)
      return { ...registry, models: registry.models.map((model) => (model.id === 'model-a' ? { ...model, base_url: down } : model)) }
    },
  })
  let skipped = false
  for (let i = 0; i < 8 && !skipped; i++) {
    const result = await harness.call(i % 2 === 0 ? 'http' : 'grpc', 'decide', { dialogue: beachDialogue })
    t.ok(result.ok, `call ${i} answered by the fallback`)
    skipped = attemptsOf(result).some((attempt) => attempt.model === 'model-a' && attempt.outcome === 'skipped')
  }
  t.ok(skipped, 'model-a is skipped once its breaker is open')
  t.equal(await harness.metricMax('driber_circuit_breaker_state', { model: 'model-a' }), 2, 'the gauge says open')
  t.equal(await harness.metricMax('driber_circuit_breaker_state', { model: 'model-b' }), 0, 'the healthy model stays closed')
  t.same(unhandled, [])
})

for (const transport of TRANSPORTS) {
  t.test(`${transport}: every model at its concurrency limit: 429 / RESOURCE_EXHAUSTED DRIBER_OVERLOADED with Retry-After, at once`, async (t) => {
    const harness = await startFaultHarness(t, {
      config: { resilience: { overloadRetryAfterMs: 2000 } },
      registry: (baseUrl) => {
        const registry = faultRegistry(5000)(baseUrl)
        return { ...registry, models: registry.models.map((model) => ({ ...model, max_concurrency: 1, max_queue: 0 })) }
      },
      upstream: { responder: (request) => (request.path.endsWith('/chat/completions') ? { kind: 'hang' } : undefined) },
    })
    // Two slow calls take the one slot of each model (the second falls back from the full model-a).
    const occupying = [0, 1].map(() => harness.call(transport, 'decide', { dialogue: beachDialogue }, { deadlineMs: 3000 }))
    while (harness.upstream.chatRequests.length < 2) await new Promise((resolve) => setTimeout(resolve, 10))
    const refused = await harness.call(transport, 'decide', { dialogue: beachDialogue }, { deadlineMs: 3000 })
    t.notOk(refused.ok)
    if (!refused.ok) {
      t.equal(refused.code, 'DRIBER_OVERLOADED')
      t.equal(refused.status, transport === 'http' ? 429 : GRPC.RESOURCE_EXHAUSTED)
      t.equal(refused.retryAfterMs, 2000, 'the hint to come back')
      t.ok(refused.elapsedMs < 2500, 'refused without waiting for a slot')
    }
    t.equal(harness.upstream.chatRequests.length, 2, 'the refused call reached no model')
    const outcomes = await Promise.all(occupying)
    t.ok(outcomes.every((outcome) => !outcome.ok), 'the hung calls end at their deadline')
    t.same(unhandled, [])
  })
}
