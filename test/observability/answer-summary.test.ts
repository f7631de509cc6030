import t from 'tap'
import { summariseAnswer } from '../../src/observability/answer-summary.js'

const attempts = [
  { model: 'model-a', outcome: 'parse_failure', reason: 'invalid_json', duration_ms: 12 },
  { model: 'model-b', outcome: 'ok', duration_ms: 20 },
]

t.test('summaries read model, attempts and error codes from every answer shape', async (t) => {
  t.same(summariseAnswer({ share: true, model: 'model-b', attempts, rationale: 'user text' }), { model: 'model-b', attempts })
  t.same(summariseAnswer({ candidates: [], model: 'model-a', attempts: [] }), { stage: 'rank', model: 'model-a', attempts: [] })
  t.same(summariseAnswer({ decision: { model: 'model-b', attempts }, descriptions: [], results: [], describe: null }), { model: 'model-b', attempts })
  const describeAttempts = [{ model: 'model-c', outcome: 'ok', duration_ms: 30 }]
  t.same(
    summariseAnswer({ decision: { model: 'model-b', attempts }, descriptions: [], results: [], describe: { model: 'model-c', attempts: describeAttempts } }),
    { model: 'model-b', attempts: [...attempts, ...describeAttempts] },
    "Share lists Decide's attempts, then Describe's",
  )
  t.same(summariseAnswer({ error: { code: 'DRIBER_PARSE_FAILURE', message: 'x', details: { attempts } } }), { errorCode: 'DRIBER_PARSE_FAILURE', attempts })
  t.equal(summariseAnswer('plain text'), null)
})

t.test('gRPC Decide responses nest the answer under next or rank', async (t) => {
  t.same(summariseAnswer({ result: 'next', next: { share: false, model: 'model-a', attempts } }), { model: 'model-a', attempts })
  t.same(summariseAnswer({ result: 'rank', rank: { candidates: [], model: 'model-b', attempts: [] } }), { stage: 'rank', model: 'model-b', attempts: [] })
})
