import t from 'tap'
import { describe, salientPhrases } from '../../../src/providers/embedded/describer.js'
import { genericTerm } from '../../../src/providers/embedded/hypernyms.js'

const dialogue = [
  { speaker: 'A', text: 'My sister Amy made a chocolate cake and some fresh bread, wanna see?' },
  { speaker: 'B', text: 'lol yes, I love her amazing baking' },
]

t.test('salient phrases skip slang, vague words and judging adjectives', async (t) => {
  const phrases = salientPhrases(dialogue, { generic: false }).map((phrase) => phrase.text)
  t.ok(phrases.includes('chocolate cake'))
  t.ok(phrases.includes('fresh bread'))
  t.notOk(phrases.some((phrase) => /wanna|lol|amazing/.test(phrase)), phrases.join(' | '))
  const unknown = salientPhrases([{ speaker: 'A', text: 'look at my new zorblax' }], { generic: false, isKnownWord: (word) => word !== 'zorblax' })
  t.same(unknown, [], 'words the vocabulary does not know are dropped')
})

t.test('generic maps kinds and drops names; specific keeps them', async (t) => {
  t.equal(genericTerm('retriever'), 'dog')
  t.equal(genericTerm('cupcake'), 'cake')
  t.equal(genericTerm('unicorn'), 'unicorn')
  const generic = describe(dialogue, { restrictions: ['generic'], n: 1 })[0]?.text ?? ''
  t.notMatch(generic, /Amy/)
  t.match(generic, /woman|cake|bread/)
  const specific = describe(dialogue, { restrictions: ['specific', 'detailed'], n: 1 })[0]?.text ?? ''
  t.match(specific, /chocolate cake/)
})

t.test('articles: mass nouns and plurals read without "a"', async (t) => {
  const [description] = describe([{ speaker: 'A', text: 'We had sushi and dumplings' }], { restrictions: ['prefix'], n: 1 })
  t.match(description?.text ?? '', /^An image of (sushi|dumplings)/)
  t.notMatch(description?.text ?? '', /a sushi|a dumplings/)
})
