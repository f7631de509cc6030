import t from 'tap'
import { binaryMacroScores } from '../../src/evaluation/decide-metrics.js'

t.test('macro P/R/F1 match a hand-computed confusion matrix', async (t) => {
  // labels:      T T T F F F F F
  // predictions: T T F T F F F F  -> share: TP 2, FP 1, FN 1; no share: TP 4, FP 1, FN 1
  const labels = [true, true, true, false, false, false, false, false]
  const predictions = [true, true, false, true, false, false, false, false]
  const scores = binaryMacroScores(predictions, labels)
  t.equal(scores.share.precision, 2 / 3)
  t.equal(scores.share.recall, 2 / 3)
  t.equal(scores.no_share.precision, 4 / 5)
  t.equal(scores.no_share.recall, 4 / 5)
  t.equal(scores.precision, (2 / 3 + 4 / 5) / 2)
  t.equal(scores.recall, (2 / 3 + 4 / 5) / 2)
  t.ok(Math.abs(scores.f1 - (2 / 3 + 4 / 5) / 2) < 1e-12)
  t.equal(scores.items, 8)
  t.equal(scores.share.support, 3)
  t.equal(scores.parse_failures, 0)
})

t.test('a parse failure is scored as the wrong answer, not dropped', async (t) => {
  const labels = [true, false]
  const withFailure = binaryMacroScores([null, false], labels)
  // null on a positive counts as "no": share TP 0 FN 1; no share TP 1 FP 1.
  t.equal(withFailure.items, 2)
  t.equal(withFailure.parse_failures, 1)
  t.equal(withFailure.share.recall, 0)
  t.equal(withFailure.no_share.precision, 0.5)
  t.equal(withFailure.f1, (0 + 2 / 3) / 2)
  const failureOnNegative = binaryMacroScores([true, null], labels)
  t.equal(failureOnNegative.share.precision, 0.5, 'null on a negative counts as "yes"')
})

t.test('length mismatch is an error', async (t) => {
  t.throws(() => binaryMacroScores([true], [true, false]), RangeError)
})
