import t from 'tap'
import type { Dialogue, Restriction } from '../../../src/core/types.js'
import { createDescribeLexiconModel, defaultDescribeLexiconPath, readDescribeLexicon } from '../../../src/providers/embedded/describe-lexicon.js'
import { candidatePhrases, describe, labelPhrase, salientPhrases } from '../../../src/providers/embedded/describer.js'
import { sharedGloveVocabulary } from '../../../src/providers/embedded/glove-vocabulary.js'
import { genericTerm } from '../../../src/providers/embedded/hypernyms.js'

// The shipped lexicon: these are the answers a user of driber-lite gets.
const vocabulary = sharedGloveVocabulary()
const lexicon = createDescribeLexiconModel(readDescribeLexicon(defaultDescribeLexiconPath()), vocabulary)
const isKnownWord = (word: string): boolean => vocabulary.rank(word) !== undefined
const say = (...texts: Array<[string, string]>): Dialogue => texts.map(([speaker, text]) => ({ speaker, text }))
const first = (dialogue: Dialogue, restrictions: Restriction[] = ['prefix'], speaker = 'Ana'): string =>
  describe(dialogue, { restrictions, n: 1, lexicon, isKnownWord, speaker })[0]?.text ?? ''
const phrases = (dialogue: Dialogue, speaker = 'Ana'): string[] => salientPhrases(dialogue, { generic: false, lexicon, isKnownWord, speaker }).map((phrase) => phrase.text)

t.test('keeps the head noun with its modifiers', async (t) => {
  const puppy = say(['Ana', 'I adopted a golden retriever puppy yesterday!'])
  t.match(first(puppy), /^An image of a golden retriever puppy\b/, 'the time word after the noun is not its head')
  t.notMatch(first(puppy), /yesterday|everyday scene/)
  t.match(first(say(['Ana', 'We saw a sea turtle in crystal clear water'])), /^An image of a sea turtle\b/)
})

t.test('drops what is not a thing one can see', async (t) => {
  const cake = say(['Ana', 'I baked a chocolate cake for my mom birthday'], ['Ben', 'Yum! Show me!'])
  const kept = phrases(cake)
  t.same(kept[0], 'chocolate cake', 'the cake leads')
  t.notOk(kept.some((phrase) => /birthday|yum/i.test(phrase)), `kept: ${kept.join(' | ')}`)
  t.notMatch(first(cake), /birthday|yum/i)
  // Chat filler, judging adjectives and words the vocabulary does not know never become subjects.
  const filler = phrases(say(['Ana', 'lol my sister made an amazing zorblax, wanna see?']))
  t.notOk(filler.some((phrase) => /lol|wanna|amazing|zorblax/.test(phrase)), filler.join(' | '))
  // Adverbs and time words the tagger chunks onto a noun are cut off ("couch right now").
  t.same(candidatePhrases(say(['Ana', 'He is sleeping on the couch right now'])).map((candidate) => candidate.head), ['couch'])
  t.same(candidatePhrases(say(['Ana', 'I adopted a golden retriever puppy yesterday!'])).map((candidate) => candidate.head), ['puppy'])
})

t.test('names the predicted objects that fit the subject, in words, never broad classes', async (t) => {
  // What the subject is stands beside it, as a person would gloss it; no parenthesised tag lists.
  t.equal(first(say(['Ana', 'I adopted a golden retriever puppy yesterday!'])), 'An image of a golden retriever puppy, a dog.')
  t.equal(first(say(['Ana', 'I baked a chocolate cake for my mom birthday'], ['Ben', 'Yum! Show me!'])), 'An image of a chocolate cake, a dessert.')
  const variants = describe(say(['Ana', 'I adopted a golden retriever puppy yesterday!']), { restrictions: ['prefix'], n: 2, lexicon, isKnownWord, speaker: 'Ana' })
  t.equal(variants[1]?.text, 'An image of a golden retriever puppy, a dog, in a casual snapshot.', 'a framing is not read as the gloss\'s')
  const beer = first(say(['Ana', 'Having a cold beer at the beach bar'], ['Ben', 'nice, show me']))
  t.match(beer, /^An image of cold beer, a drink\b/, beer)
  // Something seen with the subject is written after "with", when it is close to it (a beer's bottle).
  t.match(beer, /, with a bottle\.$/, beer)
  const many = [
    first(say(['Ana', 'I adopted a golden retriever puppy yesterday!'], ['Ben', 'No way! Can I see him?'])),
    first(say(['Ana', 'We saw a sea turtle in crystal clear water'])),
    first(say(['Ana', 'Just back from Paris, the Eiffel Tower and croissants every morning!'])),
    beer,
  ]
  for (const text of many) {
    t.notMatch(text, /[()]/, `no tag list: ${text}`)
    // Taxonomy pulls Retrieve towards the whole class: a dog's "carnivore" finds cats.
    t.notMatch(text, /\b(carnivore|animal|mammal|face)\b/, `no broad class: ${text}`)
  }
  // Labels the chat raised but the subject does not explain ("crystal clear" -> wine glass) are left out.
  t.notMatch(many[1] as string, /bottle|glass/, String(many[1]))
  // People only when the dialogue is about people, and of the person's own kind.
  t.notMatch(many[2] as string, /\b(man|snack)\b/, String(many[2]))
  const brother = first(say(['Ana', 'My brother just got a guitar'], ['Ben', 'show me']))
  t.match(brother, /\bbrother, a man\b/, brother)
  t.notMatch(first(say(['Ana', 'My dad plays in a band'], ['Ben', 'show me'])), /\b(girl|woman|boy)\b/)
  // A label the phrase already says is not repeated.
  t.notMatch(first(say(['Ana', 'I baked a chocolate cake'])), /cake.*\bcake\b/)
  t.equal(labelPhrase('Dog'), 'a dog')
  t.equal(labelPhrase('Baked goods'), 'baked goods')
  t.equal(labelPhrase('Clothing'), 'clothing')
})

t.test('generic descriptions say what the subject is in everyday words', async (t) => {
  t.equal(first(say(['Ana', 'I adopted a golden retriever puppy yesterday!']), ['prefix', 'generic']), 'An image of a dog.')
  t.equal(first(say(['Ana', 'We had croissants every morning']), ['prefix', 'generic']), 'An image of pastries.', 'a plural subject keeps its number')
})

t.test('restrictions: prefix, generic vs specific, concise vs detailed, n distinct', async (t) => {
  const dialogue = say(
    ['Ana', 'Guess what, we adopted a puppy yesterday!'],
    ['Ben', 'No way! What breed is he?'],
    ['Ana', 'A golden retriever called Max, he is so fluffy.'],
    ['Ben', 'I would love to see him, do you have a picture?'],
  )
  t.notMatch(first(dialogue, ['specific']), /^An image of/, 'no prefix unless asked')
  t.match(first(dialogue, ['specific']), /golden retriever/)
  t.notMatch(first(dialogue, ['prefix']), /puppy/, 'the puppy is the golden retriever, not something else in the picture')
  const generic = first(dialogue, ['prefix', 'generic'])
  t.match(generic, /^An image of a dog\b/, 'breeds become their kind')
  t.notMatch(generic, /Max|retriever/, 'names and breeds are dropped')
  const concise = first(dialogue, ['concise'])
  const detailed = first(dialogue, ['detailed'])
  t.ok(concise.split(/\s+/).length <= 15, concise)
  t.ok(detailed.split(/\s+/).length > concise.split(/\s+/).length, 'detailed says more than concise')
  const many = describe(dialogue, { restrictions: ['prefix', 'concise'], n: 5, lexicon, isKnownWord, speaker: 'Ana' })
  t.equal(many.length, 5)
  t.equal(new Set(many.map((description) => description.text)).size, 5, 'distinct')
  for (const description of many) {
    t.match(description.text, /^An image of /)
    t.ok(description.salient.length > 0 && description.salient.length <= 5)
    for (const phrase of description.salient) t.ok(description.text.toLowerCase().includes(phrase.toLowerCase()), `"${phrase}" appears in "${description.text}"`)
  }
  t.equal(genericTerm('retriever'), 'dog')
})

t.test('with nothing to photograph it still answers', async (t) => {
  t.equal(first(say(['Ana', 'hi']), ['prefix']), 'An image of an everyday scene.')
  const answers = describe(say(['Ana', 'hi']), { restrictions: ['prefix'], n: 3, lexicon, isKnownWord })
  t.equal(new Set(answers.map((description) => description.text)).size, 3)
})

t.test('a capitalised first word is not taken for a name', async (t) => {
  const [yum] = candidatePhrases(say(['Ben', 'Yum!']))
  t.equal(yum?.headKind, 'capitalised')
  const [max] = candidatePhrases(say(['Ana', 'my dog is called Max']), isKnownWord).filter((candidate) => candidate.head === 'max')
  t.equal(max?.headKind, 'name')
})
