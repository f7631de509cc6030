/**
 * The fake upstream's own contract, checked with plain `fetch` and raw sockets so a bug in the fake
 * cannot hide behind the SDK: scripting order, wire shapes, recording, and connection tracking.
 *
 * (`test/support/**` is excluded from tap's default run because it holds helpers; this file is run
 * explicitly by `npx tap test/support/fake-upstream.test.ts` and by the provider tests' use of it.)
 */
import { connect } from 'node:net'
import t, { type Test } from 'tap'
import { defaultStageAnswer, fakeEmbedding, fakeImageEmbedding, fakeWordsEmbedding, readPrompt, startFakeUpstream, type FakeUpstream } from './fake-upstream.js'
import { tinyPng } from './tiny-images.js'

const setup = async (t: Test, options: Parameters<typeof startFakeUpstream>[0] = {}): Promise<FakeUpstream> => {
  const upstream = await startFakeUpstream(options)
  t.teardown(() => upstream.close())
  return upstream
}

const post = async (upstream: FakeUpstream, path: string, body: unknown, signal?: AbortSignal) => {
  const response = await fetch(`${upstream.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'fake-test' },
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  })
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, any> }
}

const prompt = (lines: string[], extra = ''): { messages: Array<{ role: string; content: string }> } => ({
  messages: [{ role: 'user', content: ['Task: something.', '<<<DIALOGUE', ...lines, 'DIALOGUE>>>', extra].join('\n') }],
})

t.test('listens on 127.0.0.1 with a /v1 base URL', async (t) => {
  const upstream = await setup(t)
  t.match(upstream.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/)
  t.ok(upstream.port > 0)
})

t.test('default chat answers are valid stage JSON chosen by schema name or prompt markers', async (t) => {
  const upstream = await setup(t)
  const turns = ['[turn 0] "Mia": "We adopted a puppy!"', '[turn 1] "Leo": "No way, what breed?"']
  const decide = await post(upstream, '/chat/completions', { model: 'x', ...prompt(turns), response_format: { type: 'json_schema', json_schema: { name: 'driber_decide', schema: {} } } })
  t.equal(decide.status, 200)
  t.equal(decide.json.object, 'chat.completion')
  t.equal(decide.json.choices[0].finish_reason, 'stop')
  t.equal(decide.json.choices[0].message.refusal, null)
  t.ok(decide.json.usage.total_tokens === decide.json.usage.prompt_tokens + decide.json.usage.completion_tokens)
  t.same(JSON.parse(decide.json.choices[0].message.content), {
    share: true,
    speaker: 'Mia',
    confidence: 0.8,
    intents: ['information_dissemination'],
    trigger_turn: 1,
    rationale: 'The last turn invites a photo.',
  })

  const fixed = JSON.parse(
    (await post(upstream, '/chat/completions', prompt(turns, 'Restrictions:\n4. "speaker" is exactly "Leo".'))).json.choices[0].message.content,
  )
  t.equal(fixed.speaker, 'Leo', 'a speaker the prompt fixes is respected')

  const rank = await post(upstream, '/chat/completions', { ...prompt(turns), response_format: { type: 'json_schema', json_schema: { name: 'driber_rank', schema: {} } } })
  t.same(JSON.parse(rank.json.choices[0].message.content).candidates.map((candidate: { turn: number }) => candidate.turn), [1])

  const describe = await post(upstream, '/chat/completions', {
    ...prompt(turns, 'The object has exactly one key, "descriptions": ... "descriptions" holds exactly 3 items.'),
    response_format: { type: 'json_object' },
  })
  const descriptions = JSON.parse(describe.json.choices[0].message.content).descriptions as Array<{ text: string; salient: string[] }>
  t.equal(descriptions.length, 3, 'n read from the prompt')
  for (const description of descriptions) {
    t.match(description.text, /^An image of /)
    t.ok(description.salient.length > 0)
  }
  t.equal(readPrompt(prompt(turns, 'exactly one key, "candidates": ...')).stage, 'rank', 'rank by marker in json_object/text mode')
})

t.test('scripted behaviours run first, in order, then the responder, then the default', async (t) => {
  const upstream = await setup(t)
  upstream.script({ kind: 'content', content: 'first' }, { kind: 'json', value: { n: 2 } })
  upstream.setResponder((request) => ((request.body as { tag?: string }).tag === 'special' ? { kind: 'content', content: 'from responder' } : undefined))
  t.equal(upstream.pending, 2)
  const contents: string[] = []
  for (const tag of ['special', 'special', 'special', 'plain']) {
    contents.push((await post(upstream, '/chat/completions', { ...prompt([]), tag })).json.choices[0].message.content)
  }
  t.same(contents.slice(0, 3), ['first', '{"n":2}', 'from responder'])
  t.same(JSON.parse(contents[3] as string).share, true, 'default answer')
  t.same(
    upstream.requests.map((request) => request.behaviour),
    ['content', 'json', 'content', 'default'],
  )
  t.equal(upstream.pending, 0)
})

t.test('each answer kind has its wire shape', async (t) => {
  const upstream = await setup(t)
  upstream.script(
    { kind: 'truncated' },
    { kind: 'refusal' },
    { kind: 'empty', asNull: true },
    { kind: 'rate_limited', retryAfterSeconds: 3, retryAfterMs: 2500 },
    { kind: 'status', status: 503, message: 'overloaded' },
  )
  const truncated = await post(upstream, '/chat/completions', prompt(['[turn 0] "A": "hi"']))
  t.equal(truncated.json.choices[0].finish_reason, 'length')
  t.throws(() => JSON.parse(truncated.json.choices[0].message.content), 'the content is cut JSON')
  const refusal = await post(upstream, '/chat/completions', prompt([]))
  t.equal(refusal.json.choices[0].message.content, null)
  t.type(refusal.json.choices[0].message.refusal, 'string')
  const empty = await post(upstream, '/chat/completions', prompt([]))
  t.equal(empty.json.choices[0].message.content, null)
  const limited = await post(upstream, '/chat/completions', prompt([]))
  t.equal(limited.status, 429)
  t.equal(limited.headers.get('retry-after'), '3')
  t.equal(limited.headers.get('retry-after-ms'), '2500')
  t.equal(limited.json.error.code, 'rate_limit_exceeded')
  const unavailable = await post(upstream, '/chat/completions', prompt([]))
  t.equal(unavailable.status, 503)
  t.equal(unavailable.json.error.message, 'overloaded')
})

t.test('embeddings are deterministic unit vectors of the configured dimension', async (t) => {
  const upstream = await setup(t, { embeddingDimension: 12 })
  const response = await post(upstream, '/embeddings', { model: 'e', input: ['a cat', 'a dog', 'a cat'] })
  const vectors = (response.json.data as Array<{ index: number; embedding: number[] }>).map((item) => item.embedding)
  t.equal(vectors.length, 3)
  t.same(vectors[0], vectors[2], 'same text, same vector')
  t.notSame(vectors[0], vectors[1])
  for (const vector of vectors) {
    t.equal(vector.length, 12)
    t.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-9, 'unit length')
  }
  t.same(vectors[1], fakeEmbedding('a dog', 12), 'tests can compute the vector themselves')
  t.equal(response.json.usage.prompt_tokens, 6)
})

t.test('requests are recorded with headers and parsed bodies', async (t) => {
  const upstream = await setup(t)
  const before = Date.now()
  await post(upstream, '/chat/completions', { model: 'rec', ...prompt([]) })
  const [recorded] = upstream.requests
  t.equal(recorded?.method, 'POST')
  t.equal(recorded?.path, '/v1/chat/completions')
  t.equal(recorded?.headers['x-request-id'], 'fake-test')
  t.equal((recorded?.body as { model: string }).model, 'rec')
  t.ok((recorded?.receivedAt ?? 0) >= before)
  t.equal(recorded?.completed, true)
  t.equal(recorded?.aborted, false)
  t.equal(upstream.chatRequests.length, 1)
  t.equal(upstream.embeddingRequests.length, 0)
})

t.test('a client that gives up is seen as an aborted request', async (t) => {
  const upstream = await setup(t)
  upstream.script({ kind: 'hang' })
  const controller = new AbortController()
  const pending = post(upstream, '/chat/completions', prompt([]), controller.signal)
  await upstream.waitForRequests(1)
  t.equal(upstream.openConnections, 1)
  controller.abort()
  await t.rejects(pending)
  await upstream.waitForAborted(1)
  t.equal(upstream.requests[0]?.aborted, true)
  t.equal(upstream.requests[0]?.completed, false)
  await upstream.waitForIdle()
})

t.test('reset writes part of the body then destroys the socket; drip sends the body over time', async (t) => {
  const upstream = await setup(t)
  upstream.script({ kind: 'reset', afterBytes: 20 }, { kind: 'drip', intervalMs: 5, chunks: 3, then: { kind: 'json', value: { dripped: true } } })
  await t.rejects(post(upstream, '/chat/completions', prompt([])), 'the body never completes')
  const dripped = await post(upstream, '/chat/completions', prompt([]))
  t.same(JSON.parse(dripped.json.choices[0].message.content), { dripped: true })
})

t.test('close() ends hanging requests and open sockets', async (t) => {
  const upstream = await startFakeUpstream()
  upstream.script({ kind: 'hang' })
  const socket = connect(upstream.port, '127.0.0.1')
  t.teardown(() => socket.destroy())
  const body = JSON.stringify(prompt([]))
  socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
  await upstream.waitForRequests(1)
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()))
  await upstream.close()
  await ended
  t.equal(upstream.openConnections, 0)
  t.equal(upstream.abortedCount, 1, 'the hanging request counts as cut off')
})

t.test('defaultStageAnswer without dialogue falls back to speaker A and turn 0', async (t) => {
  t.same(defaultStageAnswer({ messages: [{ role: 'user', content: 'no dialogue here' }] }), {
    share: true,
    speaker: 'A',
    confidence: 0.8,
    intents: ['information_dissemination'],
    trigger_turn: 0,
    rationale: 'The last turn invites a photo.',
  })
})

t.test('image embeddings in the three multimodal wire forms; other shapes are a 400', async (t) => {
  const upstream = await setup(t, { embeddingDimension: 32, wordVectors: true })
  const png = tinyPng('red bicycle')
  const dataUrl = `data:image/png;base64,${png.toString('base64')}`
  const vllm = await post(upstream, '/embeddings', { model: 'clip', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl } }] }] })
  const jina = await post(upstream, '/embeddings', { model: 'clip', input: [{ image: png.toString('base64') }, { text: 'a red bicycle' }] })
  const infinity = await post(upstream, '/embeddings', { model: 'clip', input: [dataUrl], modality: 'image' })
  t.equal(vllm.status, 200)
  const expected = fakeImageEmbedding(png, 32)
  t.same(vllm.json.data[0].embedding, expected, 'the same bytes give the same vector in every form')
  t.same(jina.json.data[0].embedding, expected)
  t.same(infinity.json.data[0].embedding, expected)
  const text = jina.json.data[1].embedding as number[]
  t.same(text, fakeWordsEmbedding('a red bicycle', 32))
  const cosine = text.reduce((sum, value, index) => sum + value * (expected[index] as number), 0)
  t.ok(cosine > 0.8, `a text naming the label lands near the image (cosine ${cosine.toFixed(2)})`)

  for (const body of [
    { input: ['not a data url'], modality: 'image' },
    { messages: [{ role: 'user', content: 'text only' }] },
    { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://img.test/a.png' } }] }] },
    { input: [{ video: 'x' }] },
  ]) {
    const answer = await post(upstream, '/embeddings', body)
    t.equal(answer.status, 400, JSON.stringify(body))
  }
})
