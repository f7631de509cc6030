import t from 'tap'
import { turnCues } from '../../../src/providers/embedded/decide-features.js'
import { defaultWeightsPath, intentsFrom, readDecideWeights, triggerTurn } from '../../../src/providers/embedded/decide-model.js'

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
