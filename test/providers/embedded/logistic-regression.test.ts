import t from 'tap'
import { fitLogistic, fitSparseLogistic, scoreLogistic, scoreSparseLogistic, sigmoid } from '../../../src/providers/embedded/logistic-regression.js'
import { seededRandom } from '../../../src/evaluation/seeded-random.js'

// A small problem with a known answer shape: two dense features and three "words".
const random = seededRandom(3)
const rows = Array.from({ length: 400 }, () => {
  const dense = Float64Array.of(random.next() * 2 - 1, random.next() * 2 - 1)
  const terms = Int32Array.from([0, 1, 2].filter(() => random.next() < 0.3))
  return { dense, terms }
})
const labels = rows.map(({ dense, terms }) => {
  const score = 2 * (dense[0] as number) - (dense[1] as number) + (terms.includes(0) ? 2 : 0) - (terms.includes(2) ? 2 : 0)
  return random.next() < sigmoid(score) ? 1 : 0
})

t.test('L-BFGS on dense and sparse features agrees with Newton on the same problem', async (t) => {
  const sparse = fitSparseLogistic(rows, labels, 2, 3, { l2Dense: 1, l2Sparse: 1 })
  // The same problem written densely: the three terms as 0/1 columns.
  const denseRows = rows.map(({ dense, terms }) => Float64Array.of(dense[0] as number, dense[1] as number, ...[0, 1, 2].map((term) => (terms.includes(term) ? 1 : 0))))
  const newton = fitLogistic(denseRows, labels, 5, { l2: 1 })
  const all = [...sparse.dense, ...sparse.sparse]
  all.forEach((value, i) => t.ok(Math.abs(value - (newton.weights[i] as number)) < 1e-3, `weight ${i}: ${value} vs ${newton.weights[i]}`))
  t.ok(Math.abs(sparse.bias - newton.bias) < 1e-3)
  t.ok(Math.abs(scoreSparseLogistic(sparse, rows[0] as (typeof rows)[number]) - scoreLogistic(newton, denseRows[0] as Float64Array)) < 1e-3)
  // The signs the data was drawn with.
  t.ok((sparse.sparse[0] as number) > 1 && (sparse.sparse[2] as number) < -1 && Math.abs(sparse.sparse[1] as number) < 0.7)
})

t.test('the sparse penalty is separate, and example weights count like repeats', async (t) => {
  const strong = fitSparseLogistic(rows, labels, 2, 3, { l2Dense: 1, l2Sparse: 1000 })
  t.ok(Math.abs(strong.sparse[0] as number) < 0.3, 'a large sparse penalty shrinks the term weights')
  t.ok((strong.dense[0] as number) > 1, 'but not the dense ones')
  const doubled = fitSparseLogistic([...rows, ...rows], [...labels, ...labels], 2, 3, { l2Dense: 2, l2Sparse: 2 })
  const weighted = fitSparseLogistic(
    rows.map((row) => ({ ...row, weight: 2 })),
    labels,
    2,
    3,
    { l2Dense: 2, l2Sparse: 2 },
  )
  t.ok(Math.abs((doubled.dense[0] as number) - (weighted.dense[0] as number)) < 1e-4)
  t.ok(Math.abs((doubled.sparse[2] as number) - (weighted.sparse[2] as number)) < 1e-4)
})
