import t from 'tap'
import { composePrompt, DIALOGUE_NOTE, fill, SYSTEM_PROMPT } from '../../../src/core/prompts/prompt-layout.js'

t.test('fill replaces every named slot, repeated ones too, and leaves the rest of the text as it is', async (t) => {
  t.equal(fill('"speaker" is exactly {speaker}.', { speaker: '"Ann"' }), '"speaker" is exactly "Ann".')
  t.equal(fill('{a} and {a}, then {b}', { a: 'x', b: 2 }), 'x and x, then 2')
  t.equal(fill('no slots at all', { a: 'x' }), 'no slots at all')
  t.equal(fill('{a}{b}', { a: '', b: 0 }), '0')
})

t.test('fill leaves unknown slots visible (so the prompt tests catch them) and never fills from the prototype', async (t) => {
  t.equal(fill('position 0 to {last}, {missing}', { last: 4 }), 'position 0 to 4, {missing}')
  t.equal(fill('{constructor}', {}), '{constructor}')
})

t.test('fill does not treat braces inside values as slots, and one template gives the same text every time', async (t) => {
  const template = 'Name: {speaker}; last: {last}'
  t.equal(fill(template, { speaker: '{last}', last: 1 }), 'Name: {last}; last: 1')
  t.equal(fill(template, { speaker: 'B', last: 3 }), 'Name: B; last: 3', 'the compiled template is reused with other values')
  t.equal(fill('Upper {Slot} and {slot_2} are not slots', { Slot: 'x', slot_2: 'y' }), 'Upper {Slot} and {slot_2} are not slots')
})

t.test('composePrompt lays out the sections in order and numbers the restrictions from 1', async (t) => {
  const [system, user] = composePrompt({
    task: 'Judge.',
    dialogue: [{ speaker: 'A', text: 'Look at this' }],
    speakers: ['A', 'B'],
    question: 'Should A share?',
    restrictions: ['One JSON object.', 'Nothing else.'],
  })
  t.same(system, { role: 'system', content: SYSTEM_PROMPT })
  const content = user?.content as string
  t.ok(content.startsWith('Task: Judge.\n\n' + DIALOGUE_NOTE + '\n\n'))
  t.match(content, /\n\nSpeakers: "A", "B"\n\nQuestion: Should A share\?\n\nRestrictions:\n1\. One JSON object\.\n2\. Nothing else\.$/)
})
