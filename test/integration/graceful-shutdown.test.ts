/**
 * Graceful shutdown under load, on both transports: 500 requests in flight against a slow
 * upstream (250 over HTTP, 250 over gRPC) when the drain begins (`app.close()`, what SIGTERM does
 * in `server.ts` after turning readiness off). Every accepted request must be answered with its
 * result; requests that arrive after the drain began are refused with `DRIBER_SHUTTING_DOWN`, or
 * cannot connect at all (the listeners are closed): nothing accepted is dropped.
 */
import t from 'tap'
import { errors as undiciErrors } from 'undici'
import type { RegistryData } from '../../src/registry/registry-schema.js'
import { startFaultHarness, type CallResult, type Transport } from '../support/fault-harness.js'
import { beachDialogue, testRegistry } from '../helper.js'

const IN_FLIGHT = 500
const UPSTREAM_DELAY_MS = 1500

/** Room for every request at once: this test is about draining, not about shedding. */
const roomyRegistry = (baseUrl: string): RegistryData => {
  const registry = testRegistry(baseUrl)
  return { ...registry, models: registry.models.map((model) => ({ ...model, timeout_ms: 20_000, max_concurrency: 1024, max_queue: 1024 })) }
}

/** A late request: answered with a refusal, or never connected. Anything else is a dropped request. */
const lateOutcome = async (attempt: Promise<CallResult>): Promise<string> => {
  try {
    const result = await attempt
    return result.ok ? 'ok' : result.code
  } catch (error) {
    const code = (error as { code?: string }).code
    if (error instanceof undiciErrors.SocketError || code === 'UND_ERR_SOCKET') return 'dropped'
    return code === 'ECONNREFUSED' ? 'not_connected' : `dropped:${code ?? String(error)}`
  }
}

t.test(`SIGTERM-equivalent drain with ${IN_FLIGHT} requests in flight answers every one of them, on both transports`, async (t) => {
  const harness = await startFaultHarness(t, {
    config: { rateLimit: { enabled: false }, deadlines: { defaultRequestMs: 30_000, drainMs: 90_000 } },
    registry: roomyRegistry,
    upstream: {
      responder: (request) => (request.path.endsWith('/chat/completions') ? { kind: 'default', delayMs: UPSTREAM_DELAY_MS } : undefined),
    },
  })
  const { app, upstream } = harness

  const inFlight = Array.from({ length: IN_FLIGHT }, (_, index) => {
    const transport: Transport = index % 2 === 0 ? 'http' : 'grpc'
    return harness.call(transport, 'decide', { dialogue: beachDialogue }).then((result) => ({ transport, result }))
  })
  // Every request has reached the upstream: all are accepted and in flight.
  while (upstream.chatRequests.length < IN_FLIGHT) await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(upstream.chatRequests.length, IN_FLIGHT)

  app.setServing(false)
  const drained = app.close()
  t.equal(app.readiness().status, 'not_ready', 'readiness is off at once')
  t.equal(app.grpc?.serving, false, 'gRPC health says NOT_SERVING at once')

  const late = await Promise.all(
    Array.from({ length: 20 }, (_, index) => lateOutcome(harness.call(index % 2 === 0 ? 'http' : 'grpc', 'decide', { dialogue: beachDialogue }))),
  )
  const answers = await Promise.all(inFlight)
  // The drain ends with the last answer, not when its (long) time is up: connections that were
  // busy when it began must close after their answer instead of idling in keep-alive.
  const settled = await Promise.race([drained.then(() => 'drained'), new Promise((resolve) => setTimeout(() => resolve('still draining'), 15_000).unref())])
  t.equal(settled, 'drained', 'the drain finished once the in-flight requests were answered')
  await drained

  const failed = answers.filter(({ result }) => !result.ok)
  t.same(
    failed.map(({ transport, result }) => `${transport}:${result.ok ? 'ok' : result.code}`),
    [],
    'every in-flight request was answered with its result',
  )
  t.equal(answers.filter(({ transport, result }) => transport === 'http' && result.ok).length, IN_FLIGHT / 2)
  t.equal(answers.filter(({ transport, result }) => transport === 'grpc' && result.ok).length, IN_FLIGHT / 2)
  t.equal(upstream.abortedCount, 0, 'no upstream call was cut short by the drain')
  const allowedLate = new Set(['DRIBER_SHUTTING_DOWN', 'not_connected', 'NO_CODE'])
  t.same(
    late.filter((outcome) => !allowedLate.has(outcome)),
    [],
    `late requests were refused or never connected (${[...new Set(late)].join(', ')})`,
  )
})

t.test('a drain that runs out of time still answers: what is left gets cut, nothing hangs', async (t) => {
  const harness = await startFaultHarness(t, {
    config: { rateLimit: { enabled: false }, deadlines: { defaultRequestMs: 30_000 } },
    registry: roomyRegistry,
    upstream: { responder: (request) => (request.path.endsWith('/chat/completions') ? { kind: 'hang' } : undefined) },
  })
  const pending = Array.from({ length: 10 }, (_, index) =>
    lateOutcome(harness.call(index % 2 === 0 ? 'http' : 'grpc', 'decide', { dialogue: beachDialogue })),
  )
  while (harness.upstream.chatRequests.length < 10) await new Promise((resolve) => setTimeout(resolve, 20))
  await harness.app.close({ drainMs: 300 })
  const outcomes = await Promise.all(pending)
  t.equal(outcomes.length, 10, 'every caller got an outcome once the drain time was up')
  t.notOk(outcomes.includes('ok'))
})
