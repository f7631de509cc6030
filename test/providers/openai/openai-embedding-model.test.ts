/**
 * The OpenAI-compatible embedder against the fake upstream through the real SDK: batching, bounded
 * concurrency, order, normalisation, usage and errors.
 */
import t, { type Test } from 'tap'
import { DriberError } from '../../../src/errors.js'
import { normalise } from '../../../src/providers/openai/openai-embedding-model.js'
import { createOpenAIProvider } from '../../../src/providers/openai/openai-provider.js'
import { embedsImages, type EmbeddingModel, type ImageInput } from '../../../src/providers/provider.js'
import { parseRegistry } from '../../../src/registry/load-registry.js'
import type { EmbedderEntry } from '../../../src/registry/registry-schema.js'
import { fakeEmbedding, startFakeUpstream, type FakeUpstream } from '../../support/fake-upstream.js'
import { driberErrorOf } from '../../support/driber-error-of.js'
import { tinyPng } from '../../support/tiny-images.js'

const setup = async (t: Test, extra: Record<string, unknown> = {}): Promise<{ upstream: FakeUpstream; embedder: EmbeddingModel }> => {
  const upstream = await startFakeUpstream({ embeddingDimension: 8 })
  t.teardown(() => upstream.close())
  const data = parseRegistry({
    version: 1,
    models: [{ id: 'm', provider: 'embedded', scale: 'tiny' }],
    embedders: [{ id: 'test-embed', provider: 'openai', base_url: upstream.baseUrl, upstream_model: 'fake-embed-v1', ...extra }],
    routes: { decide: ['m'], describe: ['m'] },
  })
  const embedder = createOpenAIProvider().createEmbeddingModel(data.embedders[0] as EmbedderEntry, () => undefined)
  t.teardown(() => embedder.close?.())
  return { upstream, embedder }
}

const embed = (embedder: EmbeddingModel, texts: string[], signal: AbortSignal = new AbortController().signal) =>
  embedder.embed({ texts, signal, requestId: 'req-embed' })

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>): boolean =>
  actual.length === expected.length && Array.from(actual).every((value, index) => Math.abs(value - (expected[index] as number)) < 1e-6)

t.test('texts go up in batches and come back in input order as unit vectors', async (t) => {
  const { upstream, embedder } = await setup(t, { batch_size: 3, max_concurrency: 1 })
  const texts = ['a dog on a beach', 'a red bicycle', 'sushi platter', 'mountain lake', 'birthday cake', 'a cat asleep', 'city at night']
  const response = await embed(embedder, texts)
  t.same(
    upstream.embeddingRequests.map((request) => (request.body as { input: string[] }).input),
    [texts.slice(0, 3), texts.slice(3, 6), texts.slice(6)],
  )
  const body = upstream.embeddingRequests[0]?.body as Record<string, unknown>
  t.equal(body.model, 'fake-embed-v1')
  t.equal(body.encoding_format, 'float')
  t.equal(upstream.embeddingRequests[0]?.headers['x-request-id'], 'req-embed')
  t.equal(response.vectors.length, texts.length)
  texts.forEach((text, index) => {
    const vector = response.vectors[index] as Float32Array
    t.ok(vector instanceof Float32Array)
    t.ok(close(vector, fakeEmbedding(text, 8)), `vector ${index} belongs to "${text}"`)
  })
  t.equal(embedder.dimension, 8, 'dimension learnt from the first answer')
  const tokens = texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0)
  t.same(response.usage, { input_tokens: tokens, output_tokens: 0, total_tokens: tokens }, 'usage summed over batches')
})

t.test('vectors are normalised and reordered by their index', async (t) => {
  const { upstream, embedder } = await setup(t)
  upstream.script({
    kind: 'embeddings',
    vectors: [
      [3, 4],
      [0, 2],
    ],
    shuffle: true,
  })
  const response = await embed(embedder, ['first', 'second'])
  t.ok(close(response.vectors[0] as Float32Array, [0.6, 0.8]), 'first text, scaled to unit length')
  t.ok(close(response.vectors[1] as Float32Array, [0, 1]), 'second text')
  t.same(Array.from(normalise(new Float32Array([0, 0]))), [0, 0], 'a zero vector stays zero')
})

t.test('no more than max_concurrency batches are in flight', async (t) => {
  const { upstream, embedder } = await setup(t, { batch_size: 1, max_concurrency: 2 })
  let inFlight = 0
  let most = 0
  upstream.setResponder((request) => {
    inFlight = upstream.requests.filter((other) => other !== request && !other.completed && !other.aborted).length + 1
    most = Math.max(most, inFlight)
    return { kind: 'default', delayMs: 20 }
  })
  const texts = Array.from({ length: 8 }, (_, index) => `caption ${index}`)
  const response = await embed(embedder, texts)
  t.equal(upstream.embeddingRequests.length, 8)
  t.ok(most <= 2, `at most two at once (saw ${most})`)
  t.ok(close(response.vectors[5] as Float32Array, fakeEmbedding('caption 5', 8)), 'order survives concurrency')
})

t.test('an empty list costs no upstream call', async (t) => {
  const { upstream, embedder } = await setup(t)
  const response = await embed(embedder, [])
  t.same(response.vectors, [])
  t.equal(upstream.requestCount, 0)
})

t.test('a failing batch fails the call with its catalog error and stops the others', async (t) => {
  const { upstream, embedder } = await setup(t, { batch_size: 1, max_concurrency: 2 })
  upstream.script({ kind: 'status', status: 503 }, { kind: 'hang' })
  const error = await driberErrorOf(embed(embedder, ['a', 'b', 'c', 'd']))
  t.equal(error.code, 'DRIBER_UPSTREAM_UNAVAILABLE', 'the real failure, not the abort it caused')
  await upstream.waitForAborted(1)
  t.ok(upstream.requestCount <= 3, 'remaining batches are not sent after the failure')
})

t.test('errors map like chat: rate limits, auth, timeouts, cancellation', async (t) => {
  const { upstream, embedder } = await setup(t, { timeout_ms: 200 })
  upstream.script({ kind: 'rate_limited', retryAfterSeconds: 1 }, { kind: 'status', status: 401 }, { kind: 'hang' }, { kind: 'hang' })
  const limited = await driberErrorOf(embed(embedder, ['x']))
  t.equal(limited.code, 'DRIBER_UPSTREAM_RATE_LIMITED')
  t.equal(limited.retryAfterMs, 1000)
  t.equal((await driberErrorOf(embed(embedder, ['x']))).code, 'DRIBER_UPSTREAM_AUTH')
  t.equal((await driberErrorOf(embed(embedder, ['x']))).code, 'DRIBER_UPSTREAM_TIMEOUT', 'timeout_ms bounds each batch')

  const controller = new AbortController()
  const pending = embed(embedder, ['x'], controller.signal)
  await upstream.waitForRequests(4)
  const reason = new DriberError('DEADLINE_EXCEEDED')
  controller.abort(reason)
  t.equal(await driberErrorOf(pending), reason)
  await upstream.waitForAborted(2)
})

t.test('wrong vector counts and dimensions are caught', async (t) => {
  const { upstream, embedder } = await setup(t, { dimension: 2 })
  upstream.script({ kind: 'embeddings', vectors: [[1, 0]] }, { kind: 'embeddings', vectors: [[1, 0, 0]] })
  t.equal((await driberErrorOf(embed(embedder, ['a', 'b']))).code, 'DRIBER_UPSTREAM_UNAVAILABLE', 'one vector for two texts')
  const mismatch = await driberErrorOf(embed(embedder, ['a']))
  t.equal(mismatch.code, 'DRIBER_INDEX_MISMATCH')
  t.same(mismatch.details, { model: 'test-embed', expected: 2, received: 3 })
})

// ---------------------------------------------------------------- images (CLIP-family servers)

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((sum, value, index) => sum + value * (b[index] as number), 0)

const imageSetup = async (t: Test, imageInput: string, extra: Record<string, unknown> = {}) => {
  const upstream = await startFakeUpstream({ embeddingDimension: 64, wordVectors: true })
  t.teardown(() => upstream.close())
  const data = parseRegistry({
    version: 1,
    models: [{ id: 'm', provider: 'embedded', scale: 'tiny' }],
    embedders: [{ id: 'clip', provider: 'openai', base_url: upstream.baseUrl, upstream_model: 'clip-vit-b32', modalities: ['text', 'image'], image_input: imageInput, ...extra }],
    routes: { decide: ['m'], describe: ['m'] },
  })
  const embedder = createOpenAIProvider().createEmbeddingModel(data.embedders[0] as EmbedderEntry, () => undefined)
  t.teardown(() => embedder.close?.())
  return { upstream, embedder }
}

const pictures = [
  { bytes: tinyPng('dog', 'dog-1'), mediaType: 'image/png' },
  { bytes: tinyPng('bicycle', 'bike-1'), mediaType: 'image/png' },
  { bytes: tinyPng('birthday cake', 'cake-1'), mediaType: 'image/png' },
]

for (const form of ['openai_messages', 'input_objects', 'modality_field'] as const) {
  t.test(`${form}: images and texts share one space through the real SDK`, async (t) => {
    const { upstream, embedder } = await imageSetup(t, form, { batch_size: 2 })
    t.ok(embedsImages(embedder), 'an entry with the image modality embeds images')
    const signal = new AbortController().signal
    const images = await (embedder.embedImages as NonNullable<EmbeddingModel['embedImages']>)({ images: pictures, signal, requestId: 'req-images' })
    t.equal(images.vectors.length, 3)
    const again = await (embedder.embedImages as NonNullable<EmbeddingModel['embedImages']>)({ images: [pictures[1] as ImageInput], signal, requestId: 'req-again' })
    t.ok(close(again.vectors[0] as Float32Array, images.vectors[1] as Float32Array), 'the same bytes give the same vector')
    const texts = await embed(embedder, ['a dog running on grass', 'a red bicycle', 'a birthday cake with candles'])
    texts.vectors.forEach((text, index) => {
      const scores = images.vectors.map((image) => cosine(text, image))
      t.equal(scores.indexOf(Math.max(...scores)), index, `text ${index} is nearest its own picture`)
    })

    const imageRequests = upstream.embeddingRequests.filter((request) => JSON.stringify(request.body).includes('base64') || JSON.stringify(request.body).includes('"image"'))
    const textInputs = upstream.embeddingRequests.filter((request) => !imageRequests.includes(request)).flatMap((request) => (request.body as { input: unknown[] }).input)
    const first = imageRequests[0]?.body as Record<string, unknown>
    t.equal(first.model, 'clip-vit-b32')
    t.equal(upstream.embeddingRequests[0]?.headers['x-request-id'], 'req-images')
    const pngBase64 = pictures[0]?.bytes.toString('base64')
    if (form === 'openai_messages') {
      t.equal(imageRequests.length, 4, 'vLLM embeds one conversation per request: one call per image')
      t.same(first.messages, [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${pngBase64}` } }] }])
      t.same(textInputs, ['a dog running on grass', 'a red bicycle', 'a birthday cake with candles'], 'texts go as plain input')
    } else if (form === 'input_objects') {
      t.equal(imageRequests.length, 3, 'batches of two images, then one, then the single image')
      t.same(first.input, [{ image: pngBase64 }, { image: pictures[1]?.bytes.toString('base64') }])
      t.same(textInputs, [{ text: 'a dog running on grass' }, { text: 'a red bicycle' }, { text: 'a birthday cake with candles' }], 'Jina-style texts are {text} objects')
    } else {
      t.equal(imageRequests.length, 3, 'batches of two images, then one, then the single image')
      t.equal(first.modality, 'image')
      t.same(first.input, [`data:image/png;base64,${pngBase64}`, `data:image/png;base64,${pictures[1]?.bytes.toString('base64')}`])
      t.same(textInputs, ['a dog running on grass', 'a red bicycle', 'a birthday cake with candles'], 'texts are an ordinary embeddings call')
      t.notOk('modality' in (upstream.embeddingRequests.at(-1)?.body as object))
    }
  })
}

t.test('a text-only entry has no image method; a rejected image is UPSTREAM_REJECTED', async (t) => {
  const { embedder: textOnly } = await setup(t)
  t.notOk(embedsImages(textOnly))
  const { upstream, embedder } = await imageSetup(t, 'modality_field')
  upstream.script({ kind: 'status', status: 400, message: 'cannot decode image' })
  const error = await driberErrorOf((embedder.embedImages as NonNullable<EmbeddingModel['embedImages']>)({ images: [pictures[0] as ImageInput], signal: new AbortController().signal, requestId: 'r' }))
  t.equal(error.code, 'DRIBER_UPSTREAM_REJECTED')
})
