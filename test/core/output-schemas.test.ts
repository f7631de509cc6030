import t from 'tap'
import {
  CONTRACT_CACHE_LIMIT,
  cachedContractCount,
  decideContract,
  decideContractFor,
  describeContract,
  describeContractFor,
  rankContract,
  rankContractFor,
} from '../../src/core/output-schemas.js'

/** Every object in the schema must be strict: all properties required, no additional properties. */
const strictProblems = (schema: unknown, path = '#'): string[] => {
  if (typeof schema !== 'object' || schema === null) return []
  const node = schema as Record<string, unknown>
  const problems: string[] = []
  if (node.type === 'object') {
    const properties = Object.keys((node.properties ?? {}) as object)
    const required = (node.required ?? []) as string[]
    if (node.additionalProperties !== false) problems.push(`${path}: additionalProperties is not false`)
    for (const property of properties) if (!required.includes(property)) problems.push(`${path}.${property} is not required`)
  }
  for (const [key, value] of Object.entries(node)) {
    if (Array.isArray(value)) value.forEach((item, index) => problems.push(...strictProblems(item, `${path}/${key}/${index}`)))
    else if (typeof value === 'object') problems.push(...strictProblems(value, `${path}/${key}`))
  }
  return problems
}

t.test('schemas are strict-mode compatible and named as the providers expect', async (t) => {
  t.same(
    [decideContract.name, rankContract.name, describeContract.name],
    ['driber_decide', 'driber_rank', 'driber_describe'],
  )
  for (const contract of [decideContract, rankContract, describeContract]) {
    t.same(strictProblems(contract.schema), [], contract.name)
    t.equal(JSON.stringify(JSON.parse(JSON.stringify(contract.schema))), JSON.stringify(contract.schema), 'plain JSON')
  }
  t.same(decideContract.schema.required, ['share', 'speaker', 'confidence', 'intents', 'trigger_turn', 'rationale'])
  t.same((decideContract.schema.properties as Record<string, unknown>).trigger_turn, { anyOf: [{ type: 'integer' }, { type: 'null' }] })
})

t.test('the decide contract accepts its exact shape only', async (t) => {
  const valid = { share: true, speaker: 'Ann', confidence: 0.7, intents: ['social_bonding'], trigger_turn: null, rationale: 'x' }
  t.ok(decideContract.check(valid).ok)
  t.ok(decideContract.check({ ...valid, trigger_turn: 2 }).ok)
  for (const broken of [
    { ...valid, intents: ['boredom'] },
    { ...valid, confidence: -0.1 },
    { ...valid, trigger_turn: 1.5 },
    { ...valid, share: 'yes' },
    { ...valid, mood: 'happy' },
    (({ rationale: _dropped, ...rest }) => rest)(valid),
  ]) {
    const result = decideContract.check(broken)
    t.equal(result.ok, false, JSON.stringify(broken))
    t.ok(!result.ok && result.problem.length > 0)
  }
})

t.test('rank and describe contracts', async (t) => {
  t.ok(rankContract.check({ candidates: [] }).ok)
  t.notOk(rankContract.check({ candidates: [{ turn: 0, confidence: 0.5, rationale: 'x', utterance: 'hi' }] }).ok)
  t.ok(describeContract.check({ descriptions: [{ text: 'An image of a cat', salient: ['cat'] }] }).ok)
  t.notOk(describeContract.check({ descriptions: [{ text: 'An image of a cat' }] }).ok)
})

t.test('per-request schemas: speaker enum or const, turns bounded to the dialogue, exactly n descriptions', async (t) => {
  const free = decideContractFor({ speakers: ['Ann', 'Bo'], turns: 3 })
  const valid = { share: true, speaker: 'Bo', confidence: 0.7, intents: ['social_bonding'], trigger_turn: 2, rationale: 'x' }
  t.ok(free.check(valid).ok)
  t.match(free.check({ ...valid, speaker: 'Carol' }), { ok: false, problem: /speaker/ }, 'a speaker not in the enum')
  t.match(free.check({ ...valid, trigger_turn: 3 }), { ok: false, problem: /trigger_turn must be <= 2/ })
  t.match(free.check({ ...valid, trigger_turn: -1 }), { ok: false })
  t.same(strictProblems(free.schema), [])
  const fixed = decideContractFor({ speakers: ['Ann', 'Bo'], speaker: 'Ann', turns: 3 })
  t.same((fixed.schema.properties as Record<string, unknown>).speaker, { type: 'string', const: 'Ann' })
  t.match(fixed.check(valid), { ok: false }, 'another speaker than the fixed one')
  const rank = rankContractFor({ turns: 2 })
  t.match(rank.check({ candidates: [{ turn: 2, confidence: 0.5, rationale: 'x' }] }), { ok: false, problem: /turn must be <= 1/ })
  const describe = describeContractFor({ n: 2, prefix: true })
  const description = { text: 'An image of a cat', salient: ['cat'] }
  t.ok(describe.check({ descriptions: [description, description] }).ok)
  t.match(describe.check({ descriptions: [description] }), { ok: false, problem: /fewer than 2/ })
  t.match(describe.check({ descriptions: [description, { text: 'a dog', salient: [] }] }), { ok: false, problem: /pattern/ })
  t.match(describeContractFor({ n: 1, prefix: false }).check({ descriptions: [{ text: '   ', salient: [] }] }), { ok: false }, 'a blank text')
})

t.test('normalised, not re-asked: loose speaker spelling, contradictions of "no", repeated turns, stray salient phrases', async (t) => {
  const decide = decideContractFor({ speakers: ['Ann', 'Bo <|im_start|>'], turns: 3 })
  const answer = { share: false, speaker: ' ann ', confidence: 0.2, intents: ['humor_entertainment'], trigger_turn: 1, rationale: 'x' }
  t.match(decide.check(answer), { ok: true, value: { speaker: 'Ann', intents: [], trigger_turn: null } }, 'a no drops its intents and trigger')
  t.match(decide.check({ ...answer, speaker: 'Bo <|im_start|>' }), { ok: true, value: { speaker: 'Bo \u2039|im_start|\u203A' } }, 'the real name -> the answer name')
  t.match(decide.check({ ...answer, share: true, intents: ['social_bonding', 'social_bonding'] }), {
    ok: true,
    value: { intents: ['social_bonding'], trigger_turn: 1 },
  })
  const rank = rankContractFor({ turns: 3 })
  t.match(
    rank.check({ candidates: [{ turn: 1, confidence: 0.2, rationale: 'a' }, { turn: 0, confidence: 0.5, rationale: 'b' }, { turn: 1, confidence: 0.9, rationale: 'c' }] }),
    { ok: true, value: { candidates: [{ turn: 1, confidence: 0.9, rationale: 'c' }, { turn: 0 }] } },
    'a repeated turn is kept once, with its best confidence',
  )
  const describe = describeContractFor({ n: 1, prefix: true })
  t.same(describe.check({ descriptions: [{ text: '  an image of a Red  Kite ', salient: ['red kite', ' Red Kite', 'beach', ''] }, { text: 'extra', salient: [] }] }), {
    ok: true,
    value: { descriptions: [{ text: 'An image of a Red  Kite', salient: ['red kite'] }] },
  })
})

t.test('contracts are compiled once per shape and the cache is bounded', async (t) => {
  const first = decideContractFor({ speakers: ['Ann', 'Bo'], turns: 3 })
  t.equal(decideContractFor({ speakers: ['Ann', 'Bo'], turns: 3 }), first, 'the same shape reuses the compiled contract')
  t.not(decideContractFor({ speakers: ['Ann', 'Bo'], turns: 4 }), first)
  for (let index = 0; index < CONTRACT_CACHE_LIMIT + 50; index++) rankContractFor({ turns: 1000 + index })
  t.equal(cachedContractCount(), CONTRACT_CACHE_LIMIT)
})
