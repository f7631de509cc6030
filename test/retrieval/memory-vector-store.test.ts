import t from 'tap'
import { MemoryVectorStore } from '../../src/retrieval/memory-vector-store.js'
import { randomUnitVectors } from '../../src/retrieval/random-unit-vectors.js'
import type { ImageRecord } from '../../src/retrieval/vector-store.js'

const dimension = 23
const count = 600
const vectors = randomUnitVectors(count, dimension, 11)
const records: ImageRecord[] = Array.from({ length: count }, (_, row) => ({ id: `img-${row}`, url: `https://example.test/${row}.jpg`, caption: `image ${row}`, labels: row % 3 === 0 ? ['dog'] : ['cat'] }))
const store = new MemoryVectorStore({ vectors, dimension, records })

/** The oracle: score every row in double precision and sort. */
const bruteForce = (query: Float32Array, k: number, keep: (row: number) => boolean = () => true) =>
  Array.from({ length: count }, (_, row) => row)
    .filter(keep)
    .map((row) => {
      let score = 0
      for (let column = 0; column < dimension; column++) score += (query[column] as number) * (vectors[row * dimension + column] as number)
      return { row, score }
    })
    .sort((a, b) => b.score - a.score || a.row - b.row)
    .slice(0, k)

t.test('exact search returns the brute-force top k with its scores', async (t) => {
  const queries = randomUnitVectors(20, dimension, 12)
  for (let index = 0; index < 20; index++) {
    const query = queries.subarray(index * dimension, (index + 1) * dimension)
    for (const k of [1, 10, 37]) {
      const hits = await store.search(query, { k })
      const expected = bruteForce(query, k)
      t.same(hits.map((hit) => hit.record.id), expected.map((entry) => `img-${entry.row}`), `query ${index} k=${k}`)
      hits.forEach((hit, rank) => t.ok(Math.abs(hit.score - (expected[rank] as { score: number }).score) < 1e-5))
    }
  }
})

t.test('a label filter searches only matching images', async (t) => {
  const query = randomUnitVectors(1, dimension, 13)
  const hits = await store.search(query, { k: 10, filter: { labels: 'dog' } })
  t.same(hits.map((hit) => hit.record.id), bruteForce(query, 10, (row) => row % 3 === 0).map((entry) => `img-${entry.row}`))
  t.ok(hits.every((hit) => hit.record.labels.includes('dog')))
})

t.test('k larger than the gallery returns the whole gallery', async (t) => {
  const small = new MemoryVectorStore({ vectors: vectors.subarray(0, 3 * dimension), dimension, records: records.slice(0, 3) })
  t.equal((await small.search(vectors.subarray(0, dimension), { k: 10 })).length, 3)
  t.equal((await new MemoryVectorStore({ vectors: new Float32Array(0), dimension, records: [] }).search(vectors.subarray(0, dimension), { k: 5 })).length, 0)
})

t.test('an unknown filter field is refused', async (t) => {
  await t.rejects(store.search(vectors.subarray(0, dimension), { k: 3, filter: { colour: 'red' } }), { code: 'DRIBER_INVALID_ARGUMENT' })
})
