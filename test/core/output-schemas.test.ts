import t from 'tap'
import { decideContract, describeContract, rankContract } from '../../src/core/output-schemas.js'

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
