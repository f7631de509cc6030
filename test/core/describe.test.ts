import t from 'tap'
import { testConfig } from '../../src/config.js'
import { createCore } from '../../src/core/create-core.js'
import { interpretDescribe } from '../../src/core/describe.js'
import { DriberError } from '../../src/errors.js'
import { ScriptedChatModel, indexSet, routed, scriptedRouter, testContext, type Step } from '../support/scripted-chat-model.js'

const dialogue = [
  { speaker: 'Ann', text: 'My garden finally bloomed' },
  { speaker: 'Bo', text: 'Pics or it did not happen' },
]
const item = (text: string, salient: string[] = ['tulips']) => ({ text, salient })

t.test('exactly n descriptions; extras are dropped, too few is a violation', async (t) => {
  const check = interpretDescribe(2, [])
  t.same(check({ descriptions: [item('a'), item('b'), item('c')] }), { ok: true, value: [item('a'), item('b')] })
  t.match(check({ descriptions: [item('a')] }), { ok: false, problem: /holds 1 items but exactly 2/ })
  t.match(check({ descriptions: [item('a'), item('   ')] }), { ok: false, problem: /empty/ })
})

t.test('the prefix rule is enforced when chosen', async (t) => {
  const check = interpretDescribe(1, ['prefix'])
  t.same(check({ descriptions: [item('an image of red tulips', [' tulips ', '', 'tulips'])] }), {
    ok: true,
    value: [item('An image of red tulips', ['tulips'])],
  })
  t.match(check({ descriptions: [item('Red tulips in a garden')] }), { ok: false, problem: /An image of/ })
  t.match(interpretDescribe(1, [])({ descriptions: [item('Red tulips')] }), { ok: true })
})

const setup = (steps: Step[]) => {
  const model = new ScriptedChatModel('alpha', steps)
  const core = createCore({
    config: testConfig({ limits: { maxN: 3 } }),
    router: scriptedRouter([routed(model)]),
    indexes: indexSet([]),
    models: { list: () => ({ models: [], embedders: [], aliases: {}, routes: {} }) },
  })
  return { model, core }
}

t.test('through the core: the task carries restrictions and n; a short answer is re-asked', async (t) => {
  const { core, model } = setup([
    { reply: { descriptions: [item('An image of tulips')] } },
    { reply: { descriptions: [item('An image of tulips'), item('An image of roses', ['roses'])] } },
  ])
  const scope = testContext()
  t.teardown(scope.dispose)
  const result = await core.describe({ dialogue, speaker: 'Ann', restrictions: ['prefix', 'concise'], n: 2 }, scope.context)
  t.same(result.descriptions, [item('An image of tulips'), item('An image of roses', ['roses'])])
  t.same(model.requests[0]?.task, { stage: 'describe', dialogue, speaker: 'Ann', restrictions: ['prefix', 'concise'], n: 2 })
  t.equal(model.requests[0]?.output.name, 'driber_describe')
  t.match(result.attempts, [{ outcome: 'parse_failure', reason: 'schema_violation' }, { outcome: 'ok' }])
})

t.test('bad describe input is refused before any model call', async (t) => {
  const { core, model } = setup([])
  const scope = testContext()
  t.teardown(scope.dispose)
  for (const input of [
    { dialogue, restrictions: ['concise', 'detailed'] },
    { dialogue, restrictions: ['generic', 'specific'] },
    { dialogue, restrictions: ['sepia'] },
    { dialogue, n: 4 },
    { dialogue, n: 0 },
    { dialogue, speaker: '' },
  ]) {
    const error = await core.describe(input as never, scope.context).catch((caught: unknown) => caught)
    t.ok(error instanceof DriberError && error.kind === 'INVALID_ARGUMENT', JSON.stringify(input).slice(-40))
  }
  t.equal(model.calls, 0)
})
