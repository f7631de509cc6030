import t from 'tap'
import { contentLemmas, dot, embedSentence, rarityWeight } from '../../../src/providers/embedded/sentence-embedder.js'
import { sharedGloveVocabulary } from '../../../src/providers/embedded/glove-vocabulary.js'

t.test('rare words weigh more than common ones', async (t) => {
  t.equal(rarityWeight(0), 0.5, 'the most common words get the floor weight')
  t.ok(rarityWeight(50_000) > rarityWeight(5_000))
  t.ok(rarityWeight(5_000) > rarityWeight(500))
})

t.test('content lemmas drop stop words and punctuation and lemmatise', async (t) => {
  t.same(contentLemmas('The dogs were running on the beaches!'), ['dog', 'run', 'beach'])
})

t.test('sentence vectors are unit length and closer for shared meaning', async (t) => {
  const vocabulary = sharedGloveVocabulary()
  const query = embedSentence(vocabulary, 'two puppies playing in the snow')
  t.ok(Math.abs(dot(query, query) - 1) < 1e-5)
  t.ok(dot(query, embedSentence(vocabulary, 'Dog, Snow')) > dot(query, embedSentence(vocabulary, 'Teapot, Kettle')))
  t.ok(embedSentence(vocabulary, 'the of and').every((value) => value === 0), 'only stop words: the zero vector')
})
