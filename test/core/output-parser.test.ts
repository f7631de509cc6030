import t from 'tap'
import { findObjectSpans, parseModelOutput, removeTrailingCommas, type SemanticCheck } from '../../src/core/output-parser.js'
import { rankContract, type RankOutput } from '../../src/core/output-schemas.js'
import type { ChatResponse } from '../../src/providers/provider.js'

const usage = { input_tokens: 1, output_tokens: 1, total_tokens: 2 }
const response = (content: string, extra: Partial<ChatResponse> = {}): ChatResponse => ({
  content,
  finishReason: 'stop',
  refusal: null,
  usage,
  ...extra,
})

/** Accepts turns 0..2 only, so semantic failures can be told apart from schema ones. */
const realTurns: SemanticCheck<RankOutput, number[]> = (raw) =>
  raw.candidates.every((candidate) => candidate.turn >= 0 && candidate.turn <= 2)
    ? { ok: true, value: raw.candidates.map((candidate) => candidate.turn) }
    : { ok: false, problem: 'turn out of range' }

const parse = (reply: ChatResponse) => parseModelOutput(reply, rankContract, realTurns)
const good = '{"candidates": [{"turn": 1, "confidence": 0.9, "rationale": "photo"}]}'

t.test('clean and sloppy-but-clear JSON is accepted', async (t) => {
  const accepted = [
    good,
    `  ${good}\n`,
    '```json\n' + good + '\n```',
    '```\n' + good + '```',
    `Sure! Here is the answer:\n${good}\nHope that helps.`,
    '{"candidates": [{"turn": 1, "confidence": 0.9, "rationale": "photo",},],}',
    `The format is {"note": "x"} and the answer is ${good}`,
    '{"candidates": [{"turn": 1, "confidence": 0.9, "rationale": "brace } and \\" quote, inside"}]}',
  ]
  for (const content of accepted) {
    const result = parse(response(content))
    t.ok(result.ok, content)
    if (result.ok) t.same(result.value, [1])
  }
})

t.test('refusal: explicit or content filter', async (t) => {
  for (const reply of [response('', { refusal: 'I cannot help with that' }), response(good, { finishReason: 'content_filter' })]) {
    const result = parse(reply)
    t.same(result.ok ? undefined : result.failure.reason, 'refusal')
  }
})

t.test('truncated: cut off by the token limit, as the backend says', async (t) => {
  for (const reply of [
    response('{"candidates": [{"turn": 1, "confid', { finishReason: 'length' }),
    response('', { finishReason: 'length' }),
    response('{"candidates": [{"turn": 1, "confidence": 0.9}]}', { finishReason: 'length' }),
  ]) {
    const result = parse(reply)
    t.same(result.ok ? undefined : result.failure.reason, 'truncated', reply.content)
  }
})

t.test('incomplete JSON the backend calls finished is invalid_json, not truncated (the runbook reads truncated as "raise max_tokens")', async (t) => {
  for (const finishReason of ['stop', 'unknown'] as const) {
    const result = parse(response('{"candidates": [{"turn": 1, "confidence": 0.9, "rationale": "ph', { finishReason }))
    t.same(result.ok ? undefined : result.failure.reason, 'invalid_json', finishReason)
  }
})

t.test('empty: blank content', async (t) => {
  for (const content of ['', '   \n ']) {
    const result = parse(response(content))
    t.same(result.ok ? undefined : result.failure.reason, 'empty')
  }
})

t.test('invalid_json: no JSON object to be found', async (t) => {
  for (const content of ['I think an image fits after turn 1.', '{candidates: [turn 1]}', '[1, 2]', '"just a string"']) {
    const result = parse(response(content))
    t.same(result.ok ? undefined : result.failure.reason, 'invalid_json', content)
  }
})

t.test('schema_violation: wrong shape or impossible content', async (t) => {
  const cases = [
    '{"candidates": [{"turn": "one", "confidence": 0.9, "rationale": "x"}]}',
    '{"candidates": [{"turn": 1, "confidence": 1.5, "rationale": "x"}]}',
    '{"candidates": [{"turn": 1, "confidence": 0.5}]}',
    '{"candidates": [], "extra": true}',
    '{"candidates": [{"turn": 7, "confidence": 0.5, "rationale": "x"}]}',
  ]
  for (const content of cases) {
    const result = parse(response(content))
    t.same(result.ok ? undefined : result.failure.reason, 'schema_violation', content)
  }
  const semantic = parse(response(cases[4] as string))
  t.match(semantic.ok ? '' : semantic.failure.message, 'turn out of range', 'the semantic problem is named')
  const extra = parse(response(cases[3] as string))
  t.match(extra.ok ? '' : extra.failure.message, 'extra', 'the unexpected key is named')
})

t.test('failure messages stay short', async (t) => {
  const huge = `{"candidates": "${'x'.repeat(10_000)}"`
  const result = parse(response(`${huge}}`))
  t.equal(result.ok, false)
  t.ok(!result.ok && result.failure.message.length <= 300)
})

t.test('helpers', async (t) => {
  t.equal(removeTrailingCommas('{"a": [1, 2,], "b": "x,]",}'), '{"a": [1, 2], "b": "x,]"}')
  t.same(findObjectSpans('a {"x": "}"} b {"y": 1} [3] {"z":'), { spans: ['{"x": "}"}', '{"y": 1}'], unclosed: true })
})
