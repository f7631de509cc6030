import t from 'tap'
import { distinctN, labelCoverage } from '../../src/evaluation/description-metrics.js'
import { contentLemmas } from '../../src/providers/embedded/sentence-embedder.js'

t.test('label coverage lemmatises both sides and needs every word of a label', async (t) => {
  const description = new Set(contentLemmas('An image of two dogs eating ice cream on the beach'))
  // Dog (dogs -> dog) and Ice cream are covered; Platter is not: 2 of 3.
  t.equal(labelCoverage(description, ['Dog', 'Ice cream', 'Platter'], contentLemmas), 2 / 3)
  t.equal(labelCoverage(description, ['Cream cheese'], contentLemmas), 0, 'a partial multi-word label does not count')
  t.equal(labelCoverage(description, [], contentLemmas), 0)
})

t.test('distinct-n counts unique n-grams over all n-grams', async (t) => {
  const texts = ['a dog on a beach', 'a dog in a park']
  // unigrams: a dog on a beach a dog in a park -> 10 total; unique: a dog on beach in park = 6
  t.equal(distinctN(texts, 1), 6 / 10)
  // bigrams: a-dog dog-on on-a a-beach | a-dog dog-in in-a a-park -> 8 total, 7 unique
  t.equal(distinctN(texts, 2), 7 / 8)
  t.equal(distinctN(['one'], 2), 0)
  t.throws(() => distinctN(texts, 0), RangeError)
})
