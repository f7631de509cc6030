import t from 'tap'
import { renderDecideRankPrompt } from '../../../src/core/prompts/decide-rank-prompt.js'

t.test('the ranking prompt asks for candidates over the real turn range', async (t) => {
  const dialogue = [
    { speaker: 'Ann', text: 'Back from Iceland.' },
    { speaker: 'Bo', text: 'Did you see the northern lights?' },
    { speaker: 'Ann', text: 'Every night!' },
  ]
  const messages = renderDecideRankPrompt({ dialogue, speakers: ['Ann', 'Bo'] })
  t.matchSnapshot(messages.map((message) => `[${message.role}]\n${message.content}`).join('\n\n'))
  const prompt = messages[1]?.content ?? ''
  t.match(prompt, '"candidates"')
  t.match(prompt, '(0 to 2)')
  t.match(prompt, '{"turn": integer, "confidence": number, "rationale": string}')
  t.notMatch(prompt, /\{[a-z_]+\}/, 'no unfilled template slots')
})
