/**
 * Unusable model answers over the whole path: every parse-failure reason is re-asked once, then
 * falls back to the next model, then fails as 502 DRIBER_PARSE_FAILURE with every attempt. A parse
 * failure is never turned into "no".
 */
import t from 'tap'
import type { Behaviour } from '../support/fake-upstream.js'
import { beachDialogue, buildTestApp } from '../helper.js'

const badAnswers: Record<string, Behaviour> = {
  invalid_json: { kind: 'content', content: 'I think {"share": maybe} fits.' },
  schema_violation: { kind: 'json', value: { share: 'yes', speaker: 'Ana', confidence: 3, intents: [], trigger_turn: null, rationale: '' } },
  refusal: { kind: 'refusal', refusal: 'I cannot help with that.' },
  truncated: { kind: 'truncated' },
  empty: { kind: 'empty' },
}

for (const [reason, behaviour] of Object.entries(badAnswers)) {
  t.test(`${reason}: re-ask, fall back, then 502 DRIBER_PARSE_FAILURE listing every attempt`, async (t) => {
    const { post, upstream } = await buildTestApp(t)
    upstream.scriptRepeat(behaviour, 4)
    const response = await post('/v1/decide', { dialogue: beachDialogue, speaker: 'Ana' })
    t.equal(response.status, 502, JSON.stringify(response.body))
    t.equal(response.body.error.code, 'DRIBER_PARSE_FAILURE')
    const attempts = response.body.error.details.attempts as Array<{ model: string; outcome: string; reason: string }>
    t.same(
      attempts.map((attempt) => [attempt.model, attempt.outcome, attempt.reason]),
      [
        ['model-a', 'parse_failure', reason],
        ['model-a', 'parse_failure', reason],
        ['model-b', 'parse_failure', reason],
        ['model-b', 'parse_failure', reason],
      ],
    )
    t.equal(upstream.chatRequests.length, 4, 'one call and one re-ask per model, nothing more')
    t.equal(upstream.pending, 0)
  })
}

t.test('a re-ask that succeeds answers from the same model, with the problem sent back to it', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  upstream.script(badAnswers.invalid_json!)
  const response = await post('/v1/decide', { dialogue: beachDialogue, speaker: 'Ana' })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.equal(response.body.model, 'model-a')
  t.same(
    response.body.attempts.map((attempt: { model: string; outcome: string }) => [attempt.model, attempt.outcome]),
    [
      ['model-a', 'parse_failure'],
      ['model-a', 'ok'],
    ],
  )
  const reask = upstream.chatRequests[1]!.body as { messages: Array<{ role: string; content: string }> }
  const first = upstream.chatRequests[0]!.body as { messages: Array<{ role: string; content: string }> }
  t.ok(reask.messages.length > first.messages.length, 'the re-ask carries the conversation so far')
  t.equal(reask.messages.find((message) => message.role === 'assistant')?.content, 'I think {"share": maybe} fits.', 'the bad answer is shown back')
  t.equal(response.body.usage.total_tokens > 0, true)
})

t.test('when the primary keeps failing to parse, the fallback model answers', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  upstream.script(badAnswers.truncated!, badAnswers.truncated!)
  const response = await post('/v1/describe', { dialogue: beachDialogue, speaker: 'Ana' })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.equal(response.body.model, 'model-b')
  t.same(
    response.body.attempts.map((attempt: { model: string; outcome: string; reason?: string }) => [attempt.model, attempt.outcome, attempt.reason ?? null]),
    [
      ['model-a', 'parse_failure', 'truncated'],
      ['model-a', 'parse_failure', 'truncated'],
      ['model-b', 'ok', null],
    ],
  )
  t.equal((upstream.chatRequests[2]!.body as { model: string }).model, 'fake-model-b')
})

t.test('rank answers naming turns that do not exist are schema violations, not results', async (t) => {
  const { post, upstream } = await buildTestApp(t)
  upstream.scriptRepeat({ kind: 'json', value: { candidates: [{ turn: 42, confidence: 0.9, rationale: 'made up' }] } }, 4)
  const response = await post('/v1/decide', { dialogue: beachDialogue, mode: 'rank' })
  t.equal(response.status, 502)
  t.equal(response.body.error.code, 'DRIBER_PARSE_FAILURE')
  t.ok(response.body.error.details.attempts.every((attempt: { reason: string }) => attempt.reason === 'schema_violation'))
})
