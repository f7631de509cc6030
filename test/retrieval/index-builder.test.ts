import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { buildIndex, WORK_DIRECTORY, type BuildProgress } from '../../src/retrieval/index-builder.js'
import { HNSW_FILE, readIndexDirectory } from '../../src/retrieval/index-directory.js'
import { HashingEmbedder } from '../support/hashing-embedder.js'

const temporaryDirectory = (t: Test): string => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-build-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  return directory
}

const gallery = (count: number): string =>
  Array.from({ length: count }, (_, index) => JSON.stringify({ id: `p${index}`, url: `https://img.test/${index}.jpg`, caption: `photo ${index} of a dog number${index}`, labels: ['dog'] })).join('\n') + '\n'

t.test('builds an index directory that loads back with the same records and embedder vectors', async (t) => {
  const directory = temporaryDirectory(t)
  const input = path.join(directory, 'gallery.jsonl')
  writeFileSync(input, gallery(10))
  const embedder = new HashingEmbedder()
  const progress: BuildProgress[] = []
  const result = await buildIndex({ input, out: path.join(directory, 'index'), embedder, batchSize: 4, onProgress: (event) => progress.push(event) })
  t.equal(result.manifest.count, 10)
  t.equal(result.manifest.dimension, 32)
  t.equal(result.manifest.embedder, 'hashing-embed')
  t.equal(embedder.calls.length, 3, '10 captions in batches of 4')
  t.same(embedder.calls.map((call) => call.length), [4, 4, 2])
  t.ok(progress.some((event) => event.phase === 'embed' && event.done === 10 && event.total === 10))
  const loaded = readIndexDirectory(path.join(directory, 'index'), { expectedEmbedder: 'hashing-embed' })
  t.same(loaded.records[3], { id: 'p3', url: 'https://img.test/3.jpg', caption: 'photo 3 of a dog number3', labels: ['dog'] })
  t.same([...loaded.vectors.subarray(3 * 32, 4 * 32)], [...embedder.vector('photo 3 of a dog number3')])
  t.notOk(existsSync(path.join(directory, 'index', WORK_DIRECTORY)), 'work files removed after success')
})

t.test('drops repeated urls and identical vectors, keeping the first', async (t) => {
  const directory = temporaryDirectory(t)
  const input = path.join(directory, 'gallery.jsonl')
  writeFileSync(
    input,
    [
      { id: 'a', url: 'u1', caption: 'red bus' },
      { id: 'b', url: 'u1', caption: 'another caption for the same url' },
      { id: 'c', url: 'u2', caption: 'red bus' },
      { id: 'd', url: 'u3', vector: [2, 0, 0, 0] },
      { id: 'e', url: 'u4', vector: [1, 0, 0, 0] },
      { id: 'f', url: 'u5', vector: [0, 1, 0, 0] },
    ]
      .map((row) => JSON.stringify(row))
      .join('\n'),
  )
  // Four-dimensional vectors in the file: the embedder must produce the same dimension.
  const embedder = new HashingEmbedder({ dimension: 4 })
  const result = await buildIndex({ input, out: path.join(directory, 'index'), embedder, batchSize: 8 })
  t.equal(result.duplicateUrls, 1)
  t.equal(result.duplicateVectors, 2, '"c" embeds like "a", and "e" normalises to "d"')
  const loaded = readIndexDirectory(path.join(directory, 'index'))
  t.same(loaded.records.map((record) => record.id), ['a', 'd', 'f'])
  t.same([...loaded.vectors.subarray(4, 8)], [1, 0, 0, 0], 'vectors are stored normalised')
  const kept = await buildIndex({ input, out: path.join(directory, 'kept'), embedder, batchSize: 8, dropDuplicateVectors: false })
  t.equal(kept.duplicateVectors, 0)
  t.same(readIndexDirectory(path.join(directory, 'kept')).records.map((record) => record.id), ['a', 'c', 'd', 'e', 'f'], 'only the repeated url is dropped')
})

t.test('an interrupted build resumes from the last finished batch', async (t) => {
  const directory = temporaryDirectory(t)
  const input = path.join(directory, 'gallery.jsonl')
  const out = path.join(directory, 'index')
  writeFileSync(input, gallery(23))
  const failing = new HashingEmbedder({ failFromCall: 4 })
  await t.rejects(buildIndex({ input, out, embedder: failing, batchSize: 5 }), { code: 'DRIBER_UPSTREAM_UNAVAILABLE' })
  t.notOk(existsSync(path.join(out, 'manifest.json')), 'no manifest until the build finishes')
  t.throws(() => readIndexDirectory(out), { code: 'DRIBER_INDEX_UNAVAILABLE' })
  // A half-written batch after the last recorded one must be discarded, not reused.
  writeFileSync(path.join(out, WORK_DIRECTORY, 'embedded.f32'), Buffer.alloc(100, 7), { flag: 'a' })

  const notices: string[] = []
  const resumed = new HashingEmbedder()
  const result = await buildIndex({ input, out, embedder: resumed, batchSize: 5, onNotice: (message) => notices.push(message) })
  t.equal(result.resumedBatches, 3)
  t.equal(result.embeddedBatches, 2)
  t.same(resumed.calls.map((call) => call[0]), ['photo 15 of a dog number15', 'photo 20 of a dog number20'], 'only the batches not done before')
  t.match(notices.join('\n'), /resuming: 3 of 5/)

  const fresh = path.join(directory, 'fresh')
  await buildIndex({ input, out: fresh, embedder: new HashingEmbedder(), batchSize: 5 })
  t.equal(readFileSync(path.join(out, 'vectors.f32')).toString('hex'), readFileSync(path.join(fresh, 'vectors.f32')).toString('hex'), 'same vectors as an uninterrupted build')
  t.equal(readIndexDirectory(out).manifest.files['vectors.f32']?.sha256, readIndexDirectory(fresh).manifest.files['vectors.f32']?.sha256)
})

t.test('a changed input starts over instead of resuming', async (t) => {
  const directory = temporaryDirectory(t)
  const input = path.join(directory, 'gallery.jsonl')
  const out = path.join(directory, 'index')
  writeFileSync(input, gallery(10))
  await t.rejects(buildIndex({ input, out, embedder: new HashingEmbedder({ failFromCall: 2 }), batchSize: 5 }))
  writeFileSync(input, gallery(10).replace('photo 0 ', 'picture 0 '))
  const embedder = new HashingEmbedder()
  const result = await buildIndex({ input, out, embedder, batchSize: 5 })
  t.equal(result.resumedBatches, 0)
  t.equal(embedder.calls.length, 2)
})

t.test('reads CSV and writes an HNSW graph when asked', async (t) => {
  const directory = temporaryDirectory(t)
  const input = path.join(directory, 'gallery.csv')
  writeFileSync(input, 'id,url,caption,labels\nx1,https://a.test/1.jpg,"a cat, sleeping",cat|animal\nx2,https://a.test/2.jpg,"a ""big"" dog",dog\n')
  const result = await buildIndex({ input, out: path.join(directory, 'index'), embedder: new HashingEmbedder(), batchSize: 10, hnsw: { m: 8, efConstruction: 32 } })
  t.same(result.manifest.hnsw, { m: 8, efConstruction: 32, seed: 100 })
  const loaded = readIndexDirectory(path.join(directory, 'index'))
  t.same(loaded.records, [
    { id: 'x1', url: 'https://a.test/1.jpg', caption: 'a cat, sleeping', labels: ['cat', 'animal'] },
    { id: 'x2', url: 'https://a.test/2.jpg', caption: 'a "big" dog', labels: ['dog'] },
  ])
  t.equal(loaded.hnswFile, path.join(directory, 'index', HNSW_FILE))
})

t.test('bad input fails with the line number', async (t) => {
  const directory = temporaryDirectory(t)
  const input = path.join(directory, 'gallery.jsonl')
  writeFileSync(input, '{"id":"a","url":"u","caption":"ok"}\n{"id":"b","caption":"no url"}\n')
  await t.rejects(buildIndex({ input, out: path.join(directory, 'index'), embedder: new HashingEmbedder(), batchSize: 10 }), { message: /line 2: "url"/ })
  writeFileSync(input, '{"id":"a","url":"u1","caption":"x"}\n{"id":"a","url":"u2","caption":"y"}\n')
  await t.rejects(buildIndex({ input, out: path.join(directory, 'index'), embedder: new HashingEmbedder(), batchSize: 10 }), { message: /id "a" is used for two different urls/ })
})
