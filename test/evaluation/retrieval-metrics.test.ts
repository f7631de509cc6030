import t from 'tap'
import { meanReciprocalRank, recallAtK, retrievalScores } from '../../src/evaluation/retrieval-metrics.js'

t.test('Recall@K and MRR by hand', async (t) => {
  const ranks = [1, 3, 7, null]
  t.equal(recallAtK(ranks, 1), 0.25)
  t.equal(recallAtK(ranks, 5), 0.5)
  t.equal(recallAtK(ranks, 10), 0.75)
  t.equal(meanReciprocalRank(ranks), (1 + 1 / 3 + 1 / 7 + 0) / 4)
  t.same(retrievalScores([]), { recall_at_1: 0, recall_at_5: 0, recall_at_10: 0, mrr: 0, items: 0 })
  t.equal(retrievalScores(ranks).items, 4)
})
