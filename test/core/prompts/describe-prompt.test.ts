import t from 'tap'
import { DESCRIBE_TEMPLATE, DESCRIPTION_PREFIX, renderDescribePrompt } from '../../../src/core/prompts/describe-prompt.js'
import type { Restriction } from '../../../src/core/types.js'

const dialogue = [
  { speaker: 'Ann', text: 'I baked my first sourdough loaf.' },
  { speaker: 'Bo', text: 'Show me!' },
]

const render = (restrictions: Restriction[], n = 1, speaker?: string): string =>
  renderDescribePrompt({ dialogue, speakers: ['Ann', 'Bo'], restrictions, n, ...(speaker === undefined ? {} : { speaker }) })[1]?.content ?? ''

t.test('a full describe prompt', async (t) => {
  t.matchSnapshot(render(['prefix', 'specific', 'concise'], 3, 'Ann'))
})

t.test('each chosen restriction adds its rule, and only then', async (t) => {
  const rules = DESCRIBE_TEMPLATE.restrictions
  const plain = render([])
  for (const restriction of ['prefix', 'generic', 'specific', 'concise', 'detailed'] as const) {
    t.notMatch(plain, rules[restriction], `${restriction} absent by default`)
    t.match(render([restriction]), rules[restriction], `${restriction} present when chosen`)
  }
  t.match(render(['prefix']), `starts with the words "${DESCRIPTION_PREFIX}"`)
})

t.test('n and the speaker shape the question and the count rule', async (t) => {
  t.match(render([], 1), '"descriptions" holds exactly 1 item.')
  t.match(render([], 4), '"descriptions" holds exactly 4 items, each describing a different plausible photo.')
  t.match(render([], 1, 'Ann'), 'Question: What photo would the next turn of "Ann" (or the rest of their turn, if the last message is theirs) include?')
  t.match(render([]), 'Question: What photo would the next turn include?')
  t.notMatch(render(['prefix'], 2, 'Bo'), /\{[a-z_]+\}/, 'no unfilled template slots')
})
