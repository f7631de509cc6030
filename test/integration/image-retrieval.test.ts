/**
 * A photo library end to end: a folder of pictures (some captioned through a list) becomes an
 * image index with an image-capable embedder on the fake upstream, and the whole app serves it:
 * Retrieve over HTTP and gRPC with `by: image | caption | both`, Share answering with the
 * library's photos, local files answered as this service's `/v1/images/...` URLs, and a start-up
 * that refuses an image index paired with a text-only embedder.
 */
import * as grpc from '@grpc/grpc-js'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pino from 'pino'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { createDriberGrpcClient } from '../../src/grpc/grpc-client.js'
import { createOpenAIProvider } from '../../src/providers/openai/openai-provider.js'
import { parseRegistry } from '../../src/registry/load-registry.js'
import type { EmbedderEntry, RegistryData } from '../../src/registry/registry-schema.js'
import { buildImageIndex } from '../../src/retrieval/image-index-builder.js'
import { buildTestApp, testAppConfig, testRegistry, TEST_GALLERY } from '../helper.js'
import { startFakeUpstream } from '../support/fake-upstream.js'
import { tinyPng } from '../support/tiny-images.js'

const UPSTREAM = { embeddingDimension: 64, wordVectors: true }

const clipEntry = (baseUrl: string) => ({ id: 'clip', provider: 'openai', base_url: baseUrl, upstream_model: 'clip-vit-b32', modalities: ['text', 'image'], image_input: 'openai_messages' })

/** The test registry plus an image-capable embedder on the same fake. */
const registryWithClip = (baseUrl: string): RegistryData => {
  const base = testRegistry(baseUrl)
  return parseRegistry({ ...base, embedders: [...base.embedders, clipEntry(baseUrl)] })
}

const directory = mkdtempSync(path.join(tmpdir(), 'driber-library-'))
t.teardown(() => rmSync(directory, { recursive: true, force: true }))
const photos = path.join(directory, 'photos')
const subjects = ['puppy', 'bicycle', 'sushi', 'mountain', 'guitar', 'tulip']
mkdirSync(photos)
for (const subject of subjects) writeFileSync(path.join(photos, `${subject}.png`), tinyPng(subject))
// A list captioning some of the same files: the hybrid index.
const list = path.join(directory, 'captioned.jsonl')
writeFileSync(
  list,
  [
    { id: 'puppy', path: 'photos/puppy.png', caption: 'a puppy asleep on a blanket', labels: ['dog'] },
    { id: 'bicycle', path: 'photos/bicycle.png', caption: 'a red bicycle by a wall' },
    // Captions can be wrong or cover what the pixels do not: this one names the guitar's room.
    { id: 'guitar', path: 'photos/guitar.png', caption: 'a sunny kitchen' },
    { id: 'tulip', path: 'photos/tulip.png' },
  ]
    .map((row) => JSON.stringify(row))
    .join('\n'),
)

// Built against a fake of its own: the fake's vectors depend only on content, so the app's fake agrees.
{
  const upstream = await startFakeUpstream(UPSTREAM)
  const embedder = createOpenAIProvider().createEmbeddingModel(parseRegistry(registryWithClip(upstream.baseUrl)).embedders[1] as EmbedderEntry, () => undefined)
  const resilience = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, retryAfterCapMs: 10 }
  await buildImageIndex({ input: photos, out: path.join(directory, 'library'), embedder, batchSize: 4, resilience })
  await buildImageIndex({ input: list, out: path.join(directory, 'hybrid'), embedder, batchSize: 4, resilience })
  await embedder.close?.()
  await upstream.close()
}

const indexes = [
  { name: 'library', path: path.join(directory, 'library'), embedder: 'clip', backend: 'memory' as const },
  { name: 'hybrid', path: path.join(directory, 'hybrid'), embedder: 'clip', backend: 'hnsw' as const },
  { name: 'captions', path: TEST_GALLERY, embedder: 'fake-embed', backend: 'memory' as const },
]

const startApp = (t: Test) =>
  buildTestApp(t, { upstream: UPSTREAM, registry: registryWithClip, config: { retrieval: { defaultIndex: 'library', indexes } } })

t.test('Retrieve answers from the photo folder, with URLs this service serves', async (t) => {
  const { post } = await startApp(t)
  const answer = await post('/v1/retrieve', { descriptions: ['An image of a puppy'], k: 3 })
  t.equal(answer.status, 200, JSON.stringify(answer.body))
  t.equal(answer.body.index, 'library')
  t.equal(answer.body.results[0].id, 'puppy.png', 'the picture labelled puppy comes first')
  t.equal(answer.body.results[0].url, '/v1/images/library/puppy.png', 'local files are served here, never by their path')
  t.notMatch(JSON.stringify(answer.body), directory, 'no path of this machine reaches the client')
  const bicycle = await post('/v1/retrieve', { descriptions: ['a bicycle leaning on a fence'], k: 1, by: 'image' })
  t.equal(bicycle.body.results[0].id, 'bicycle.png')

  const captionOnly = await post('/v1/retrieve', { descriptions: ['a puppy'], by: 'caption' })
  t.equal(captionOnly.status, 400)
  t.equal(captionOnly.body.error.code, 'DRIBER_INVALID_ARGUMENT')
  t.match(captionOnly.body.error.message, /cannot search by caption; it offers: image/)
  const oldIndex = await post('/v1/retrieve', { descriptions: ['a puppy'], index: 'captions', by: 'image' })
  t.equal(oldIndex.status, 400, 'an index built from captions offers caption only')
  const unknown = await post('/v1/retrieve', { descriptions: ['a puppy'], by: 'pixels' })
  t.equal(unknown.status, 400)
})

t.test('hybrid: image and caption lists, fused by reciprocal rank by default', async (t) => {
  const { post } = await startApp(t)
  const ask = (by: string | undefined, description: string) =>
    post('/v1/retrieve', { descriptions: [description], k: 4, index: 'hybrid', ...(by === undefined ? {} : { by }) })

  const byCaption = await ask('caption', 'a sunny kitchen')
  t.equal(byCaption.body.results[0].id, 'guitar', 'the caption finds what the pixels do not show')
  t.notOk(byCaption.body.results.some((result: { id: string }) => result.id === 'tulip'), 'an image without a caption is not in the caption list')
  const byImage = await ask('image', 'a tulip in a vase')
  t.equal(byImage.body.results[0].id, 'tulip')

  const both = await ask(undefined, 'a puppy asleep')
  const explicit = await ask('both', 'a puppy asleep')
  t.same(both.body, explicit.body, 'both is the default for an index with captions')
  t.equal(both.body.results[0].id, 'puppy', 'first in both lists, first fused')
  t.ok(Math.abs(both.body.results[0].score - 2 / 61) < 1e-9, 'its score is the RRF score of rank 1 in both lists')
  const kitchen = await ask(undefined, 'a sunny kitchen')
  t.ok(kitchen.body.results.some((result: { id: string }) => result.id === 'guitar'), 'fusion keeps what only one list found')
  const filtered = await post('/v1/retrieve', { descriptions: ['a bicycle'], index: 'hybrid', filter: { labels: 'dog' } })
  t.same(filtered.body.results.map((result: { id: string }) => result.id), ['puppy'], 'labels stay metadata for filters')
})

t.test('Share answers with photos from the library', async (t) => {
  const { post } = await startApp(t)
  const answer = await post('/v1/share', {
    dialogue: [
      { speaker: 'Ana', text: 'We adopted a dog last week!' },
      { speaker: 'Ben', text: 'No way, what kind of puppy?' },
    ],
    k: 2,
    by: 'image',
  })
  t.equal(answer.status, 200, JSON.stringify(answer.body))
  t.equal(answer.body.decision.share, true)
  t.match(answer.body.descriptions[0].text, /puppy/)
  t.equal(answer.body.results[0].id, 'puppy.png')
  t.equal(answer.body.results[0].url, '/v1/images/library/puppy.png')
  const refused = await post('/v1/share', { dialogue: [{ speaker: 'Ana', text: 'hi' }], by: 'caption' })
  t.equal(refused.status, 400, 'a mode the index lacks is refused before any model call')
})

t.test('gRPC carries `by` the same way', async (t) => {
  const { app, post } = await startApp(t)
  const server = app.grpc?.server
  if (server === undefined) throw new Error('the app built no gRPC server')
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  const client = createDriberGrpcClient(`127.0.0.1:${port}`)
  t.teardown(() => client.close())
  for (const by of ['image', 'caption', 'both'] as const) {
    const viaGrpc = await client.retrieve({ descriptions: ['a puppy asleep'], k: 3, index: 'hybrid', by })
    const viaHttp = await post('/v1/retrieve', { descriptions: ['a puppy asleep'], k: 3, index: 'hybrid', by })
    t.same(viaGrpc, viaHttp.body, `by ${by}: same answer on both transports`)
  }
  await t.rejects(client.retrieve({ descriptions: ['a puppy'], by: 'caption' }), { code: 'DRIBER_INVALID_ARGUMENT' })
})

t.test('an image index paired with a text-only embedder is refused at start', async (t) => {
  const upstream = await startFakeUpstream(UPSTREAM)
  t.teardown(() => upstream.close())
  const config = testAppConfig({ retrieval: { defaultIndex: 'library', indexes: [{ name: 'library', path: path.join(directory, 'library'), embedder: 'fake-embed', backend: 'memory' }] } })
  await t.rejects(buildApp(config, { logger: pino({ level: 'silent' }), registry: registryWithClip(upstream.baseUrl) }), {
    code: 'DRIBER_CONFIG_INVALID',
    message: /"library" .* holds image vectors but embedder "fake-embed" embeds text only/,
  })
})
