import t from 'tap'
import { groupScoresAtK, meanGroupScoresAtK, meanScoresAtK, scoresAtK } from '../../src/evaluation/ranking-metrics.js'

t.test('P@K, R@K and F1@K by hand', async (t) => {
  // Gold turn 4 ranked second.
  t.same(scoresAtK([7, 4, 1, 0, 2], [4], 1), { precision: 0, recall: 0, f1: 0 })
  const at3 = scoresAtK([7, 4, 1, 0, 2], [4], 3)
  t.equal(at3.precision, 1 / 3)
  t.equal(at3.recall, 1)
  t.equal(at3.f1, 0.5) // 2 * (1/3) * 1 / (4/3)
  // Two gold turns, one in the top 5.
  const twoGold = scoresAtK([9, 8, 7, 6, 5, 4], [5, 4], 5)
  t.equal(twoGold.precision, 1 / 5)
  t.equal(twoGold.recall, 1 / 2)
})

t.test('the mean over items scores a missing ranking as zero', async (t) => {
  const scores = meanScoresAtK([[3, 1], null], [[3], [0]], 1)
  t.equal(scores.items, 2)
  t.equal(scores.precision, 0.5)
  t.equal(scores.recall, 0.5)
  t.equal(scores.f1, 0.5)
  t.throws(() => scoresAtK([1], [1], 0), RangeError)
})

t.test('gold groups: a photo is found when any of its acceptable positions is ranked', async (t) => {
  // One photo acceptable after positions 2, 3 or 4; position 3 is ranked second.
  t.same(groupScoresAtK([0, 3, 1], [[2, 3, 4]], 1), { precision: 0, recall: 0, f1: 0 })
  const at2 = groupScoresAtK([0, 3, 1], [[2, 3, 4]], 2)
  t.equal(at2.recall, 1)
  t.equal(at2.precision, 1 / 2, 'several acceptable positions in the top K still count as one photo found')
  t.equal(groupScoresAtK([3, 4], [[2, 3, 4]], 2).precision, 1 / 2)
  // Two photos, only the second found.
  t.equal(groupScoresAtK([7, 1], [[0], [6, 7]], 1).recall, 1 / 2)
  const mean = meanGroupScoresAtK([[2], null], [[[1, 2]], [[0]]], 1)
  t.same(mean, { k: 1, items: 2, precision: 0.5, recall: 0.5, f1: 0.5 })
})
