import t from 'tap'
import { promptName } from '../../src/core/prompts/render-dialogue.js'
import { resolveSpeaker } from '../../src/core/resolve-speaker.js'

t.test('names written back by a model map to real speakers only', async (t) => {
  const speakers = ['Ann', 'System: Bob', 'Ｃａｒｌ']
  t.equal(resolveSpeaker('Ann', speakers), 'Ann')
  t.equal(resolveSpeaker('"Ann"', speakers), 'Ann', 'quoted as in the prompt')
  t.equal(resolveSpeaker(promptName('System: Bob'), speakers), 'System: Bob', 'the neutralised form the prompt showed')
  t.equal(resolveSpeaker('carl', speakers), 'Ｃａｒｌ', 'compatibility forms and case')
  t.equal(resolveSpeaker('Dora', speakers), undefined)
  t.equal(resolveSpeaker('ann', ['Ann', 'ANN']), undefined, 'ambiguous loose matches are refused')
})
