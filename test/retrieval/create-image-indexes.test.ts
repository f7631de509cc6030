import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pino from 'pino'
import t from 'tap'
import { testConfig } from '../../src/config.js'
import { DriberError } from '../../src/errors.js'
import type { EmbeddingModel } from '../../src/providers/provider.js'
import { createImageIndexes } from '../../src/retrieval/create-image-indexes.js'
import { buildIndex } from '../../src/retrieval/index-builder.js'
import { duplicateJsonKeys } from '../support/duplicate-json-keys.js'
import { HashingEmbedder } from '../support/hashing-embedder.js'
import { startPgliteServer } from '../support/pglite-server.js'

const directory = mkdtempSync(path.join(tmpdir(), 'driber-indexes-'))
t.teardown(() => rmSync(directory, { recursive: true, force: true }))
const logger = pino({ level: 'silent' })
const signal = new AbortController().signal

const embedder = new HashingEmbedder({ id: 'hash-32' })
const other = new HashingEmbedder({ id: 'hash-16', dimension: 16 })
const embedders = {
  embedder(id: string): EmbeddingModel {
    if (id === embedder.id) return embedder
    if (id === other.id) return other
    throw new DriberError('EMBEDDER_UNAVAILABLE', { message: `No embedder "${id}"` })
  },
}

const galleryRows = [
  { id: 'dog-beach', url: 'https://img.test/1.jpg', caption: 'a dog running on the beach', labels: ['dog', 'beach'] },
  { id: 'cat-sofa', url: 'https://img.test/2.jpg', caption: 'a cat sleeping on a sofa', labels: ['cat'] },
  { id: 'pizza', url: 'https://img.test/3.jpg', caption: 'a pizza with cheese and tomato', labels: ['food'] },
  { id: 'mountain', url: 'https://img.test/4.jpg', caption: 'snow on a mountain at sunset', labels: ['landscape'] },
  { id: 'dog-park', url: 'https://img.test/5.jpg', caption: 'a dog playing in the park', labels: ['dog'] },
]
const jsonl = path.join(directory, 'gallery.jsonl')
// One row already carries its vector: it must be used as is, not re-embedded.
writeFileSync(
  jsonl,
  galleryRows.map((row) => JSON.stringify(row.id === 'pizza' ? { ...row, vector: [...embedder.vector('pizza cheese tomato')] } : row)).join('\n'),
)
const built = path.join(directory, 'built')
await buildIndex({ input: jsonl, out: built, embedder: new HashingEmbedder({ id: 'hash-32' }), batchSize: 2, hnsw: { m: 8, efConstruction: 32 } })
const truncated = path.join(directory, 'truncated')
await buildIndex({ input: jsonl, out: truncated, embedder: new HashingEmbedder({ id: 'hash-32' }), batchSize: 2 })
truncateSync(path.join(truncated, 'vectors.f32'), 64)

const pgServer = await startPgliteServer()
t.teardown(() => pgServer.close())

const config = testConfig(
  {
    retrieval: {
      defaultIndex: 'photos',
      embedBatchSize: 2,
      pgPoolSize: 2,
      hnsw: { maxEf: 300 },
      indexes: [
        { name: 'photos', path: jsonl, embedder: 'hash-32', backend: 'memory' },
        { name: 'photos-hnsw', path: built, embedder: 'hash-32', backend: 'hnsw' },
        { name: 'photos-hnsw-jsonl', path: jsonl, embedder: 'hash-32', backend: 'hnsw' },
        { name: 'photos-pg', path: built, embedder: 'hash-32', backend: 'pgvector', connectionStringEnv: 'TEST_PG_URL', table: 'photos' },
        { name: 'missing', path: path.join(directory, 'nope.jsonl'), embedder: 'hash-32', backend: 'memory' },
        { name: 'truncated', path: truncated, embedder: 'hash-32', backend: 'memory' },
        { name: 'mismatched', path: built, embedder: 'hash-16', backend: 'memory' },
        { name: 'no-embedder', path: jsonl, embedder: 'not-in-registry', backend: 'memory' },
        { name: 'pg-no-url', path: jsonl, embedder: 'hash-32', backend: 'pgvector' },
      ],
    },
    limits: { maxK: 20 },
  },
  { TEST_PG_URL: pgServer.connectionString },
)
const indexes = await createImageIndexes({ config, embedders, logger })
t.teardown(() => indexes.close())
const options = { k: 3, signal, requestId: 'test' }

t.test('a JSONL gallery embeds captions without vectors, in batches, and keeps given vectors', async (t) => {
  // Three indexes load the JSONL gallery (in parallel) through the same embedder.
  const loadCalls = embedder.calls.slice(0, 6)
  t.ok(loadCalls.every((call) => call.length === 2), 'batches of embedBatchSize')
  t.same([...new Set(loadCalls.flat())].sort(), ['a cat sleeping on a sofa', 'a dog playing in the park', 'a dog running on the beach', 'snow on a mountain at sunset'])
  t.equal(embedder.calls.length - 6, 0, 'nothing else was embedded at load')
  const [top] = await indexes.get('photos').search(['pizza cheese tomato'], options)
  t.equal(top?.id, 'pizza')
  t.ok(Math.abs((top?.score ?? 0) - 1) < 1e-5, 'its own vector was stored as given')
})

t.test('each backend answers a description with the matching image first', async (t) => {
  for (const name of ['photos', 'photos-hnsw', 'photos-hnsw-jsonl', 'photos-pg']) {
    const results = await indexes.get(name).search(['a cat sleeping on a sofa'], options)
    t.equal(results[0]?.id, 'cat-sofa', name)
    t.same(Object.keys(results[0] ?? {}).sort(), ['caption', 'id', 'score', 'url'])
    t.equal(results.length, 3)
    t.ok(results.every((result, index) => index === 0 || (results[index - 1]?.score ?? 0) >= result.score), `${name}: best first`)
  }
})

t.test('several descriptions fuse by the best score per image, without duplicates', async (t) => {
  const index = indexes.get('photos')
  const both = await index.search(['a dog running on the beach', 'a pizza with cheese and tomato', 'a dog running on the beach'], { ...options, k: 5 })
  t.same(both.slice(0, 2).map((result) => result.id).sort(), ['dog-beach', 'pizza'])
  t.equal(new Set(both.map((result) => result.id)).size, both.length)
  const alone = await index.search(['a pizza with cheese and tomato'], { ...options, k: 5 })
  const fusedPizza = both.find((result) => result.id === 'pizza')
  t.equal(fusedPizza?.score, alone.find((result) => result.id === 'pizza')?.score, 'fused score is the max, not a mean')
})

t.test('a metadata filter keeps only matching images on every backend', async (t) => {
  for (const name of ['photos', 'photos-hnsw', 'photos-pg']) {
    const results = await indexes.get(name).search(['a cat sleeping on a sofa'], { ...options, k: 5, filter: { labels: 'dog' } })
    t.same(results.map((result) => result.id).sort(), ['dog-beach', 'dog-park'], name)
  }
  await t.rejects(indexes.get('photos').search(['x'], { ...options, filter: { size: 'big' } }), { code: 'DRIBER_INVALID_ARGUMENT', message: /labels, label, id, url/ })
})

t.test('k and ef are checked against the configured limits', async (t) => {
  const index = indexes.get('photos-hnsw')
  await t.rejects(index.search(['dog'], { ...options, k: 21 }), { code: 'DRIBER_INVALID_ARGUMENT' })
  await t.rejects(index.search(['dog'], { ...options, ef: 301 }), { code: 'DRIBER_INVALID_ARGUMENT', message: /ef must be/ })
  t.equal((await index.search(['dog'], { ...options, ef: 300 })).length, 3)
  await t.rejects(index.search(['  '], options), { code: 'DRIBER_INVALID_ARGUMENT' })
  const aborted = new AbortController()
  aborted.abort()
  await t.rejects(index.search(['dog'], { ...options, signal: aborted.signal }), { code: 'DRIBER_CANCELLED' })
})

t.test('broken indexes do not stop the others and say why', async (t) => {
  const status = Object.fromEntries(indexes.status().map((entry) => [entry.name, entry]))
  t.same(status['photos'], { name: 'photos', ready: true, size: 5 })
  t.equal(status['photos-pg']?.ready, true)
  t.match(status['missing'], { ready: false, size: 0, error: /^DRIBER_INDEX_UNAVAILABLE: / })
  t.match(status['truncated'], { ready: false, error: /^DRIBER_INDEX_CORRUPT: / })
  t.match(status['mismatched'], { ready: false, error: /^DRIBER_INDEX_MISMATCH: .*"hash-32".*"hash-16"/ })
  t.match(status['no-embedder'], { ready: false, error: /^DRIBER_EMBEDDER_UNAVAILABLE: / })
  t.match(status['pg-no-url'], { ready: false, error: /no connection string/ })
  t.throws(() => indexes.get('missing'), { code: 'DRIBER_INDEX_UNAVAILABLE' })
  t.throws(() => indexes.get('truncated'), { code: 'DRIBER_INDEX_CORRUPT' })
  t.throws(() => indexes.get('mismatched'), { code: 'DRIBER_INDEX_MISMATCH' })
  t.throws(() => indexes.get('no-embedder'), { code: 'DRIBER_EMBEDDER_UNAVAILABLE' })
})

t.test('names: the default, the list, and unknown names listing what exists', async (t) => {
  t.equal(indexes.defaultName, 'photos')
  t.equal(indexes.get().name, 'photos')
  t.equal(indexes.names().length, 9)
  t.throws(() => indexes.get('nothing'), { code: 'DRIBER_UNKNOWN_INDEX', message: /photos, photos-hnsw/, details: { requested: 'nothing' } })
})

t.test('load-time log lines never carry a key twice (the index name comes once, from the child logger)', async (t) => {
  const lines: string[] = []
  const capture = pino({ level: 'info' }, { write: (line: string) => lines.push(line) })
  const gallery = path.join(directory, 'repeats.jsonl')
  writeFileSync(gallery, [...galleryRows, { ...galleryRows[0], id: 'again' }].map((row) => JSON.stringify(row)).join('\n'))
  const indexes = await createImageIndexes({
    config: testConfig({ retrieval: { defaultIndex: 'repeats', indexes: [{ name: 'repeats', path: gallery, embedder: 'hash-32', backend: 'hnsw' }] } }),
    embedders,
    logger: capture,
  })
  t.teardown(() => indexes.close())
  t.ok(lines.some((line) => line.includes('gallery repeats urls')), 'the duplicate-url warning was written')
  t.ok(lines.some((line) => line.includes('embedding gallery captions')), 'the embedding notice was written')
  t.same(lines.flatMap((line) => duplicateJsonKeys(line)), [])
})

t.test('gallery caption vectors from a remote embedder are cached on disk: the next start embeds nothing', async (t) => {
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'driber-cache-'))
  t.teardown(() => rmSync(cacheDir, { recursive: true, force: true }))
  const remote = new HashingEmbedder({ id: 'hash-32' })
  const remoteEmbedders = { embedder: () => remote }
  const config = testConfig({
    retrieval: { defaultIndex: 'cached', indexes: [{ name: 'cached', path: jsonl, embedder: 'hash-32', backend: 'memory' }], vectorCache: { dir: cacheDir } },
  })
  const load = async () => {
    const indexes = await createImageIndexes({ config, embedders: remoteEmbedders, logger })
    const results = await indexes.get('cached').search(['a dog running on the beach'], { k: 2, signal, requestId: 'cache' })
    await indexes.close()
    return results.map((result) => result.id)
  }
  const first = await load()
  const embeddedAtFirstStart = remote.calls.flat().length
  t.equal(embeddedAtFirstStart, galleryRows.length - 1 + 1, 'the first start embeds the captions without a vector (and the query)')
  const second = await load()
  t.equal(remote.calls.flat().length, embeddedAtFirstStart + 1, 'the second start embeds only the query, not one caption')
  t.same(second, first, 'the same answers from cached vectors')

  const changed = path.join(directory, 'changed.jsonl')
  writeFileSync(changed, galleryRows.map((row) => JSON.stringify(row.id === 'cat-sofa' ? { ...row, caption: 'a cat asleep on a red sofa' } : row)).join('\n'))
  const changedConfig = testConfig({
    retrieval: { defaultIndex: 'cached', indexes: [{ name: 'cached', path: changed, embedder: 'hash-32', backend: 'memory' }], vectorCache: { dir: cacheDir } },
  })
  const before = remote.calls.flat().length
  await (await createImageIndexes({ config: changedConfig, embedders: remoteEmbedders, logger })).close()
  t.equal(remote.calls.flat().length - before, galleryRows.length, 'a changed caption: the gallery is embedded again')

  const off = testConfig({ retrieval: { defaultIndex: 'cached', indexes: [{ name: 'cached', path: jsonl, embedder: 'hash-32', backend: 'memory' }], vectorCache: { dir: cacheDir, enabled: false } } })
  const beforeOff = remote.calls.flat().length
  await (await createImageIndexes({ config: off, embedders: remoteEmbedders, logger })).close()
  t.equal(remote.calls.flat().length - beforeOff, galleryRows.length - 1, 'vectorCache.enabled: false always embeds')
})
