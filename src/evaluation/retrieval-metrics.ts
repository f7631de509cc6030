/**
 * Retrieve metrics: Recall@K and mean reciprocal rank of the gold image. Ranks are 1-based;
 * `null` means the gold image was not returned at all (recall 0, reciprocal rank 0).
 */

export interface RetrievalScores {
  recall_at_1: number
  recall_at_5: number
  recall_at_10: number
  mrr: number
  items: number
}

export const recallAtK = (ranks: ReadonlyArray<number | null>, k: number): number =>
  ranks.length === 0 ? 0 : ranks.filter((rank) => rank !== null && rank <= k).length / ranks.length

export const meanReciprocalRank = (ranks: ReadonlyArray<number | null>): number =>
  ranks.length === 0 ? 0 : ranks.reduce<number>((sum, rank) => sum + (rank === null ? 0 : 1 / rank), 0) / ranks.length

export const retrievalScores = (ranks: ReadonlyArray<number | null>): RetrievalScores => ({
  recall_at_1: recallAtK(ranks, 1),
  recall_at_5: recallAtK(ranks, 5),
  recall_at_10: recallAtK(ranks, 10),
  mrr: meanReciprocalRank(ranks),
  items: ranks.length,
})
