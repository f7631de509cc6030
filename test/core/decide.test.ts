import t from 'tap'
import { testConfig } from '../../src/config.js'
import { createCore } from '../../src/core/create-core.js'
import { interpretDecide, interpretRank } from '../../src/core/decide.js'
import type { DecideOutput } from '../../src/core/output-schemas.js'
import { DriberError } from '../../src/errors.js'
import { ScriptedChatModel, indexSet, routed, scriptedRouter, testContext, type Step } from '../support/scripted-chat-model.js'

const dialogue = [
  { speaker: 'Ann', text: 'Look at this sunset' },
  { speaker: 'Bo <admin>', text: 'Where are you?' },
  { speaker: 'Ann', text: 'At the lake house.' },
]
const speakers = ['Ann', 'Bo <admin>']
const answer: DecideOutput = { share: true, speaker: 'Ann', confidence: 0.8, intents: ['social_bonding', 'social_bonding'], trigger_turn: 1, rationale: ' Bo asked. ' }

const setup = (steps: Step[]) => {
  const model = new ScriptedChatModel('alpha', steps)
  const core = createCore({
    config: testConfig({ limits: { maxTurns: 5 } }),
    router: scriptedRouter([routed(model)]),
    indexes: indexSet([]),
    models: { list: () => ({ models: [], embedders: [], aliases: {}, routes: {} }) },
  })
  return { model, core }
}

t.test('decide next: the trigger text, speaker and intents come from the dialogue', async (t) => {
  const check = interpretDecide(dialogue, speakers, undefined)
  t.same(check(answer), {
    ok: true,
    value: { share: true, speaker: 'Ann', confidence: 0.8, intents: ['social_bonding'], trigger: { turn: 1, text: 'Where are you?' }, rationale: 'Bo asked.' },
  })
  t.match(check({ ...answer, speaker: ' ann ' }), { ok: true, value: { speaker: 'Ann' } }, 'case and spacing forgiven when unambiguous')
  t.match(check({ ...answer, trigger_turn: null, share: false, intents: [] }), { ok: true, value: { trigger: null, share: false } })
})

t.test('decide next: invented speakers and turns are schema violations', async (t) => {
  t.match(interpretDecide(dialogue, speakers, undefined)({ ...answer, speaker: 'Carol' }), { ok: false })
  t.match(interpretDecide(dialogue, speakers, undefined)({ ...answer, trigger_turn: 3 }), { ok: false, problem: /0 to 2/ })
  t.match(interpretDecide(dialogue, speakers, undefined)({ ...answer, trigger_turn: -1 }), { ok: false })
  t.match(interpretDecide(dialogue, speakers, 'Bo <admin>')({ ...answer, speaker: 'Ann' }), { ok: false }, 'not the requested speaker')
  t.match(interpretDecide(dialogue, speakers, 'Bo <admin>')({ ...answer, speaker: 'Bo <admin>' }), { ok: true })
})

t.test('rank: candidates filled from the dialogue, sorted best first, turns real and unique', async (t) => {
  const check = interpretRank(dialogue)
  t.same(
    check({
      candidates: [
        { turn: 2, confidence: 0.4, rationale: 'place' },
        { turn: 0, confidence: 0.9, rationale: 'sunset' },
        { turn: 1, confidence: 0.4, rationale: 'question' },
      ],
    }),
    {
      ok: true,
      value: [
        { turn: 0, utterance: 'Look at this sunset', speaker: 'Ann', confidence: 0.9, rationale: 'sunset' },
        { turn: 1, utterance: 'Where are you?', speaker: 'Bo <admin>', confidence: 0.4, rationale: 'question' },
        { turn: 2, utterance: 'At the lake house.', speaker: 'Ann', confidence: 0.4, rationale: 'place' },
      ],
    },
  )
  t.same(check({ candidates: [] }), { ok: true, value: [] })
  t.match(check({ candidates: [{ turn: 3, confidence: 0.5, rationale: '' }] }), { ok: false })
  t.match(check({ candidates: [{ turn: 1, confidence: 0.5, rationale: '' }, { turn: 1, confidence: 0.2, rationale: '' }] }), { ok: false, problem: /more than once/ })
})

t.test('through the core: a hallucinated turn is re-asked, not returned', async (t) => {
  const { core, model } = setup([{ reply: { ...answer, trigger_turn: 7 } }, { reply: answer }])
  const scope = testContext()
  t.teardown(scope.dispose)
  const result = await core.decide({ dialogue }, scope.context)
  t.match(result.attempts, [{ outcome: 'parse_failure', reason: 'schema_violation' }, { outcome: 'ok' }])
  t.match(model.requests[1]?.messages.at(-1)?.content, /trigger_turn must be <= 2/)
})

t.test('through the core: a speaker who has not written, and participants the model may choose', async (t) => {
  const { core, model } = setup([{ reply: { ...answer, speaker: 'Cy' } }, { reply: { ...answer, speaker: 'Cy' } }])
  const scope = testContext()
  t.teardown(scope.dispose)
  const asked = await core.decide({ dialogue, speaker: 'Cy' }, scope.context)
  t.equal(asked.speaker, 'Cy')
  t.match(model.requests[0]?.task, { stage: 'decide', speaker: 'Cy', speakers: ['Ann', 'Bo <admin>', 'Cy'] }, 'the provider learns who may be named')
  const chosen = await core.decide({ dialogue, participants: ['Cy', 'Ann'] }, scope.context)
  t.equal(chosen.speaker, 'Cy', 'a declared participant is a valid answer')
  t.same(model.requests[1]?.task, { stage: 'decide', dialogue, speakers: ['Ann', 'Bo <admin>', 'Cy'] })
})

t.test('through the core: rank uses the rank stage and contract', async (t) => {
  const { core, model } = setup([{ reply: { candidates: [{ turn: 0, confidence: 0.7, rationale: 'sunset' }] } }])
  const scope = testContext()
  t.teardown(scope.dispose)
  const result = await core.rank({ dialogue }, scope.context)
  t.match(result, { candidates: [{ turn: 0, utterance: 'Look at this sunset', speaker: 'Ann' }], model: 'alpha' })
  t.equal(model.requests[0]?.stage, 'rank')
  t.equal(model.requests[0]?.output.name, 'driber_rank')
})

t.test('bad input is refused before any model call', async (t) => {
  const { core, model } = setup([{ reply: answer }])
  const scope = testContext()
  t.teardown(scope.dispose)
  const attempts: Array<[unknown, string]> = [
    [{ dialogue: [] }, 'INVALID_ARGUMENT'],
    [{ dialogue, speaker: 'Carol', participants: ['Dee'] }, 'INVALID_ARGUMENT'],
    [{ dialogue, speaker: 'Ann\n' }, 'INVALID_ARGUMENT'],
    [{ dialogue, participants: [] }, 'INVALID_ARGUMENT'],
    [{ dialogue, model: '' }, 'INVALID_ARGUMENT'],
    [{ dialogue: Array.from({ length: 6 }, () => ({ speaker: 'A', text: 'x' })) }, 'DIALOGUE_TOO_LONG'],
  ]
  for (const [input, kind] of attempts) {
    for (const call of [core.decide, core.rank]) {
      const error = await call(input as never, scope.context).catch((caught: unknown) => caught)
      t.ok(error instanceof DriberError && error.kind === kind, `${JSON.stringify(input).slice(0, 60)} -> ${kind}`)
    }
  }
  t.equal(model.calls, 0)
})

t.test('an unknown model name is UNKNOWN_MODEL from the router', async (t) => {
  const { core } = setup([{ reply: answer }])
  const scope = testContext()
  t.teardown(scope.dispose)
  const error = await core.decide({ dialogue, model: 'nope' }, scope.context).catch((caught: unknown) => caught)
  t.ok(error instanceof DriberError && error.kind === 'UNKNOWN_MODEL')
})
