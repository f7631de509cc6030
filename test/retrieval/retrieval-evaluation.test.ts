import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import type { ImageResult } from '../../src/core/types.js'
import type { ImageIndex } from '../../src/retrieval/image-index.js'
import { evaluateRetrieval, goldRank, readRetrievalQueries } from '../../src/retrieval/retrieval-evaluation.js'

/** An index whose answers are fixed per query, so the expected metrics can be worked out by hand. */
const scriptedIndex = (answers: Record<string, string[]>): ImageIndex & { seen: Array<{ descriptions: string[]; k: number }> } => {
  const seen: Array<{ descriptions: string[]; k: number }> = []
  return {
    name: 'scripted',
    embedderId: 'none',
    size: 20,
    seen,
    async search(descriptions, options): Promise<ImageResult[]> {
      seen.push({ descriptions, k: options.k })
      return (answers[descriptions.join('|')] ?? []).slice(0, options.k).map((id, rank) => ({ id, url: `u/${id}`, caption: '', score: 1 - rank / 100 }))
    },
  }
}

t.test('goldRank is 1-based and null when absent', async (t) => {
  t.equal(goldRank([{ id: 'a' }, { id: 'b' }], 'b'), 2)
  t.equal(goldRank([{ id: 'a' }], 'z'), null)
})

t.test('Recall@1/5/10 and MRR over hand-computed ranks', async (t) => {
  const ten = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'x9']
  const index = scriptedIndex({
    q1: ['g1', ...ten], // rank 1
    q2: ['x1', 'x2', 'g2', ...ten], // rank 3
    q3: [...ten.slice(0, 6), 'g3', ...ten], // rank 7
    q4: ten, // missing
    'q5a|q5b': ['x1', 'g5'], // rank 2, several descriptions in one search
  })
  const result = await evaluateRetrieval(index, [
    { query: 'q1', gold_id: 'g1' },
    { query: 'q2', gold_id: 'g2' },
    { query: 'q3', gold_id: 'g3' },
    { query: 'q4', gold_id: 'g4' },
    { query: ['q5a', 'q5b'], gold_id: 'g5' },
  ])
  t.equal(result.queries, 5)
  t.equal(result.scores.recall_at_1, 1 / 5)
  t.equal(result.scores.recall_at_5, 3 / 5)
  t.equal(result.scores.recall_at_10, 4 / 5)
  t.ok(Math.abs(result.scores.mrr - (1 + 1 / 3 + 1 / 7 + 0 + 1 / 2) / 5) < 1e-12)
  t.same(index.seen.map((call) => call.k), [10, 10, 10, 10, 10])
  t.same(index.seen[4]?.descriptions, ['q5a', 'q5b'])
})

t.test('queries files are JSONL of {query, gold_id}; bad lines are named', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-queries-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const file = path.join(directory, 'queries.jsonl')
  writeFileSync(file, '{"query":"a dog","gold_id":"7"}\n\n{"query":["x","y"],"gold_id":8}\n')
  t.same(readRetrievalQueries(file), [
    { query: 'a dog', gold_id: '7' },
    { query: ['x', 'y'], gold_id: '8' },
  ])
  writeFileSync(file, '{"query":"a dog","gold_id":"7"}\n{"query":"","gold_id":"1"}\n')
  t.throws(() => readRetrievalQueries(file), { code: 'DRIBER_INVALID_ARGUMENT', message: /line 2/ })
})
