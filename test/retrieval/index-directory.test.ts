import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { CAPTION_VECTORS_FILE, MANIFEST_FILE, METADATA_FILE, VECTORS_FILE, manifestModality, peekManifest, readIndexDirectory, writeIndexDirectory } from '../../src/retrieval/index-directory.js'
import { randomUnitVectors } from '../../src/retrieval/random-unit-vectors.js'

const writeSample = (t: Test): string => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-index-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  writeIndexDirectory(directory, {
    embedder: 'embed-a',
    dimension: 8,
    vectors: randomUnitVectors(5, 8, 3),
    records: Array.from({ length: 5 }, (_, index) => ({ id: `i${index}`, url: `u${index}`, caption: `c${index}`, labels: [] })),
    now: () => new Date('2026-01-02T03:04:05Z'),
  })
  return directory
}

t.test('a written index reads back intact, with a manifest describing it', async (t) => {
  const directory = writeSample(t)
  const loaded = readIndexDirectory(directory, { expectedEmbedder: 'embed-a' })
  t.equal(loaded.manifest.count, 5)
  t.equal(loaded.manifest.formatVersion, 1)
  t.equal(loaded.manifest.createdAt, '2026-01-02T03:04:05.000Z')
  t.equal(loaded.manifest.files[VECTORS_FILE]?.bytes, 5 * 8 * 4)
  t.match(loaded.manifest.files[METADATA_FILE]?.sha256, /^[0-9a-f]{64}$/)
  t.same([...loaded.vectors], [...randomUnitVectors(5, 8, 3)])
})

t.test('an index built with another embedder fails with INDEX_MISMATCH naming both', async (t) => {
  const directory = writeSample(t)
  t.throws(() => readIndexDirectory(directory, { expectedEmbedder: 'embed-b' }), { code: 'DRIBER_INDEX_MISMATCH', message: /"embed-a".*"embed-b"/ })
})

t.test('a truncated vectors file fails with INDEX_CORRUPT', async (t) => {
  const directory = writeSample(t)
  truncateSync(path.join(directory, VECTORS_FILE), 100)
  t.throws(() => readIndexDirectory(directory), { code: 'DRIBER_INDEX_CORRUPT', message: /vectors\.f32 has 100 bytes/ })
})

t.test('an altered byte fails the checksum with INDEX_CORRUPT (unless checksums are off)', async (t) => {
  const directory = writeSample(t)
  const file = path.join(directory, VECTORS_FILE)
  const bytes = readFileSync(file)
  bytes[17] = (bytes[17] as number) ^ 0xff
  writeFileSync(file, bytes)
  t.throws(() => readIndexDirectory(directory), { code: 'DRIBER_INDEX_CORRUPT', message: /sha256/ })
  t.doesNotThrow(() => readIndexDirectory(directory, { verifyChecksums: false }))
})

t.test('corrupt metadata and manifests fail with INDEX_CORRUPT; a missing manifest with INDEX_UNAVAILABLE', async (t) => {
  const directory = writeSample(t)
  const metadata = path.join(directory, METADATA_FILE)
  writeFileSync(metadata, readFileSync(metadata, 'utf8').replace('"i2"', '"X2"'))
  t.throws(() => readIndexDirectory(directory), { code: 'DRIBER_INDEX_CORRUPT' })
  writeFileSync(path.join(directory, MANIFEST_FILE), '{ not json')
  t.throws(() => readIndexDirectory(directory), { code: 'DRIBER_INDEX_CORRUPT', message: /not valid JSON/ })
  writeFileSync(path.join(directory, MANIFEST_FILE), JSON.stringify({ format: 'driber-image-index', formatVersion: 99 }))
  t.throws(() => readIndexDirectory(directory), { code: 'DRIBER_INDEX_CORRUPT', message: /format version 99/ })
  rmSync(path.join(directory, MANIFEST_FILE))
  t.throws(() => readIndexDirectory(directory), { code: 'DRIBER_INDEX_UNAVAILABLE' })
})

t.test('a local image path survives the round trip; a relative one is refused as corrupt', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-index-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const records = [
    { id: 'local', url: 'file:///srv/photos/a.png', caption: 'a', labels: [], path: '/srv/photos/a.png' },
    { id: 'web', url: 'https://example.org/b.jpg', caption: 'b', labels: [] },
  ]
  writeIndexDirectory(directory, { embedder: 'embed-a', dimension: 4, vectors: randomUnitVectors(2, 4, 1), records })
  t.same(readIndexDirectory(directory).records, records, 'path kept where given, absent elsewhere')

  const metadata = path.join(directory, METADATA_FILE)
  writeFileSync(metadata, readFileSync(metadata, 'utf8').replace('/srv/photos/a.png"', 'photos/a.png"'))
  t.throws(() => readIndexDirectory(directory, { verifyChecksums: false }), { code: 'DRIBER_INDEX_CORRUPT' })
})

t.test('image indexes: modality, caption vectors and local paths read back; a short caption file is INDEX_CORRUPT', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-index-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const captions = randomUnitVectors(3, 8, 9)
  captions.fill(0, 8, 16) // the second image has no caption
  writeIndexDirectory(directory, {
    embedder: 'clip',
    dimension: 8,
    modality: 'image',
    vectors: randomUnitVectors(3, 8, 4),
    captionVectors: captions,
    records: [
      { id: 'a.png', url: 'file:///photos/a.png', caption: 'a dog', labels: ['dog'], path: '/photos/a.png' },
      { id: 'b.png', url: 'file:///photos/b.png', caption: '', labels: [], path: '/photos/b.png' },
      { id: 'c', url: 'https://img.test/c.jpg', caption: 'a cat', labels: [] },
    ],
  })
  const loaded = readIndexDirectory(directory, { expectedEmbedder: 'clip' })
  t.equal(loaded.manifest.modality, 'image')
  t.equal(manifestModality(loaded.manifest), 'image')
  t.same([...(loaded.captionVectors as Float32Array)], [...captions])
  t.equal(loaded.records[0]?.path, '/photos/a.png')
  t.notOk('path' in (loaded.records[2] as object), 'URL images have no path')
  t.same(peekManifest(directory), { embedder: 'clip', modality: 'image' })

  const plain = writeSample(t)
  t.equal(manifestModality(readIndexDirectory(plain).manifest), 'text', 'a manifest without modality is a caption index')
  t.equal(readIndexDirectory(plain).captionVectors, undefined)

  truncateSync(path.join(directory, CAPTION_VECTORS_FILE), 40)
  t.throws(() => readIndexDirectory(directory), { code: 'DRIBER_INDEX_CORRUPT', message: /caption-vectors\.f32 has 40 bytes/ })
  const manifest = JSON.parse(readFileSync(path.join(plain, MANIFEST_FILE), 'utf8')) as Record<string, unknown>
  writeFileSync(path.join(plain, MANIFEST_FILE), JSON.stringify({ ...manifest, modality: 'audio' }))
  t.throws(() => readIndexDirectory(plain), { code: 'DRIBER_INDEX_CORRUPT', message: /unknown modality "audio"/ })
})
