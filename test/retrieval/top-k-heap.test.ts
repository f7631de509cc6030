import t from 'tap'
import { TopKHeap } from '../../src/retrieval/top-k-heap.js'
import { seededRandom } from '../../src/retrieval/random-unit-vectors.js'

t.test('keeps the k highest scores, best first, like a full sort', async (t) => {
  const random = seededRandom(7)
  for (const k of [1, 3, 10, 50]) {
    const scores = Array.from({ length: 500 }, () => Math.round(random() * 100) / 100)
    const heap = new TopKHeap(k)
    scores.forEach((score, position) => heap.push(position, score))
    const expected = scores
      .map((score, position) => ({ position, score }))
      .sort((a, b) => b.score - a.score || a.position - b.position)
      .slice(0, k)
    t.same(heap.sorted(), expected, `k=${k}`)
  }
})

t.test('holds fewer than k when fewer were offered', async (t) => {
  const heap = new TopKHeap(5)
  heap.push(0, 0.5)
  heap.push(1, 0.9)
  t.equal(heap.size, 2)
  t.equal(heap.threshold, Number.NEGATIVE_INFINITY)
  t.same(heap.sorted(), [{ position: 1, score: 0.9 }, { position: 0, score: 0.5 }])
})

t.test('refuses a capacity that is not a positive integer', async (t) => {
  t.throws(() => new TopKHeap(0), RangeError)
})
