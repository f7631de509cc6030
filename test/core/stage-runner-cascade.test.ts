/**
 * Cascades in the stage runner: a route whose models carry `min_confidence` asks the next model when
 * an answer is valid but not confident enough, says so in `attempts`, sums every call's usage, and
 * still falls back on failures as a plain route does.
 */
import t from 'tap'
import { testConfig } from '../../src/config.js'
import { createCore } from '../../src/core/create-core.js'
import type { ModelRouter, RoutedModel } from '../../src/core/model-router.js'
import type { Stage } from '../../src/core/types.js'
import { DriberError } from '../../src/errors.js'
import { ListIndex, ScriptedChatModel, indexSet, recordingObserver, routed, scriptedRouter, testContext, type Step } from '../support/scripted-chat-model.js'

const dialogue = [
  { speaker: 'Ann', text: 'We adopted a puppy today!' },
  { speaker: 'Bo', text: 'Can I see him?' },
]
const decision = (confidence: number, share = true): Step => ({
  reply: { share, speaker: 'Ann', confidence, intents: share ? ['information_dissemination'] : [], trigger_turn: share ? 1 : null, rationale: 'Bo asked.' },
  usage: { input_tokens: 100, output_tokens: 10, total_tokens: 110 },
})
const ranking = (confidences: number[]): Step => ({
  reply: { candidates: confidences.map((confidence, turn) => ({ turn, confidence, rationale: 'fits' })) },
})
const describing: Step = { reply: { descriptions: [{ text: 'An image of a puppy', salient: ['puppy'] }] } }

interface Built {
  core: ReturnType<typeof createCore>
  recorder: ReturnType<typeof recordingObserver>
}

/** A core over `models` (in route order) whose decide and rank routes cascade with `thresholds`. */
const build = (models: RoutedModel[], thresholds: Record<string, number>, options: { describeFollowsDecide?: boolean; describeRoute?: RoutedModel[] } = {}): Built => {
  const base = scriptedRouter(models, options.describeRoute === undefined ? {} : { describe: options.describeRoute })
  const cascade = new Map(Object.entries(thresholds))
  const router: ModelRouter = {
    route: (stage, requested) => base.route(stage, requested),
    cascade: (stage: Stage) => (stage === 'describe' ? undefined : cascade),
    describeFollowsDecide: options.describeFollowsDecide ?? false,
  }
  const recorder = recordingObserver()
  const core = createCore({
    config: testConfig({ resilience: { baseDelayMs: 1, maxDelayMs: 2, timeoutGraceMs: 0, maxAttempts: 1 } }),
    router,
    indexes: indexSet([new ListIndex('photochat', [{ id: 'p1', url: 'https://example.test/p1.jpg', caption: 'a puppy', score: 0.9 }])]),
    models: { list: () => ({ models: [], embedders: [], aliases: {}, routes: {} }) },
    observer: recorder.observer,
  })
  return { core, recorder }
}

const small = (steps: Step[]) => ({ ...routed(new ScriptedChatModel('small-model', steps)), scale: 'small' as const })
const large = (steps: Step[]) => ({ ...routed(new ScriptedChatModel('large-model', steps)), scale: 'large' as const })

const context = (t: { teardown: (fn: () => void) => void }) => {
  const scope = testContext()
  t.teardown(scope.dispose)
  return scope.context
}

t.test('a confident first answer is accepted: the larger model is never called', async (t) => {
  const first = small([decision(0.95)])
  const second = large([])
  const { core, recorder } = build([first, second], { 'small-model': 0.8 })
  const result = await core.decide({ dialogue, speaker: 'Ann' }, context(t))
  t.equal(result.model, 'small-model')
  t.equal(result.confidence, 0.95)
  t.match(result.attempts, [{ model: 'small-model', outcome: 'ok' }])
  t.equal(result.attempts.length, 1)
  t.equal((second.chat as ScriptedChatModel).calls, 0)
  t.same(recorder.of('escalation'), [])
  t.match(recorder.of('answered'), [{ stage: 'decide', model: 'small-model', scale: 'small' }])
})

t.test('an unsure answer escalates: the next model answers, attempts say why, usage sums both calls', async (t) => {
  const { core, recorder } = build([small([decision(0.55)]), large([decision(0.9, false)])], { 'small-model': 0.8 })
  const result = await core.decide({ dialogue, speaker: 'Ann' }, context(t))
  t.equal(result.model, 'large-model')
  t.equal(result.share, false, "the larger model's decision is the answer")
  t.match(result.attempts, [
    { model: 'small-model', outcome: 'escalated', escalation_reason: 'low_confidence', confidence: 0.55, min_confidence: 0.8 },
    { model: 'large-model', outcome: 'ok' },
  ])
  t.same(result.usage, { input_tokens: 200, output_tokens: 20, total_tokens: 220 })
  t.match(recorder.of('escalation'), [{ stage: 'decide', from: 'small-model', to: 'large-model', reason: 'low_confidence' }])
  t.match(recorder.of('answered'), [{ stage: 'decide', model: 'large-model', scale: 'large' }])
  t.same(recorder.of('fallback'), [], 'an escalation is not a fallback')
})

t.test('the threshold is inclusive, and a model without one always answers', async (t) => {
  const exact = build([small([decision(0.8)]), large([])], { 'small-model': 0.8 })
  t.equal((await exact.core.decide({ dialogue, speaker: 'Ann' }, context(t))).model, 'small-model')
  const middle = { ...routed(new ScriptedChatModel('medium-model', [decision(0.1)])), scale: 'medium' as const }
  const chain = build([small([decision(0.3)]), middle, large([])], { 'small-model': 0.8 })
  const result = await chain.core.decide({ dialogue, speaker: 'Ann' }, context(t))
  t.equal(result.model, 'medium-model', 'no min_confidence on the middle model: its answer stands')
  t.match(result.attempts, [{ outcome: 'escalated' }, { model: 'medium-model', outcome: 'ok' }])
})

t.test('the last model always answers, however unsure', async (t) => {
  const { core } = build([small([decision(0.2)]), large([decision(0.3)])], { 'small-model': 0.8, 'large-model': 0.9 })
  const result = await core.decide({ dialogue, speaker: 'Ann' }, context(t))
  t.equal(result.model, 'large-model')
  t.equal(result.attempts.at(-1)?.outcome, 'ok')
})

t.test('when every model after an escalation fails, the escalated answer is returned rather than an error', async (t) => {
  const { core, recorder } = build([small([decision(0.6)]), large([{ fail: new DriberError('UPSTREAM_UNAVAILABLE') }])], { 'small-model': 0.8 })
  const result = await core.decide({ dialogue, speaker: 'Ann' }, context(t))
  t.equal(result.model, 'small-model')
  t.equal(result.confidence, 0.6)
  t.match(result.attempts, [
    { model: 'small-model', outcome: 'escalated' },
    { model: 'large-model', outcome: 'error', code: 'DRIBER_UPSTREAM_UNAVAILABLE' },
  ])
  t.match(recorder.of('answered'), [{ model: 'small-model', scale: 'small' }])
})

t.test('failures still fall back along a cascade route', async (t) => {
  const { core, recorder } = build([small([{ fail: new DriberError('UPSTREAM_UNAVAILABLE') }]), large([decision(0.4)])], { 'small-model': 0.8 })
  const result = await core.decide({ dialogue, speaker: 'Ann' }, context(t))
  t.equal(result.model, 'large-model')
  t.match(recorder.of('fallback'), [{ from: 'small-model', to: 'large-model', reason: 'error' }])
  t.same(recorder.of('escalation'), [])
})

t.test('a request may opt out: cascade false, or naming a model', async (t) => {
  const optOut = build([small([decision(0.3)]), large([])], { 'small-model': 0.8 })
  const result = await optOut.core.decide({ dialogue, speaker: 'Ann', cascade: false }, context(t))
  t.equal(result.model, 'small-model')
  t.match(result.attempts, [{ outcome: 'ok' }])
  const named = build([small([decision(0.3)]), large([])], { 'small-model': 0.8 })
  t.equal((await named.core.decide({ dialogue, speaker: 'Ann', model: 'small-model' }, context(t))).model, 'small-model')
})

t.test('rank escalates on the top candidate\'s confidence; an empty ranking is accepted', async (t) => {
  const unsure = build([small([ranking([0.4, 0.2])]), large([ranking([0.1, 0.9])])], { 'small-model': 0.7 })
  const escalated = await unsure.core.rank({ dialogue }, context(t))
  t.equal(escalated.model, 'large-model')
  t.equal(escalated.candidates[0]?.turn, 1)
  const sure = build([small([ranking([0.9])]), large([])], { 'small-model': 0.7 })
  t.equal((await sure.core.rank({ dialogue }, context(t))).model, 'small-model')
  const nowhere = build([small([{ reply: { candidates: [] } }]), large([])], { 'small-model': 0.7 })
  t.equal((await nowhere.core.rank({ dialogue }, context(t))).model, 'small-model')
})

t.test('share: Describe follows the model that answered an escalated Decide when configured', async (t) => {
  const describer = () => ({ ...routed(new ScriptedChatModel('describer', [describing])), scale: 'tiny' as const })
  const following = build([small([decision(0.5)]), large([decision(0.9), describing])], { 'small-model': 0.8 }, { describeFollowsDecide: true, describeRoute: [describer()] })
  const followed = await following.core.share({ dialogue, speaker: 'Ann' }, context(t))
  t.equal(followed.decision.model, 'large-model')
  t.equal(followed.describe?.model, 'large-model', 'the model sure enough to decide also describes')
  t.equal(followed.results[0]?.id, 'p1')

  const plain = build([small([decision(0.5)]), large([decision(0.9)])], { 'small-model': 0.8 }, { describeFollowsDecide: false, describeRoute: [describer()] })
  t.equal((await plain.core.share({ dialogue, speaker: 'Ann' }, context(t))).describe?.model, 'describer', 'not configured: the describe route as usual')

  const confident = build([small([decision(0.95)]), large([])], { 'small-model': 0.8 }, { describeFollowsDecide: true, describeRoute: [describer()] })
  t.equal((await confident.core.share({ dialogue, speaker: 'Ann' }, context(t))).describe?.model, 'describer', 'no escalation: nothing to follow')

  const optedOut = build([small([decision(0.5)]), large([])], { 'small-model': 0.8 }, { describeRoute: [describer()] })
  const result = await optedOut.core.share({ dialogue, speaker: 'Ann', cascade: false }, context(t))
  t.equal(result.decision.model, 'small-model', 'cascade false reaches Decide through Share')
})
