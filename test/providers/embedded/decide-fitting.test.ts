import { readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { projectRoot } from '../../../src/config.js'
import { everyPrefix, readPhotoChat } from '../../../src/evaluation/photochat-dataset.js'
import { featureNames } from '../../../src/providers/embedded/decide-features.js'
import { fitDecideWeights, type DecideSample } from '../../../src/providers/embedded/decide-fitting.js'
import { createDecideModel, defaultWeightsPath, rationaleFrom, readDecideWeights, type DecideWeights } from '../../../src/providers/embedded/decide-model.js'
import { sharedGloveVocabulary } from '../../../src/providers/embedded/glove-vocabulary.js'
import { formatWeights } from '../../../src/providers/embedded/weights-format.js'

const fixture = path.join(projectRoot, 'test', 'fixtures', 'embedded', 'photochat-mini.json')
const fixtureWeights = path.join(projectRoot, 'test', 'fixtures', 'embedded', 'decide-weights-mini.json')

// Groups named as the fit script names them (`<file name>:<dialogue id>`), so the splits match.
const samplesOf = (file: string): DecideSample[] =>
  readPhotoChat(file).flatMap((dialogue) =>
    everyPrefix(dialogue, 'turn').map((item) => ({ dialogue: item.dialogue, speaker: item.speaker, label: item.label ? 1 : 0, group: `${path.basename(file)}:${dialogue.id}` })),
  )

t.test('fitting the fixture reproduces the committed fixture weights', async (t) => {
  const vocabulary = sharedGloveVocabulary()
  // The next-turn part of `npm run embedded:fit -- --data <fixture> --out <fixture weights> --seed 7`.
  const { weights } = fitDecideWeights(vocabulary, samplesOf(fixture), { seed: 7, source: 'photochat-mini.json' })
  const committed = JSON.parse(readFileSync(fixtureWeights, 'utf8')) as DecideWeights
  t.same(weights.features, committed.features)
  t.same(weights.lexical, committed.lexical, 'lexical vocabulary and weights match')
  t.ok(Object.keys(weights.lexical.last_turn_by_other).length > 0, 'the fixture yields lexical terms')
  t.equal(weights.training.l2, committed.training.l2)
  t.equal(weights.training.lexical_l2, committed.training.lexical_l2)
  t.same(weights.training.splits, committed.training.splits)
  const close = (left: number[], right: number[]) => left.length === right.length && left.every((value, i) => Math.abs(value - (right[i] as number)) <= 1e-5)
  t.ok(close(weights.weights, committed.weights), 'weights match')
  t.ok(close(weights.mean, committed.mean) && close(weights.scale, committed.scale), 'standardisation matches')
  t.ok(Math.abs(weights.bias - committed.bias) <= 1e-5)
  t.ok(Math.abs(weights.calibration.a - committed.calibration.a) <= 1e-5 && Math.abs(weights.calibration.b - committed.calibration.b) <= 1e-5)
  t.ok(Math.abs(weights.threshold - committed.threshold) <= 1e-3)
  // Fitting twice gives the same bytes: no hidden randomness.
  const again = fitDecideWeights(vocabulary, samplesOf(fixture), { seed: 7, source: 'photochat-mini.json' })
  t.equal(formatWeights(again.weights), formatWeights(weights))
})

t.test('a different seed moves the split and therefore the fit', async (t) => {
  const first = fitDecideWeights(sharedGloveVocabulary(), samplesOf(fixture), { seed: 7 })
  const second = fitDecideWeights(sharedGloveVocabulary(), samplesOf(fixture), { seed: 8 })
  t.not(JSON.stringify(first.weights.training.splits), JSON.stringify(second.weights.training.splits))
})

t.test('the committed service weights match the feature layout and behave', async (t) => {
  const vocabulary = sharedGloveVocabulary()
  const weights = readDecideWeights(defaultWeightsPath(), vocabulary.dimension)
  t.same(weights.features, featureNames(vocabulary.dimension))
  t.ok(weights.scale.every((value) => value > 0))
  t.ok(weights.rank !== undefined, 'the shipped weights carry the ranking head')
  t.ok(weights.threshold > 0 && weights.threshold < 1)
  const heldOut = (weights.training.held_out ?? {}) as Record<string, number>
  t.ok((heldOut.auc ?? 0) > 0.6, 'held-out AUC is recorded and better than chance')
  const model = createDecideModel(vocabulary, weights)
  const early = model.predict([{ speaker: 'B', text: 'hello!' }], 'A').probability
  const late = model.predict(
    [
      { speaker: 'B', text: 'hello!' },
      { speaker: 'A', text: 'hi, I just got back from a trip to the lake' },
      { speaker: 'B', text: 'nice, how was it?' },
      { speaker: 'A', text: 'amazing, we rented a little wooden boat' },
      { speaker: 'B', text: 'sounds lovely, can I see?' },
      { speaker: 'A', text: 'sure, let me send you a photo of the lake' },
    ],
    'A',
  ).probability
  t.ok(late > early, `an offered photo (${late}) beats a greeting (${early})`)
  t.ok(early >= 0 && late <= 1)
})

t.test('the committed service weights answer the obvious cases under turn semantics', async (t) => {
  const vocabulary = sharedGloveVocabulary()
  const weights = readDecideWeights(defaultWeightsPath(), vocabulary.dimension)
  const model = createDecideModel(vocabulary, weights)
  const puppy = [
    { speaker: 'Ana', text: 'I adopted a puppy yesterday!' },
    { speaker: 'Ben', text: 'No way! What breed? Can I see him?' },
  ]
  const ana = model.predict(puppy, 'Ana')
  t.ok(ana.share, `asked to see, the owner's next turn carries an image (${ana.probability})`)
  t.ok(ana.probability > 0.5)
  const why = rationaleFrom(ana, weights.features, puppy, 'Ana')
  t.match(why, /^An image fits in Ana's next turn \(estimated 5\d% chance one follows\): Ben asked to see it\b/, 'the rationale names who asked, with the calibrated probability')
  t.notMatch(why, /just started|has not written/, 'and never gives a reason against sharing as a reason to share')
  const ben = model.predict(puppy, 'Ben')
  t.ok(ben.probability < ana.probability / 2, `the one who asked does not (${ben.probability})`)
  t.notOk(ben.share)
  const greeting = model.predict(
    [
      { speaker: 'Sam', text: 'Hello!' },
      { speaker: 'Alex', text: 'Hi Sam, how are you?' },
    ],
    'Sam',
  )
  t.notOk(greeting.share, `a greeting needs no image (${greeting.probability})`)
  const hello = [{ speaker: 'Sam', text: 'Hello!' }]
  const newcomer = model.predict(hello, 'Alex')
  t.notOk(newcomer.share, 'nor does a new participant answering a hello')
  t.equal(
    rationaleFrom(newcomer, weights.features, hello, 'Alex'),
    'No image needed yet (estimated 0% chance one follows): Alex has not written yet and Sam has only said hello.',
    'the newcomer is not said to have talked about anything',
  )
})

t.test('rationales cite only cues present in the dialogue, pointing the way of the answer', async (t) => {
  const vocabulary = sharedGloveVocabulary()
  const weights = readDecideWeights(defaultWeightsPath(), vocabulary.dimension)
  const model = createDecideModel(vocabulary, weights)
  const smallTalk = [
    { speaker: 'Ana', text: 'Hi, how are you?' },
    { speaker: 'Ben', text: 'Good thanks, and you?' },
  ]
  t.equal(rationaleFrom(model.predict(smallTalk, 'Ana'), weights.features, smallTalk, 'Ana'), 'No image needed yet (estimated 0% chance one follows): the chat has only greeted.')
  const taxes = [
    { speaker: 'Leo', text: 'I have to work late tonight.' },
    { speaker: 'Mia', text: 'Ugh, good luck with that.' },
  ]
  const taxesAnswer = model.predict(taxes, 'Leo')
  t.notOk(taxesAnswer.share)
  t.match(rationaleFrom(taxesAnswer, weights.features, taxes, 'Leo'), /: nothing in the conversation calls for a picture yet\.$/, 'no cue against sharing is present: said plainly')
  const offer = [{ speaker: 'Leo', text: 'I took this at the lake, let me show you' }]
  const offerAnswer = model.predict(offer, 'Leo')
  t.ok(offerAnswer.share)
  const why = rationaleFrom(offerAnswer, weights.features, offer, 'Leo')
  t.match(why, /Leo offered to show it/)
  t.notMatch(why, /undefined|asked to see/, 'nobody else is in the chat, so nobody asked')
  const turtle = [{ speaker: 'Ana', text: 'We saw a sea turtle!' }]
  const turtleAnswer = model.predict(turtle, 'Ana')
  t.notOk(turtleAnswer.share, 'a sighting alone, nobody asking: the shipped weights say no')
  t.match(rationaleFrom(turtleAnswer, weights.features, turtle, 'Ana'), /: Ana named something one can take a picture of, but not enough yet/, 'a "no" with cues only for a picture says what is there and that it is not enough')
})
