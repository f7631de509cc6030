/**
 * The four stages over real HTTP, through the real `openai` SDK, against the fake upstream: good
 * paths, what is sent upstream, request ids, the model list, health and docs.
 */
import t from 'tap'
import { beachDialogue, buildTestApp, TEST_KEY_VALUE, TEST_KEY_VARIABLE } from '../helper.js'

t.test('decide (next): the answer is built from the model, with model, attempts and usage', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  const response = await post('/v1/decide', { dialogue: beachDialogue, speaker: 'Ana' })
  t.equal(response.status, 200, JSON.stringify(response.body))
  const body = response.body
  t.equal(body.share, true)
  t.equal(body.speaker, 'Ana')
  t.equal(body.confidence, 0.8)
  t.same(body.intents, ['information_dissemination'])
  t.same(body.trigger, { turn: 2, text: beachDialogue[2]!.text }, 'the trigger text is the input turn itself')
  t.type(body.rationale, 'string')
  t.equal(body.model, 'model-a')
  t.equal(body.attempts.length, 1)
  t.match(body.attempts[0], { model: 'model-a', outcome: 'ok' })
  t.ok(body.usage.total_tokens > 0)
  t.equal(body.usage.total_tokens, body.usage.input_tokens + body.usage.output_tokens)

  t.equal(upstream.chatRequests.length, 1)
  const sent = upstream.chatRequests[0]!
  const sentBody = sent.body as { model: string; response_format: { type: string; json_schema?: { name: string } } }
  t.equal(sentBody.model, 'fake-model-a', 'the upstream model name from the registry')
  t.equal(sentBody.response_format.type, 'json_schema')
  t.equal(sentBody.response_format.json_schema?.name, 'driber_decide')
  t.equal(sent.headers.authorization, `Bearer ${TEST_KEY_VALUE}`, 'the key from the named variable')
  t.equal(sent.headers['x-request-id'], response.headers.get('x-request-id'), 'the request id travels upstream')
})

t.test('decide (rank): candidates refer to real turns, best first', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  upstream.script({
    kind: 'json',
    value: {
      candidates: [
        { turn: 0, confidence: 0.3, rationale: 'maybe a beach photo' },
        { turn: 2, confidence: 0.9, rationale: 'the turtle' },
      ],
    },
  })
  const response = await post('/v1/decide', { dialogue: beachDialogue, mode: 'rank' })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.same(
    response.body.candidates.map((candidate: { turn: number; utterance: string; speaker: string }) => [candidate.turn, candidate.utterance, candidate.speaker]),
    [
      [2, beachDialogue[2]!.text, 'Ana'],
      [0, beachDialogue[0]!.text, 'Ana'],
    ],
  )
  t.equal(response.body.model, 'model-a')
  t.equal((upstream.chatRequests[0]!.body as { response_format: { json_schema: { name: string } } }).response_format.json_schema.name, 'driber_rank')
})

t.test('describe: n descriptions under the restrictions asked for', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  const response = await post('/v1/describe', { dialogue: beachDialogue, speaker: 'Ana', restrictions: ['prefix', 'concise'], n: 2 })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.equal(response.body.descriptions.length, 2)
  for (const description of response.body.descriptions) {
    t.match(description.text, /^An image of/)
    t.ok(Array.isArray(description.salient))
  }
  t.equal(response.body.model, 'model-a')
  t.equal(upstream.chatRequests.length, 1)
})

t.test('retrieve: the caption closest to the description ranks first, through the embedder', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  const embeddingsAtStart = upstream.embeddingRequests.length
  // The fake embeds equal texts to equal vectors, so the exact caption scores 1.
  const response = await post('/v1/retrieve', { descriptions: ['a chocolate birthday cake with candles'], k: 2 })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.equal(response.body.index, 'test')
  t.equal(response.body.results.length, 2)
  t.match(response.body.results[0], { id: 'cake', url: 'https://images.example.org/cake.jpg', caption: 'a chocolate birthday cake with candles' })
  t.ok(response.body.results[0].score > response.body.results[1].score)
  t.equal(upstream.embeddingRequests.length, embeddingsAtStart + 1, 'the description was embedded upstream')
})

t.test('share: decide yes, then describe and retrieve', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  const response = await post('/v1/share', { dialogue: beachDialogue, speaker: 'Ana', k: 3 })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.equal(response.body.decision.share, true)
  t.ok(response.body.descriptions.length >= 1)
  t.equal(response.body.results.length, 3)
  const stages = upstream.chatRequests.map((request) => (request.body as { response_format: { json_schema: { name: string } } }).response_format.json_schema.name)
  t.same(stages, ['driber_decide', 'driber_describe'])
  const { decision, describe, usage } = response.body
  t.match(describe, { model: String, attempts: [{ outcome: 'ok' }], usage: { total_tokens: Number } }, "Describe's model, attempts and usage")
  t.equal(describe.attempts.length, 1)
  t.ok(describe.usage.total_tokens > 0)
  t.same(
    usage,
    {
      input_tokens: decision.usage.input_tokens + describe.usage.input_tokens,
      output_tokens: decision.usage.output_tokens + describe.usage.output_tokens,
      total_tokens: decision.usage.total_tokens + describe.usage.total_tokens,
    },
    'usage sums Decide and Describe',
  )
})

t.test('share: a "no" stops after decide, with empty descriptions and results', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  const embeddingsAtStart = upstream.embeddingRequests.length
  upstream.script({
    kind: 'json',
    value: { share: false, speaker: 'Ana', confidence: 0.1, intents: [], trigger_turn: null, rationale: 'nothing to show' },
  })
  const response = await post('/v1/share', { dialogue: beachDialogue, speaker: 'Ana' })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.equal(response.body.decision.share, false)
  t.equal(response.body.decision.trigger, null)
  t.same(response.body.descriptions, [])
  t.same(response.body.results, [])
  t.equal(response.body.describe, null, 'nothing was described, so no Describe cost')
  t.same(response.body.usage, response.body.decision.usage, 'the cost is Decide alone')
  t.equal(upstream.chatRequests.length, 1, 'describe was never called')
  t.equal(upstream.embeddingRequests.length, embeddingsAtStart, 'nothing was retrieved')
})

t.test('a request may name a model by id, alias or scale', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  for (const [requested, expected, upstreamModel] of [
    ['model-b', 'model-b', 'fake-model-b'],
    ['primary', 'model-a', 'fake-model-a'],
    ['medium', 'model-b', 'fake-model-b'],
  ] as const) {
    const response = await post('/v1/decide', { dialogue: beachDialogue, model: requested })
    t.equal(response.status, 200, requested)
    t.equal(response.body.model, expected, requested)
    t.equal((upstream.chatRequests.at(-1)!.body as { model: string }).model, upstreamModel)
  }
})

t.test('request ids are echoed, generated when absent, and reach the upstream', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  const echoed = await post('/v1/decide', { dialogue: beachDialogue }, { 'x-request-id': 'trace-abc-123' })
  t.equal(echoed.headers.get('x-request-id'), 'trace-abc-123')
  t.equal(upstream.chatRequests[0]!.headers['x-request-id'], 'trace-abc-123')
  const generated = await post('/v1/decide', { dialogue: beachDialogue })
  t.match(generated.headers.get('x-request-id'), /^[0-9a-f-]{36}$/)
  const overhead = Number(generated.headers.get('x-driber-overhead-ms'))
  t.ok(Number.isFinite(overhead) && overhead >= 0, 'overhead header is a number of milliseconds')
})

t.test('/v1/models lists the registry and never a key or its variable name', async (t) => {
  const { get } = await buildTestApp(t)
  const response = await get('/v1/models')
  t.equal(response.status, 200)
  t.same(response.body.models.map((model: { id: string }) => model.id), ['model-a', 'model-b'])
  t.same(response.body.routes.decide, ['model-a', 'model-b'])
  t.equal(response.body.aliases.primary, 'model-a')
  t.same(response.body.embedders.map((embedder: { id: string }) => embedder.id), ['fake-embed'])
  const text = JSON.stringify(response.body)
  t.notMatch(text, TEST_KEY_VALUE)
  t.notMatch(text, TEST_KEY_VARIABLE)
  t.notMatch(text, /api_key/)
})

t.test('health: /healthz is 200, /readyz is 200 with index and breaker detail, /docs serves Swagger UI', async (t) => {
  const { get } = await buildTestApp(t)
  t.same((await get('/healthz')).body, { status: 'ok' })
  const ready = await get('/readyz')
  t.equal(ready.status, 200)
  t.equal(ready.body.status, 'ready')
  t.match(ready.body.indexes, [{ name: 'test', ready: true, size: 4 }])
  t.same(
    ready.body.models.map((model: { model: string; state: string }) => [model.model, model.state]),
    [
      ['model-a', 'closed'],
      ['model-b', 'closed'],
    ],
  )
  const docs = await get('/docs/')
  t.equal(docs.status, 200)
  t.match(docs.headers.get('content-type'), /text\/html/)
  const spec = await get('/docs/json')
  t.ok(spec.body.paths['/v1/share'], 'the live spec lists the endpoints')
})
