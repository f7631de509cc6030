import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { convertPackagedEmbeddings, readVocabularyFile } from '../../../src/providers/embedded/glove-vocabulary.js'

/** A miniature of the npm package's JSON layout: metadata, the ordered word list, then vectors. */
const packagedJson = (dimension: number): string => {
  const words = ['the', ']', 'dog', 'puppy', 'say "hi"', 'finance']
  const vectors: Record<string, number[]> = {}
  words.forEach((word, index) => {
    const vector = Array.from({ length: dimension }, (_, i) => Math.sin(index * 7 + i) * (i === 0 ? 3 : 0.5))
    vectors[word] = [...vector, 1.5, index]
  })
  // Make "puppy" nearly "dog".
  vectors.puppy = [...(vectors.dog as number[]).slice(0, dimension).map((value) => value * 0.9 + 0.01), 1.4, 3]
  return JSON.stringify({ precision: 8, l2NormIndex: dimension, wordIndex: dimension + 1, size: words.length, dimensions: dimension, words, vectors, unkVector: new Array(dimension).fill(0) })
}

t.test('converts the packaged JSON into a compact binary vocabulary and reads it back', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-glove-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const source = path.join(directory, 'embeddings.json')
  writeFileSync(source, packagedJson(8))
  const target = path.join(directory, 'cache', 'vocabulary.bin')
  const result = convertPackagedEmbeddings({ source, target, size: 5 })
  t.equal(result.count, 5, 'keeps the N most frequent words')
  t.equal(statSync(target).size, result.bytes)
  const vocabulary = readVocabularyFile(target)
  t.equal(vocabulary.dimension, 8)
  t.equal(vocabulary.rank('the'), 0)
  t.equal(vocabulary.rank(']'), 1, 'keys holding JSON punctuation survive the streaming scan')
  t.equal(vocabulary.rank('say "hi"'), 4, 'escaped quotes in keys survive')
  t.equal(vocabulary.rank('finance'), undefined, 'words past the size limit are dropped')
  const dog = vocabulary.vector('dog') as Float32Array
  const expected = Array.from({ length: 8 }, (_, i) => Math.sin(2 * 7 + i) * (i === 0 ? 3 : 0.5))
  const maxError = Math.max(...expected.map((value, i) => Math.abs(value - (dog[i] as number))))
  t.ok(maxError <= 3 / 127 / 2 + 1e-6, `int8 rounding error ${maxError} stays within half a step`)
  const sum = new Float32Array(8)
  t.equal(vocabulary.addTo(sum, 'nope', 1), false)
  t.ok(sum.every((value) => value === 0))
})

t.test('a truncated or foreign file fails clearly instead of loading garbage', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-glove-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const source = path.join(directory, 'embeddings.json')
  writeFileSync(source, packagedJson(4))
  const target = path.join(directory, 'vocabulary.bin')
  convertPackagedEmbeddings({ source, target, size: 6 })
  truncateSync(target, statSync(target).size - 3)
  t.throws(() => readVocabularyFile(target), { code: 'DRIBER_INTERNAL', message: /truncated/ })
  writeFileSync(target, 'not a vocabulary at all')
  t.throws(() => readVocabularyFile(target), { code: 'DRIBER_INTERNAL', message: /not a driber GloVe vocabulary/ })
})
