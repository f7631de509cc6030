/**
 * Parity: one table of cases, each sent over HTTP and over gRPC to the same app and the same fake
 * upstream. A good request must give the same answer on both (after decoding the wire, and
 * leaving out wall-clock durations); a failing one must give the same catalog code, with the HTTP
 * status and the gRPC status both the ones the catalog lists for it.
 */
import * as grpc from '@grpc/grpc-js'
import t, { type Test } from 'tap'
import type { ConfigData, DeepPartial } from '../../src/config.js'
import { DriberError, ErrorCatalog, type ErrorKind } from '../../src/errors.js'
import { createDriberGrpcClient, type DriberGrpcClient } from '../../src/grpc/grpc-client.js'
import { errorCodeOf } from '../../src/grpc/grpc-errors.js'
import { beachDialogue, buildTestApp, type TestResponse } from '../helper.js'
import type { FakeUpstream } from '../support/fake-upstream.js'

type Operation = 'decide' | 'rank' | 'describe' | 'retrieve' | 'share' | 'models'

interface ParityCase {
  name: string
  operation: Operation
  /** The HTTP JSON body; the gRPC request is the same data in proto form. */
  body: Record<string, unknown>
  config?: DeepPartial<ConfigData>
  /** Sets the upstream's behaviour; called afresh before each transport. */
  upstream?: (upstream: FakeUpstream) => void
  /** The client's own deadline (HTTP `x-request-timeout-ms`, gRPC call deadline). */
  clientDeadlineMs?: number
  /** Absent: both answer, with the same result. */
  error?: ErrorKind
  /**
   * gRPC answers this status before driber's code runs (oversize in grpc-js's decoder, a client
   * deadline in the client library), so `driber-error-code` may be missing; the status must still
   * be the catalog's.
   */
  grpcLibraryAnswers?: boolean
  /**
   * What the answer must say beyond being equal on both transports; `value` is the decoded JSON
   * answer, whose shape the case's operation fixes.
   */
  check?: (t: Test, value: any) => void
}

/** What Decide answers when the model says no image fits. */
const declined = JSON.stringify({ share: false, speaker: 'Ana', confidence: 0.2, intents: [], trigger_turn: null, rationale: 'Nothing to show.' })

const sumOf = (...usages: Array<{ input_tokens: number; output_tokens: number; total_tokens: number }>) => ({
  input_tokens: usages.reduce((total, usage) => total + usage.input_tokens, 0),
  output_tokens: usages.reduce((total, usage) => total + usage.output_tokens, 0),
  total_tokens: usages.reduce((total, usage) => total + usage.total_tokens, 0),
})

const manyTurns = Array.from({ length: 80 }, (_, index) => ({ speaker: index % 2 === 0 ? 'Ana' : 'Ben', text: `turn ${index}` }))

const cases: ParityCase[] = [
  // Good requests, one per stage.
  { name: 'decide, next turn', operation: 'decide', body: { dialogue: beachDialogue, speaker: 'Ana' } },
  { name: 'decide, speaker chosen by the model', operation: 'decide', body: { dialogue: beachDialogue } },
  { name: 'decide, a participant who has not written yet', operation: 'decide', body: { dialogue: beachDialogue, speaker: 'Cleo', participants: ['Cleo'] } },
  { name: 'decide, ranking mode', operation: 'decide', body: { dialogue: beachDialogue, mode: 'rank' } },
  { name: 'rank', operation: 'rank', body: { dialogue: beachDialogue } },
  { name: 'describe with restrictions', operation: 'describe', body: { dialogue: beachDialogue, restrictions: ['prefix', 'specific'], n: 2 } },
  { name: 'describe by alias', operation: 'describe', body: { dialogue: beachDialogue, model: 'primary' } },
  { name: 'retrieve', operation: 'retrieve', body: { descriptions: ['An image of a sea turtle in clear water'], k: 3 } },
  {
    name: 'retrieve with a metadata filter and ef',
    operation: 'retrieve',
    body: { descriptions: ['An image of a sea turtle in clear water'], k: 3, filter: { id: 'dog' }, ef: 64 },
    check: (t, value) => t.same(value.results.map((image: { id: string }) => image.id), ['dog'], 'only the filtered image'),
  },
  {
    name: 'share',
    operation: 'share',
    body: { dialogue: beachDialogue, speaker: 'Ana', k: 2 },
    check: (t, value) => {
      t.ok(value.describe !== null && typeof value.describe.model === 'string' && value.describe.model.length > 0, "Describe's model is reported")
      t.ok(value.describe.attempts.length >= 1, "Describe's attempts are reported")
      t.ok(value.describe.usage.total_tokens > 0, "Describe's usage is reported")
      t.same(value.usage, sumOf(value.decision.usage, value.describe.usage), 'usage is Decide + Describe')
    },
  },
  {
    name: 'share, decision no',
    operation: 'share',
    body: { dialogue: beachDialogue, speaker: 'Ana' },
    upstream: (upstream) => upstream.setResponder(() => ({ kind: 'content', content: declined })),
    check: (t, value) => {
      t.match(value, { decision: { share: false }, descriptions: [], results: [], describe: null })
      t.same(value.usage, value.decision.usage, 'only Decide ran')
    },
  },
  { name: 'models', operation: 'models', body: {} },
  // Each error class.
  { name: 'invalid input: empty dialogue', operation: 'decide', body: { dialogue: [] }, error: 'INVALID_ARGUMENT' },
  {
    name: 'invalid input: speaker outside the participants',
    operation: 'share',
    body: { dialogue: beachDialogue, speaker: 'Dan', participants: ['Cleo'] },
    error: 'INVALID_ARGUMENT',
  },
  { name: 'invalid input: n of 0', operation: 'describe', body: { dialogue: beachDialogue, n: 0 }, error: 'INVALID_ARGUMENT' },
  { name: 'invalid input: empty speaker', operation: 'decide', body: { dialogue: beachDialogue, speaker: '' }, error: 'INVALID_ARGUMENT' },
  { name: 'invalid input: a turn without a speaker name', operation: 'describe', body: { dialogue: [{ speaker: '', text: 'hi' }] }, error: 'INVALID_ARGUMENT' },
  { name: 'invalid input: k of 0', operation: 'share', body: { dialogue: beachDialogue, k: 0 }, error: 'INVALID_ARGUMENT' },
  { name: 'invalid input: no descriptions', operation: 'retrieve', body: { descriptions: [] }, error: 'INVALID_ARGUMENT' },
  { name: 'repeated restrictions count once on both transports', operation: 'describe', body: { dialogue: beachDialogue, restrictions: ['prefix', 'prefix'] } },
  { name: 'invalid input: too many turns', operation: 'decide', body: { dialogue: manyTurns }, error: 'DIALOGUE_TOO_LONG' },
  { name: 'unknown model', operation: 'describe', body: { dialogue: beachDialogue, model: 'gigantic' }, error: 'UNKNOWN_MODEL' },
  { name: 'unknown index', operation: 'retrieve', body: { descriptions: ['a dog'], index: 'nowhere' }, error: 'UNKNOWN_INDEX' },
  { name: 'invalid input: unknown filter field', operation: 'retrieve', body: { descriptions: ['a dog'], filter: { colour: 'red' } }, error: 'INVALID_ARGUMENT' },
  { name: 'invalid input: ef of 0', operation: 'retrieve', body: { descriptions: ['a dog'], ef: 0 }, error: 'INVALID_ARGUMENT' },
  {
    name: 'parse failure after re-ask and fallback',
    operation: 'decide',
    body: { dialogue: beachDialogue },
    upstream: (upstream) => upstream.setResponder(() => ({ kind: 'content', content: 'Sure! Here is my answer: yes.' })),
    error: 'PARSE_FAILURE',
  },
  {
    name: 'upstream rate limited',
    operation: 'rank',
    body: { dialogue: beachDialogue },
    upstream: (upstream) => upstream.setResponder(() => ({ kind: 'rate_limited', retryAfterSeconds: 30 })),
    error: 'UPSTREAM_RATE_LIMITED',
  },
  {
    name: 'upstream down',
    operation: 'describe',
    body: { dialogue: beachDialogue },
    upstream: (upstream) => upstream.setResponder(() => ({ kind: 'status', status: 503, message: 'maintenance' })),
    error: 'UPSTREAM_UNAVAILABLE',
  },
  {
    name: 'oversize request',
    operation: 'decide',
    body: { dialogue: [{ speaker: 'Ana', text: 'x'.repeat(12_000) }] },
    config: { http: { bodyLimitBytes: 4096 }, grpc: { maxReceiveMessageBytes: 4096 } },
    error: 'PAYLOAD_TOO_LARGE',
    grpcLibraryAnswers: true,
  },
  {
    name: 'deadline: the configured budget runs out against a hanging upstream',
    operation: 'decide',
    body: { dialogue: beachDialogue },
    config: { deadlines: { requestMs: 150 } },
    upstream: (upstream) => upstream.setResponder(() => ({ kind: 'hang' })),
    error: 'DEADLINE_EXCEEDED',
  },
  {
    name: "deadline: the client's own runs out against a hanging upstream",
    operation: 'share',
    body: { dialogue: beachDialogue },
    clientDeadlineMs: 150,
    upstream: (upstream) => upstream.setResponder(() => ({ kind: 'hang' })),
    error: 'DEADLINE_EXCEEDED',
    grpcLibraryAnswers: true,
  },
]

/** `retryAfterMs`: HTTP's Retry-After (seconds) or gRPC's retry-after-ms, when sent. */
type Outcome =
  | { ok: true; value: unknown }
  | { ok: false; status: number; code: string | undefined; message: string | undefined; details: unknown; retryAfterMs: number | undefined }

/** Durations are wall-clock and differ between any two calls; everything else must match. */
const withoutDurations = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutDurations)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'duration_ms').map(([key, item]) => [key, withoutDurations(item)]))
  }
  return value
}

const overHttp = async (send: { post: (path: string, body: unknown, headers?: Record<string, string>) => Promise<TestResponse>; get: (path: string) => Promise<TestResponse> }, parity: ParityCase): Promise<Outcome> => {
  const headers: Record<string, string> = parity.clientDeadlineMs === undefined ? {} : { 'x-request-timeout-ms': String(parity.clientDeadlineMs) }
  const response =
    parity.operation === 'models'
      ? await send.get('/v1/models')
      : await send.post(parity.operation === 'rank' ? '/v1/decide' : `/v1/${parity.operation}`, parity.operation === 'rank' ? { ...parity.body, mode: 'rank' } : parity.body, headers)
  if (response.status === 200) return { ok: true, value: response.body }
  const retryAfter = response.headers.get('retry-after')
  return {
    ok: false,
    status: response.status,
    code: response.body?.error?.code,
    message: response.body?.error?.message,
    details: response.body?.error?.details,
    retryAfterMs: retryAfter === null ? undefined : Number(retryAfter) * 1000,
  }
}

const overGrpc = async (client: DriberGrpcClient, parity: ParityCase): Promise<Outcome> => {
  const options = parity.clientDeadlineMs === undefined ? {} : { deadlineMs: parity.clientDeadlineMs }
  const body = parity.body as never
  try {
    switch (parity.operation) {
      case 'decide': {
        const { mode, ...input } = parity.body as { mode?: 'next' | 'rank' }
        return { ok: true, value: await client.decide(input as never, { ...options, mode: mode ?? 'next' }) }
      }
      case 'rank':
        return { ok: true, value: await client.rank(body, options) }
      case 'describe':
        return { ok: true, value: await client.describe(body, options) }
      case 'retrieve':
        return { ok: true, value: await client.retrieve(body, options) }
      case 'share':
        return { ok: true, value: await client.share(body, options) }
      case 'models':
        return { ok: true, value: await client.listModels(options) }
    }
  } catch (error) {
    if (!(error instanceof DriberError) || !(error.cause instanceof Error)) throw error
    const status = error.cause as grpc.ServiceError
    const fromDriber = error.details?.origin !== 'grpc-status'
    return {
      ok: false,
      status: status.code,
      code: errorCodeOf(status),
      message: fromDriber ? error.message : undefined,
      details: fromDriber ? error.details : undefined,
      retryAfterMs: error.retryAfterMs,
    }
  }
}

for (const parity of cases) {
  t.test(parity.name, async (t) => {
    const testApp = await buildTestApp(t, parity.config === undefined ? {} : { config: parity.config })
    const server = testApp.app.grpc?.server
    if (server === undefined) throw new Error('the app built no gRPC server')
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    )
    const client = createDriberGrpcClient(`127.0.0.1:${port}`)
    t.teardown(() => client.close())

    const run = async (transport: (parity: ParityCase) => Promise<Outcome>): Promise<{ outcome: Outcome; upstreamChats: number }> => {
      testApp.upstream.setResponder(undefined)
      parity.upstream?.(testApp.upstream)
      const before = testApp.upstream.chatRequests.length
      const outcome = await transport(parity)
      return { outcome, upstreamChats: testApp.upstream.chatRequests.length - before }
    }
    const http = await run((request) => overHttp(testApp, request))
    const viaGrpc = await run((request) => overGrpc(client, request))

    if (parity.error === undefined) {
      t.ok(http.outcome.ok, `HTTP answers: ${JSON.stringify(http.outcome)}`)
      t.ok(viaGrpc.outcome.ok, `gRPC answers: ${JSON.stringify(viaGrpc.outcome)}`)
      if (http.outcome.ok && viaGrpc.outcome.ok) {
        t.same(withoutDurations(viaGrpc.outcome.value), withoutDurations(http.outcome.value), 'the same result')
        parity.check?.(t, http.outcome.value)
      }
      t.equal(viaGrpc.upstreamChats, http.upstreamChats, 'the same upstream calls')
      return
    }
    const expected = ErrorCatalog[parity.error]
    t.same(http.outcome.ok ? 'answered' : [http.outcome.status, http.outcome.code], [expected.httpStatus, expected.code], 'HTTP: catalog status and code')
    if (viaGrpc.outcome.ok) {
      t.fail(`gRPC answered ${JSON.stringify(viaGrpc.outcome.value)}`)
      return
    }
    t.equal(viaGrpc.outcome.status, expected.grpcStatus, `gRPC: catalog status ${expected.grpcStatus}`)
    if (parity.grpcLibraryAnswers === true && viaGrpc.outcome.code === undefined) t.pass('grpc-js answered before driber (no code to compare)')
    else t.equal(viaGrpc.outcome.code, expected.code, 'gRPC: the same code in trailing metadata')
    if (!http.outcome.ok && viaGrpc.outcome.details !== undefined) {
      t.same(withoutDurations(viaGrpc.outcome.details), withoutDurations(http.outcome.details), 'the same details')
      if (parity.error === 'INVALID_ARGUMENT' || parity.error === 'DIALOGUE_TOO_LONG') t.equal(viaGrpc.outcome.message, http.outcome.message, 'the same message')
    }
    if (!http.outcome.ok) {
      // HTTP rounds the hint up to whole seconds.
      const grpcSeconds = viaGrpc.outcome.retryAfterMs === undefined ? undefined : Math.ceil(viaGrpc.outcome.retryAfterMs / 1000) * 1000
      t.equal(grpcSeconds, http.outcome.retryAfterMs, 'the same retry hint')
    }
    // How far a call gets before a deadline depends on the machine's load, not on the transport.
    if (parity.error !== 'DEADLINE_EXCEEDED') t.equal(viaGrpc.upstreamChats, http.upstreamChats, 'the same upstream calls')
  })
}
