import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { captionVectorsFile, readCaptionVectors, writeCaptionVectors } from '../../src/retrieval/caption-vector-cache.js'

const directory = mkdtempSync(path.join(tmpdir(), 'driber-vector-cache-'))
t.teardown(() => rmSync(directory, { recursive: true, force: true }))

const embedder = { id: 'remote-embed', provider: 'openai', fingerprint: '["http://a/v1","text-embedding-3-small",0]' }
const captions = ['a dog on a beach', 'a cat on a sofa']
const vectors = [Float32Array.from([0.6, 0.8, 0]), Float32Array.from([0, 0, 1])]

t.test('written vectors read back exactly, one per caption', async (t) => {
  const file = captionVectorsFile(directory, embedder, captions)
  t.equal(writeCaptionVectors(file, vectors), undefined)
  t.same(readCaptionVectors(file, captions.length)?.map((vector) => [...vector]), vectors.map((vector) => [...vector]))
  t.same(readdirSync(path.dirname(file)).filter((name) => name.endsWith('.tmp')), [], 'no temporary file left behind')
})

t.test('the key is the embedder (id, provider, fingerprint) and every caption in order', async (t) => {
  const file = captionVectorsFile(directory, embedder, captions)
  t.equal(captionVectorsFile(directory, { ...embedder }, [...captions]), file, 'the same pair, the same file')
  const others = [
    captionVectorsFile(directory, { ...embedder, id: 'other' }, captions),
    captionVectorsFile(directory, { ...embedder, fingerprint: '["http://b/v1","text-embedding-3-large",0]' }, captions),
    captionVectorsFile(directory, embedder, [...captions].reverse()),
    captionVectorsFile(directory, embedder, ['a dog on a beach!', 'a cat on a sofa']),
    captionVectorsFile(directory, embedder, ['a dog on a beacha', ' cat on a sofa']),
  ]
  t.equal(new Set([file, ...others]).size, others.length + 1, 'any change is another file')
})

t.test('a file that does not fit what is asked is ignored, never trusted', async (t) => {
  const file = captionVectorsFile(directory, embedder, ['one', 'two', 'three'])
  t.equal(readCaptionVectors(file, 3), undefined, 'missing')
  writeCaptionVectors(file, vectors)
  t.equal(readCaptionVectors(file, 3), undefined, 'another count')
  writeFileSync(file, Buffer.from('not a vector file at all'))
  t.equal(readCaptionVectors(file, 2), undefined, 'garbage')
  writeCaptionVectors(file, vectors)
  const { truncateSync } = await import('node:fs')
  truncateSync(file, 20)
  t.equal(readCaptionVectors(file, 2), undefined, 'truncated')
})

t.test('a cache that cannot be written reports it and throws nothing', async (t) => {
  const blocker = path.join(directory, 'a-file')
  writeFileSync(blocker, 'x')
  const error = writeCaptionVectors(captionVectorsFile(blocker, embedder, captions), vectors)
  t.ok(error instanceof Error)
})
