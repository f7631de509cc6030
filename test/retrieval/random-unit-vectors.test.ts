import t from 'tap'
import { clusteredUnitVectors, randomUnitVectors, seededRandom } from '../../src/retrieval/random-unit-vectors.js'

const norms = (vectors: Float32Array, dimension: number): number[] =>
  Array.from({ length: vectors.length / dimension }, (_, row) => Math.sqrt(vectors.subarray(row * dimension, (row + 1) * dimension).reduce((sum, value) => sum + value * value, 0)))

t.test('seeded generators repeat for a seed and differ across seeds', async (t) => {
  t.same([...randomUnitVectors(3, 7, 1)], [...randomUnitVectors(3, 7, 1)])
  t.notSame([...randomUnitVectors(3, 7, 1)], [...randomUnitVectors(3, 7, 2)])
  const random = seededRandom(9)
  const values = Array.from({ length: 1000 }, () => random())
  t.ok(values.every((value) => value >= 0 && value < 1))
  t.ok(Math.abs(values.reduce((sum, value) => sum + value, 0) / 1000 - 0.5) < 0.05, 'roughly uniform')
})

t.test('vectors are unit length (odd dimensions too), clustered ones near their centres', async (t) => {
  t.ok(norms(randomUnitVectors(20, 9, 3), 9).every((norm) => Math.abs(norm - 1) < 1e-5))
  const clustered = clusteredUnitVectors(200, 64, 4, 2, 0.5)
  t.ok(norms(clustered, 64).every((norm) => Math.abs(norm - 1) < 1e-5))
  // With two centres, every vector is much closer to one of them than random vectors are to anything.
  const centres = randomUnitVectors(2, 64, 1)
  for (let row = 0; row < 200; row++) {
    const vector = clustered.subarray(row * 64, (row + 1) * 64)
    const best = Math.max(...[0, 1].map((centre) => vector.reduce((sum, value, column) => sum + value * (centres[centre * 64 + column] as number), 0)))
    t.ok(best > 0.7, `row ${row}: ${best}`)
  }
})
