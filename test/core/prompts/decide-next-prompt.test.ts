import t from 'tap'
import { renderDecideNextPrompt } from '../../../src/core/prompts/decide-next-prompt.js'
import { INTENTS } from '../../../src/core/types.js'

const dialogue = [
  { speaker: 'Ann', text: 'We finally adopted the puppy!' },
  { speaker: 'Bo', text: 'No way, what does she look like?' },
]

t.test('with a speaker, the question and the speaker rule name that speaker', async (t) => {
  const messages = renderDecideNextPrompt({ dialogue, speakers: ['Ann', 'Bo'], speaker: 'Ann' })
  t.matchSnapshot(messages.map((message) => `[${message.role}]\n${message.content}`).join('\n\n'))
  const prompt = messages[1]?.content ?? ''
  t.match(prompt, 'Question: Should the next turn of "Ann" (or the rest of their turn, if the last message is theirs) include an image, with or without words?')
  t.match(prompt, '"speaker" is exactly "Ann".')
})

t.test('without a speaker, the model is asked to choose who shares', async (t) => {
  const prompt = renderDecideNextPrompt({ dialogue, speakers: ['Ann', 'Bo'] })[1]?.content ?? ''
  t.match(prompt, 'and if so, whose?')
  t.match(prompt, 'copied exactly from the Speakers list')
  t.match(prompt, 'Speakers: "Ann", "Bo"')
})

t.test('turn semantics: a turn is a run of messages and carries words and an image together', async (t) => {
  const prompt = renderDecideNextPrompt({ dialogue, speakers: ['Ann', 'Bo', 'Cy'], speaker: 'Cy' })[1]?.content ?? ''
  t.match(prompt, "a turn is one person's run of consecutive messages")
  t.match(prompt, 'alone or beside words')
  t.match(prompt, 'Each line is one message', 'lines are messages; their positions are what answers cite')
  t.match(prompt, 'Speakers: "Ann", "Bo", "Cy"', 'a participant who has not written is listed')
  t.match(prompt, 'including anyone who has not written yet')
})

t.test('the restrictions fix the exact keys, every intent and the turn range', async (t) => {
  const prompt = renderDecideNextPrompt({ dialogue, speakers: ['Ann', 'Bo'] })[1]?.content ?? ''
  const restrictions = prompt.slice(prompt.indexOf('Restrictions:'))
  for (const key of ['share', 'speaker', 'confidence', 'intents', 'trigger_turn', 'rationale']) t.match(restrictions, `"${key}"`)
  for (const intent of INTENTS) t.match(restrictions, `"${intent}"`)
  t.match(restrictions, '(0 to 1)')
  t.match(restrictions, /^1\. Reply with one JSON object/m)
  t.notMatch(prompt, /\{[a-z_]+\}/, 'no unfilled template slots')
})
