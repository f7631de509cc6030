import t from 'tap'
import { assignSplit } from '../../../src/providers/embedded/decide-fitting.js'
import { fitDescribeLexicon, retrievalMrr, type DescribeSample, type FitDescribeOptions } from '../../../src/providers/embedded/describe-fitting.js'
import { checkDescribeLexicon, createDescribeLexiconModel, formatDescribeLexicon } from '../../../src/providers/embedded/describe-lexicon.js'
import { sharedGloveVocabulary } from '../../../src/providers/embedded/glove-vocabulary.js'

/**
 * A tiny generated PhotoChat: people talk about a thing, say "yum" or mention a birthday, and the
 * photo that follows shows the thing. The fit has to learn that the thing is photographed and the
 * rest is not, and which labels the words predict.
 */
const TOPICS = [
  { thing: 'puppy', labels: ['Dog', 'Animal'] },
  { thing: 'pizza', labels: ['Pizza', 'Fast food'] },
  { thing: 'cake', labels: ['Cake', 'Baked goods'] },
  { thing: 'car', labels: ['Car', 'Vehicle'] },
  { thing: 'beer', labels: ['Beer', 'Drink'] },
]
const FILLER = ['Yum, that sounds great', 'It was for my birthday', 'Wow, so cool', 'That was a long trip']

const generate = (count: number): DescribeSample[] =>
  Array.from({ length: count }, (_, index) => {
    const topic = TOPICS[index % TOPICS.length] as (typeof TOPICS)[number]
    const filler = FILLER[Math.floor(index / TOPICS.length) % FILLER.length] as string
    return {
      group: String(index),
      context: [
        { speaker: 'A', text: `I got a new ${topic.thing} yesterday` },
        { speaker: 'B', text: filler },
        { speaker: 'B', text: 'Can I see it?' },
      ],
      sharer: 'A',
      labels: topic.labels,
    }
  })

const small: Partial<FitDescribeOptions> = { photographabilityGrid: [0.2], minimumLiftGrid: [2], maxLabelsGrid: [1, 2], labelThresholdGrid: [1.01] }

t.test('the fit learns what is photographed and which labels words predict', async (t) => {
  const vocabulary = sharedGloveVocabulary()
  const { lexicon } = fitDescribeLexicon(vocabulary, generate(120), { seed: 7, ...small })
  t.same(checkDescribeLexicon(JSON.parse(formatDescribeLexicon(lexicon)), 'fitted'), lexicon, 'the written file reads back as the same lexicon')
  const model = createDescribeLexiconModel(lexicon, vocabulary)
  for (const thing of ['puppy', 'pizza', 'cake', 'beer']) t.ok(model.photographability(thing, 'noun') > 0.6, `${thing} is photographed`)
  for (const filler of ['birthday', 'trip', 'yum']) t.ok(model.photographability(filler, 'noun') < 0.3, `${filler} is talked about, not photographed`)
  const top = (words: string[]) =>
    model
      .predictLabels(words.map((lemma) => ({ lemma, weight: 1 })))
      .slice(0, 2)
      .map(({ label }) => label)
      .sort()
  t.same(top(['puppy']), ['Animal', 'Dog'])
  t.same(top(['beer']), ['Beer', 'Drink'])
  // "yum" follows every topic alike, so it predicts no label beyond its base rate.
  t.notOk(lexicon.words.yum?.some(([, evidence]) => evidence > 0.2), 'yum carries no evidence')
})

t.test('the fit is deterministic and never reads the test split', async (t) => {
  const vocabulary = sharedGloveVocabulary()
  const samples = generate(120)
  const first = fitDescribeLexicon(vocabulary, samples, { seed: 7, ...small })
  const again = fitDescribeLexicon(vocabulary, samples, { seed: 7, ...small })
  t.equal(formatDescribeLexicon(again.lexicon), formatDescribeLexicon(first.lexicon), 'same bytes twice')
  t.same(first.splits.test, samples.flatMap((sample, index) => (assignSplit(sample.group, 7) === 'test' ? [index] : [])), 'the Decide split, by dialogue id')
  t.ok(first.splits.test.length > 0)
  // Scrambling the test dialogues' labels must not change anything that was fitted.
  const scrambled = samples.map((sample, index) => (first.splits.test.includes(index) ? { ...sample, labels: ['Umbrella'], context: [{ speaker: 'A', text: 'an umbrella' }] } : sample))
  t.equal(formatDescribeLexicon(fitDescribeLexicon(vocabulary, scrambled, { seed: 7, ...small }).lexicon), formatDescribeLexicon(first.lexicon))
})

t.test('retrieval MRR ranks each description against the other photos', async (t) => {
  const vocabulary = sharedGloveVocabulary()
  const captions = ['Dog, Animal', 'Pizza, Fast food', 'Car, Vehicle']
  t.equal(retrievalMrr(vocabulary, ['a dog', 'a pizza', 'a car'], captions), 1, 'each finds its own photo first')
  t.ok(retrievalMrr(vocabulary, ['a car', 'a dog', 'a pizza'], captions) < 0.7, 'shuffled descriptions find the wrong photos')
  // Identical captions tie: the expected position is the middle.
  t.equal(retrievalMrr(vocabulary, ['a dog', 'a dog'], ['Dog', 'Dog']), 1 / 1.5)
})

t.test('a malformed lexicon is refused with a clear error', async (t) => {
  t.throws(() => checkDescribeLexicon({ format: 'other' }, 'x.json'), { code: 'DRIBER_INTERNAL', message: /x\.json.*format/ })
  const { lexicon } = fitDescribeLexicon(sharedGloveVocabulary(), generate(60), { seed: 7, ...small })
  const broken = { ...lexicon, words: { puppy: [[lexicon.labels.length + 3, 0.5]] } }
  t.throws(() => checkDescribeLexicon(broken, 'x.json'), { message: /puppy/ })
})
