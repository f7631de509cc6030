import t from 'tap'
import { testConfig } from '../../src/config.js'
import { createCore } from '../../src/core/create-core.js'
import type { ImageResult } from '../../src/core/types.js'
import { DriberError } from '../../src/errors.js'
import { ListIndex, ScriptedChatModel, indexSet, recordingObserver, routed, scriptedRouter, testContext } from '../support/scripted-chat-model.js'

const dialogue = [
  { speaker: 'Ann', text: 'Guess who learned to ride a bike today' },
  { speaker: 'Bo', text: 'No way! Show me' },
]
const images: ImageResult[] = [
  { id: 'bike-1', url: 'https://images.example/bike-1.jpg', caption: 'a child on a bike', score: 0.9 },
  { id: 'bike-2', url: 'https://images.example/bike-2.jpg', caption: 'a red bike', score: 0.8 },
]
const decision = (share: boolean, speaker = 'Ann') => ({
  share,
  speaker,
  confidence: 0.85,
  intents: share ? ['social_bonding'] : [],
  trigger_turn: share ? 1 : null,
  rationale: 'Bo asked to see it.',
})

const build = (decide: ScriptedChatModel, describe: ScriptedChatModel, maxDescriptionChars = 1000) => {
  const index = new ListIndex('photos', images)
  const recorder = recordingObserver()
  const core = createCore({
    config: testConfig({ limits: { maxDescriptionChars } }),
    router: scriptedRouter([routed(decide), routed(describe)], { decide: [routed(decide)], describe: [routed(describe)] }),
    indexes: indexSet([index]),
    models: { list: () => ({ models: [], embedders: [], aliases: {}, routes: {} }) },
    observer: recorder.observer,
  })
  return { core, index, recorder }
}

t.test('yes: decide, describe for the decided speaker, retrieve with the descriptions', async (t) => {
  const decider = new ScriptedChatModel('decider', [{ reply: decision(true, 'Ann') }])
  const describer = new ScriptedChatModel('describer', [
    { reply: { descriptions: [{ text: 'An image of a kid riding a bike', salient: ['kid', 'bike'] }] } },
  ])
  const { core, index, recorder } = build(decider, describer)
  const scope = testContext()
  t.teardown(scope.dispose)
  const result = await core.share({ dialogue, k: 1, restrictions: ['prefix'] }, scope.context)
  t.match(result.decision, { share: true, speaker: 'Ann', model: 'decider' })
  t.same(result.descriptions, [{ text: 'An image of a kid riding a bike', salient: ['kid', 'bike'] }])
  t.same(result.results.map((image) => image.id), ['bike-1'])
  t.match(describer.requests[0]?.task, { stage: 'describe', speaker: 'Ann', restrictions: ['prefix'], n: 1 })
  t.same(index.queries, [['An image of a kid riding a bike']])
  t.same(
    recorder.of('stageDone').map((event) => event.stage),
    ['decide', 'describe', 'share'],
  )
})

t.test("yes: the answer carries Describe's model, attempts and usage, and the request's total usage", async (t) => {
  const decider = new ScriptedChatModel('decider', [{ reply: decision(true), usage: { input_tokens: 100, output_tokens: 20, total_tokens: 120 } }])
  const describer = new ScriptedChatModel('describer', [
    { reply: 'not json at all', usage: { input_tokens: 60, output_tokens: 5, total_tokens: 65 } },
    { reply: { descriptions: [{ text: 'An image of a bike', salient: ['bike'] }] }, usage: { input_tokens: 70, output_tokens: 15, total_tokens: 85 } },
  ])
  const { core } = build(decider, describer)
  const scope = testContext()
  t.teardown(scope.dispose)
  const result = await core.share({ dialogue }, scope.context)
  t.same(result.decision.usage, { input_tokens: 100, output_tokens: 20, total_tokens: 120 }, "Decide's own usage stays in the decision")
  t.equal(result.describe?.model, 'describer')
  t.same(
    result.describe?.attempts.map((attempt) => [attempt.model, attempt.outcome]),
    [
      ['describer', 'parse_failure'],
      ['describer', 'ok'],
    ],
    'the re-ask is visible',
  )
  t.same(result.describe?.usage, { input_tokens: 130, output_tokens: 20, total_tokens: 150 }, 'Describe usage counts both attempts')
  t.same(result.usage, { input_tokens: 230, output_tokens: 40, total_tokens: 270 }, 'total = Decide + Describe')
})

t.test('no: stops after Decide with empty descriptions and results', async (t) => {
  const decider = new ScriptedChatModel('decider', [{ reply: decision(false, 'Bo') }])
  const describer = new ScriptedChatModel('describer', [])
  const { core, index } = build(decider, describer)
  const scope = testContext()
  t.teardown(scope.dispose)
  const result = await core.share({ dialogue }, scope.context)
  t.match(result, { decision: { share: false }, descriptions: [], results: [], describe: null })
  t.same(result.usage, result.decision.usage, 'only Decide ran, so only Decide cost anything')
  t.equal(describer.calls, 0)
  t.same(index.queries, [])
})

t.test('descriptions longer than the retrieval limit are trimmed, not refused', async (t) => {
  const decider = new ScriptedChatModel('decider', [{ reply: decision(true) }])
  const describer = new ScriptedChatModel('describer', [{ reply: { descriptions: [{ text: 'A very long description of a bike', salient: [] }] } }])
  const { core, index } = build(decider, describer, 10)
  const scope = testContext()
  t.teardown(scope.dispose)
  await core.share({ dialogue }, scope.context)
  t.same(index.queries, [['A very lon']])
})

t.test('every input is checked before the first model call', async (t) => {
  const decider = new ScriptedChatModel('decider', [])
  const describer = new ScriptedChatModel('describer', [])
  const { core } = build(decider, describer)
  const scope = testContext()
  t.teardown(scope.dispose)
  for (const [input, kind] of [
    [{ dialogue, k: 1000 }, 'INVALID_ARGUMENT'],
    [{ dialogue, n: 99 }, 'INVALID_ARGUMENT'],
    [{ dialogue, restrictions: ['concise', 'detailed'] }, 'INVALID_ARGUMENT'],
    [{ dialogue, speaker: 'Zed', participants: ['Cy'] }, 'INVALID_ARGUMENT'],
    [{ dialogue, index: 'missing' }, 'UNKNOWN_INDEX'],
  ] as const) {
    const error = await core.share(input as never, scope.context).catch((caught: unknown) => caught)
    t.ok(error instanceof DriberError && error.kind === kind, `${JSON.stringify(input).slice(-30)} -> ${kind}`)
  }
  t.equal(decider.calls + describer.calls, 0)
})
