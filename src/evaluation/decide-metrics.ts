/**
 * Next-turn Decide metrics: macro-averaged precision, recall and F1 over the two classes (share /
 * no share). A parse failure has no prediction; it is scored as the wrong answer, never dropped.
 */

export interface ClassScores {
  precision: number
  recall: number
  f1: number
  support: number
}

export interface BinaryMacroScores {
  precision: number
  recall: number
  f1: number
  items: number
  /** Items with no usable prediction (scored as wrong). */
  parse_failures: number
  share: ClassScores
  no_share: ClassScores
}

const safeDivide = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator)

const classScores = (predictions: boolean[], labels: boolean[], positive: boolean): ClassScores => {
  let truePositive = 0
  let falsePositive = 0
  let falseNegative = 0
  for (let i = 0; i < labels.length; i++) {
    if (predictions[i] === positive && labels[i] === positive) truePositive++
    else if (predictions[i] === positive) falsePositive++
    else if (labels[i] === positive) falseNegative++
  }
  const precision = safeDivide(truePositive, truePositive + falsePositive)
  const recall = safeDivide(truePositive, truePositive + falseNegative)
  return { precision, recall, f1: safeDivide(2 * precision * recall, precision + recall), support: truePositive + falseNegative }
}

/**
 * Macro P/R/F1 of `predictions` against `labels`. `null` predictions (parse failures, errors)
 * count as the opposite of the label.
 */
export const binaryMacroScores = (predictions: Array<boolean | null>, labels: boolean[]): BinaryMacroScores => {
  if (predictions.length !== labels.length) throw new RangeError('predictions and labels differ in length')
  const resolved = predictions.map((prediction, index) => (prediction === null ? !labels[index] : prediction))
  const share = classScores(resolved, labels, true)
  const noShare = classScores(resolved, labels, false)
  return {
    precision: (share.precision + noShare.precision) / 2,
    recall: (share.recall + noShare.recall) / 2,
    f1: (share.f1 + noShare.f1) / 2,
    items: labels.length,
    parse_failures: predictions.filter((prediction) => prediction === null).length,
    share,
    no_share: noShare,
  }
}
