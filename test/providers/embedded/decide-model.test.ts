import t from 'tap'
import { turnCues } from '../../../src/providers/embedded/decide-features.js'
import { confidenceOfShare, decisionConfidence, defaultWeightsPath, intentsFrom, readDecideWeights, triggerTurn } from '../../../src/providers/embedded/decide-model.js'

const weights = readDecideWeights(defaultWeightsPath(), 100)
const cuesOf = (texts: string[]) => texts.map(turnCues)

t.test('the trigger is the recent turn with the strongest rewarded cues', async (t) => {
  const cues = cuesOf(['hey there', 'we went to the lake with my dog', 'can I see a picture of him?', 'ok'])
  t.equal(triggerTurn(cues, weights), 2, 'the request to see a picture')
  t.equal(triggerTurn(cues), 2, 'the same without weights (fallback cue weights)')
  t.equal(triggerTurn(cuesOf(['hi', 'hello'])), 1, 'no cues: the latest turn')
  t.equal(triggerTurn([]), null)
  const old = cuesOf(['let me show you a photo of my cat', 'hi', 'ok', 'sure', 'fine'])
  t.equal(triggerTurn(old, weights), 4, 'only the last four turns are candidates')
})

t.test('intents follow the cues of the recent turns', async (t) => {
  t.equal(intentsFrom(cuesOf(['lol that is hilarious, what a funny joke']), 0)[0], 'humor_entertainment')
  t.equal(intentsFrom(cuesOf(['can I see what it looks like?', 'show me']), 0)[0], 'visual_clarification')
  t.ok(intentsFrom(cuesOf(['my whole family came to the wedding, I miss them']), 0).includes('social_bonding'))
  t.ok(intentsFrom(cuesOf(['anyway']), 0.9).includes('topic_transition'))
  t.same(intentsFrom(cuesOf(['hmm']), 0), ['information_dissemination'], 'never empty')
})

t.test('confidence is 0.5 at the threshold and reaches 1 at a certain yes or a certain no', async (t) => {
  const threshold = 0.23
  t.equal(confidenceOfShare(0, threshold), 0)
  t.equal(confidenceOfShare(threshold, threshold), 0.5)
  t.equal(confidenceOfShare(1, threshold), 1)
  t.equal(confidenceOfShare(0.115, threshold), 0.25, 'linear below the threshold')
  t.equal(confidenceOfShare(0.615, threshold), 0.75, 'and above it')
  const probabilities = [0, 0.05, 0.2, 0.23, 0.3, 0.54, 0.9, 1]
  const scores = probabilities.map((probability) => confidenceOfShare(probability, threshold))
  t.ok(
    scores.every((score, i) => i === 0 || score > (scores[i - 1] as number)),
    'strictly increasing in the probability',
  )
  t.equal(decisionConfidence({ probability: 0.3, share: true }, threshold) >= 0.5, true, 'a yes is never less sure than a coin toss')
  t.equal(decisionConfidence({ probability: 0.2, share: false }, threshold) > 0.5, true, 'nor is a no')
  t.equal(decisionConfidence({ probability: 0, share: false }, threshold), 1)
  t.equal(confidenceOfShare(0.4, weights.threshold) > 0.5, 0.4 >= weights.threshold, 'the shipped threshold is where it crosses 0.5')
})
