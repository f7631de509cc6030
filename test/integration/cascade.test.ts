/**
 * A confidence cascade over the whole app: the embedded tier answers first, and a larger
 * OpenAI-compatible model (the fake upstream, answering from a label table as a stronger model
 * would) answers what the small one is unsure of. Visible in answers on HTTP and gRPC, in metrics,
 * and it degrades to the small model's answer when the large one cannot be reached (offline).
 */
import * as grpc from '@grpc/grpc-js'
import t from 'tap'
import type { RegistryData } from '../../src/registry/registry-schema.js'
import { buildTestApp, TEST_KEY_VARIABLE } from '../helper.js'
import { readPrompt, type Behaviour, type RecordedRequest } from '../support/fake-upstream.js'
import { freePort } from '../support/free-port.js'
import { createProtoClient } from '../support/proto-client.js'

/** Ordinary small talk: the embedded tier's answer is a probability, never a certainty. */
const dialogue = [
  { speaker: 'Mia', text: 'How was your weekend?' },
  { speaker: 'Leo', text: 'Pretty good, we went hiking on the hill behind our house.' },
]

/** What the "large model" knows: the right answer for each last message. */
const LABELS: Record<string, boolean> = { [dialogue[1]?.text ?? '']: true }

/** Answers Decide from LABELS, as a stronger model would; Describe with a fixed description. */
const largeModel = (request: RecordedRequest): Behaviour | undefined => {
  if (!request.path.endsWith('/chat/completions')) return undefined
  const facts = readPrompt(request.body as Parameters<typeof readPrompt>[0])
  const last = facts.turns.at(-1)
  if (facts.stage === 'describe') return { kind: 'json', value: { descriptions: [{ text: 'An image of a hiking trail on a hill', salient: ['hill'] }] } }
  if (facts.stage === 'rank') return { kind: 'json', value: { candidates: [{ turn: last?.index ?? 0, confidence: 0.9, rationale: 'labelled' }] } }
  const share = LABELS[last?.text ?? ''] ?? false
  return {
    kind: 'json',
    value: { share, speaker: facts.speaker ?? 'Leo', confidence: 0.97, intents: share ? ['information_dissemination'] : [], trigger_turn: share ? (last?.index ?? null) : null, rationale: 'From the label table.' },
  }
}

const cascadeRegistry =
  (threshold: number, largeUrl?: string) =>
  (baseUrl: string): RegistryData =>
    ({
      version: 1,
      models: [
        { id: 'driber-lite', provider: 'embedded', scale: 'tiny', output: 'json_schema', decoding: {}, timeout_ms: 5_000, max_concurrency: 16, max_queue: 64 },
        {
          id: 'big',
          provider: 'openai',
          base_url: largeUrl ?? baseUrl,
          api_key_env: TEST_KEY_VARIABLE,
          scale: 'large',
          output: 'json_schema',
          decoding: {},
          timeout_ms: 5_000,
          max_concurrency: 16,
          max_queue: 64,
        },
      ],
      embedders: [{ id: 'lite-embed', provider: 'embedded', batch_size: 64, timeout_ms: 5_000, max_concurrency: 2, modalities: ['text'] }],
      aliases: {},
      routes: {
        decide: [{ model: 'driber-lite', min_confidence: threshold }, 'big'],
        rank: [{ model: 'driber-lite', min_confidence: 0 }, 'big'],
        describe: ['driber-lite'],
      },
      share: { describe_follows_decide: true },
    }) as RegistryData

const liteConfig = { retrieval: { defaultIndex: 'photochat', indexes: [{ name: 'photochat', path: 'data/gallery/photochat.jsonl', embedder: 'lite-embed', backend: 'memory' as const }] } }

const metricValue = (text: string, pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? Number.NaN)

t.test('unsure answers escalate to the large model; sure ones and opted-out requests stay small', async (t) => {
  const { post, get, upstream, app } = await buildTestApp(t, { registry: cascadeRegistry(1), upstream: { responder: largeModel }, config: liteConfig })
  const alone = await post('/v1/decide', { dialogue, speaker: 'Leo', model: 'driber-lite' })
  t.equal(alone.status, 200)
  const liteConfidence = alone.body.confidence as number
  t.ok(liteConfidence < 1, `precondition: the embedded tier is not certain here (${liteConfidence})`)
  t.equal(upstream.chatRequests.length, 0, 'naming a model turns the cascade off')

  const decided = await post('/v1/decide', { dialogue, speaker: 'Leo' })
  t.equal(decided.status, 200)
  t.equal(decided.body.model, 'big')
  t.equal(decided.body.share, true, "the large model's answer")
  t.match(decided.body.attempts, [
    { model: 'driber-lite', outcome: 'escalated', escalation_reason: 'low_confidence', confidence: liteConfidence, min_confidence: 1 },
    { model: 'big', outcome: 'ok' },
  ])
  t.ok(decided.body.usage.input_tokens > alone.body.usage.input_tokens, 'usage counts the large call too')
  t.equal(decided.body.usage.total_tokens, decided.body.usage.input_tokens + decided.body.usage.output_tokens)

  const optedOut = await post('/v1/decide', { dialogue, speaker: 'Leo', cascade: false })
  t.equal(optedOut.body.model, 'driber-lite')
  t.same(
    optedOut.body.attempts.map((attempt: { outcome: string }) => attempt.outcome),
    ['ok'],
  )

  const ranked = await post('/v1/decide', { dialogue, mode: 'rank' })
  t.equal(ranked.body.model, 'driber-lite', 'min_confidence 0 on rank: the small model always suffices')

  const shared = await post('/v1/share', { dialogue, speaker: 'Leo', k: 2 })
  t.equal(shared.status, 200)
  t.equal(shared.body.decision.model, 'big')
  t.equal(shared.body.describe.model, 'big', 'Describe follows the model that answered Decide')
  t.equal(shared.body.descriptions[0]?.text, 'An image of a hiking trail on a hill')
  t.equal(shared.body.results.length, 2)

  const models = await get('/v1/models')
  t.match(models.body.models.find((model: { id: string }) => model.id === 'driber-lite').routes, [{ stage: 'decide', position: 0, min_confidence: 1 }])

  const metrics = (await get('/metrics')).body as string
  t.equal(metricValue(metrics, /driber_cascade_escalations_total\{stage="decide",from="driber-lite",to="big",reason="low_confidence"\} (\d+)/), 2, 'decide and share escalated')
  t.equal(metricValue(metrics, /driber_cascade_escalations_total\{stage="rank",from="driber-lite",to="big",reason="low_confidence"\} (\d+)/), 0, 'declared at zero')
  t.equal(metricValue(metrics, /driber_stage_answers_total\{stage="decide",scale="large"\} (\d+)/), 2)
  t.equal(metricValue(metrics, /driber_stage_answers_total\{stage="decide",scale="tiny"\} (\d+)/), 2, 'the named-model and opted-out requests')
  t.equal(metricValue(metrics, /driber_stage_answers_total\{stage="describe",scale="large"\} (\d+)/), 1)
  t.ok(metricValue(metrics, /driber_tokens_total\{stage="decide",scale="large",type="input"\} (\d+)/) > 0, 'tokens by scale')
  t.ok(metricValue(metrics, /driber_tokens_total\{stage="decide",scale="tiny",type="input"\} (\d+)/) > 0)

  // gRPC: the same escalation, enums for outcome and reason, and the opt-out.
  const server = app.grpc?.server
  if (server === undefined) throw new Error('no gRPC server')
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  const client = createProtoClient(`127.0.0.1:${port}`)
  t.teardown(() => client.close())
  const grpcDecided = (await client.call('Decide', { dialogue, speaker: 'Leo' })).response
  t.equal(grpcDecided.next.model, 'big')
  t.match(grpcDecided.next.attempts[0], { outcome: 'ATTEMPT_OUTCOME_ESCALATED', escalation_reason: 'ESCALATION_REASON_LOW_CONFIDENCE', min_confidence: 1 })
  const grpcOptedOut = (await client.call('Decide', { dialogue, speaker: 'Leo', cascade: false })).response
  t.equal(grpcOptedOut.next.model, 'driber-lite')
})

t.test('offline: when the large model cannot be reached, the small model still answers', async (t) => {
  const closed = await freePort()
  const { post } = await buildTestApp(t, { registry: cascadeRegistry(1, `http://127.0.0.1:${closed}/v1`), config: { ...liteConfig, resilience: { maxAttempts: 1 } } })
  const decided = await post('/v1/decide', { dialogue, speaker: 'Leo' })
  t.equal(decided.status, 200)
  t.equal(decided.body.model, 'driber-lite')
  t.match(decided.body.attempts, [
    { model: 'driber-lite', outcome: 'escalated' },
    { model: 'big', outcome: 'error', code: 'DRIBER_UPSTREAM_UNAVAILABLE' },
  ])
})
