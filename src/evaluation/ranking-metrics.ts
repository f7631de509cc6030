/**
 * Decide ranking metrics: Precision@K, Recall@K and F1@K of the ranked turns against the gold
 * turns (the turns after which a photo was really shared), averaged over dialogues. Gold may be
 * given as groups: each shared photo has a set of acceptable positions (turn semantics accepts
 * any position of the sharer's turn), and a photo is found when any of its positions is ranked.
 */

export interface AtKScores {
  precision: number
  recall: number
  f1: number
}

/** Scores of one ranking against single gold positions. An empty ranking (parse failure) scores zero. */
export const scoresAtK = (ranked: readonly number[], gold: readonly number[], k: number): AtKScores =>
  groupScoresAtK(
    ranked,
    gold.map((turn) => [turn]),
    k,
  )

export interface MeanAtKScores extends AtKScores {
  k: number
  items: number
}

/** Mean P/R/F1@K over items with single gold positions; `null` rankings (parse failures) score zero. */
export const meanScoresAtK = (rankings: ReadonlyArray<readonly number[] | null>, golds: ReadonlyArray<readonly number[]>, k: number): MeanAtKScores =>
  meanGroupScoresAtK(
    rankings,
    golds.map((gold) => gold.map((turn) => [turn])),
    k,
  )

/**
 * Scores of one ranking against gold groups: a group is a hit when any of its positions is in the
 * top K. With one position per group this is `scoresAtK`.
 */
export const groupScoresAtK = (ranked: readonly number[], gold: ReadonlyArray<readonly number[]>, k: number): AtKScores => {
  if (k < 1) throw new RangeError('k must be at least 1')
  const top = new Set(ranked.slice(0, k))
  const hits = gold.filter((group) => group.some((turn) => top.has(turn))).length
  const precision = hits / k
  const recall = gold.length === 0 ? 0 : hits / gold.length
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) }
}

/** Mean P/R/F1@K over items with gold groups; `null` rankings (parse failures) score zero. */
export const meanGroupScoresAtK = (rankings: ReadonlyArray<readonly number[] | null>, golds: ReadonlyArray<ReadonlyArray<readonly number[]>>, k: number): MeanAtKScores => {
  const totals = { precision: 0, recall: 0, f1: 0 }
  rankings.forEach((ranking, index) => {
    const scores = groupScoresAtK(ranking ?? [], golds[index] ?? [], k)
    totals.precision += scores.precision
    totals.recall += scores.recall
    totals.f1 += scores.f1
  })
  const items = rankings.length
  return items === 0
    ? { k, items, precision: 0, recall: 0, f1: 0 }
    : { k, items, precision: totals.precision / items, recall: totals.recall / items, f1: totals.f1 / items }
}
