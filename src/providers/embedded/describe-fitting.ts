/**
 * Fits the embedded Describe lexicon (describe-lexicon.ts) from dialogues whose shared photo has
 * object labels (PhotoChat: "Objects in the photo: Dog, Grass").
 *
 * Dialogues are split into train / calibration / test by the same seeded hash of the dialogue id
 * as the Decide fit. On train:
 * - a noun is "photographed" in a dialogue when one of the photo's labels names it: the label holds
 *   its lemma, or the label's GloVe vector is close to the noun's ("puppy" ~ Dog). Its rate is
 *   smoothed towards the rate of its GloVe neighbours, so rare nouns lean on similar ones.
 * - a word's evidence for a label is how much more often the label is in the photo when the word
 *   is in the dialogue than its base rate: (P(label | word) - P(label)) / (1 - P(label)), with
 *   P(label | word) smoothed towards the base rate.
 * The thresholds (which nouns to keep, which labels to name, how many) are chosen on the
 * calibration split by the Retrieve MRR the descriptions reach on a gallery of its photos. The
 * test split is never read here; the fit script scores it. Deterministic for a given input and seed.
 */
import type { Dialogue } from '../../core/types.js'
import { assignSplit, type Split } from './decide-fitting.js'
import { createDescribeLexiconModel, DESCRIBE_LEXICON_FORMAT, type DescribeLexicon, type DescribeSettings } from './describe-lexicon.js'
import { candidatePhrases, describe, weightedLemmas } from './describer.js'
import type { GloveVocabulary } from './glove-vocabulary.js'
import { dot, embedSentence } from './sentence-embedder.js'
import { analyse } from './text-analysis.js'

/** One dialogue up to the share, with the shared photo's object labels. */
export interface DescribeSample {
  /** The dialogue it comes from (splits group by it). */
  group: string
  context: Dialogue
  /** Who shared the photo. */
  sharer?: string
  labels: string[]
  /** The photo's whole description ("The photo has your dad Mark. Objects in the photo: ..."): names count as photographed. */
  photoDescription?: string
}

export interface FitDescribeOptions {
  seed: number
  /** Cosine at which a label's GloVe vector names a noun. */
  namingSimilarity?: number
  /** Pseudo-counts pulling a noun's rate towards its neighbours' and a word's label rate towards the base rate. */
  headSmoothing?: number
  wordSmoothing?: number
  /** Words seen in fewer training dialogues than this carry no evidence of their own (they borrow a neighbour's). */
  minimumWordDialogues?: number
  /** Candidate thresholds tried on the calibration split. */
  photographabilityGrid?: number[]
  minimumLiftGrid?: number[]
  maxLabelsGrid?: number[]
  labelThresholdGrid?: number[]
  /**
   * What the thresholds maximise on the calibration split, given each sample's first description
   * (default: Retrieve MRR on a gallery of the split's photos). The fit script adds gold-label
   * coverage, so descriptions both find the photo and name what is in it.
   */
  objective?: (descriptions: string[], samples: DescribeSample[]) => CalibrationFigures
  source?: string
}

const round = (value: number, digits = 3): number => {
  const factor = 10 ** digits
  const rounded = Math.round(value * factor) / factor
  return Object.is(rounded, -0) ? 0 : rounded
}

/** The lemmas of a label ("Baked goods" -> bake, good), as the describer's words are lemmatised. */
const labelLemmas = (label: string): string[] =>
  analyse(label)
    .tokens.filter((token) => token.word)
    .map((token) => token.lemma)

/** Mean reciprocal rank of each sample's own photo when its description searches the split's gallery. */
export const retrievalMrr = (vocabulary: GloveVocabulary, descriptions: string[], captions: string[]): number => {
  const gallery = captions.map((caption) => embedSentence(vocabulary, caption))
  let sum = 0
  descriptions.forEach((description, index) => {
    const query = embedSentence(vocabulary, description)
    const own = dot(query, gallery[index] as Float32Array)
    // Equal scores (photos with the same labels) count half: the expected position when ties fall either way.
    let rank = 1
    gallery.forEach((vector, other) => {
      if (other === index) return
      const score = dot(query, vector)
      if (score > own) rank++
      else if (score === own) rank += 0.5
    })
    sum += 1 / rank
  })
  return descriptions.length === 0 ? 0 : sum / descriptions.length
}

/** What one threshold setting scored on the calibration split: `objective` decides, the rest is recorded. */
export type CalibrationFigures = { objective: number } & Record<string, number>

export interface FitDescribeResult {
  lexicon: DescribeLexicon
  /** Sample indices per split (the script scores the test split with them). */
  splits: Record<Split, number[]>
}

/** Fits the lexicon; see the module comment for the procedure. */
export const fitDescribeLexicon = (vocabulary: GloveVocabulary, samples: DescribeSample[], options: FitDescribeOptions): FitDescribeResult => {
  const namingSimilarity = options.namingSimilarity ?? 0.55
  const headSmoothing = options.headSmoothing ?? 3
  const wordSmoothing = options.wordSmoothing ?? 2
  const minimumWordDialogues = options.minimumWordDialogues ?? 2
  const isKnownWord = (word: string): boolean => vocabulary.rank(word) !== undefined
  const splits: Record<Split, number[]> = { train: [], calibration: [], test: [] }
  samples.forEach((sample, index) => splits[assignSplit(sample.group, options.seed)].push(index))
  const train = splits.train.map((index) => samples[index] as DescribeSample)

  // Labels and their base rates over the training photos (labels seen once say nothing general).
  const labelCounts = new Map<string, number>()
  for (const sample of train) for (const label of new Set(sample.labels)) labelCounts.set(label, (labelCounts.get(label) ?? 0) + 1)
  const labels = [...labelCounts.entries()].filter(([, count]) => count >= 2).sort((left, right) => right[1] - left[1] || left[0].localeCompare(right[0])).map(([label]) => label)
  const labelIndex = new Map(labels.map((label, index) => [label, index]))
  const priors = labels.map((label) => (labelCounts.get(label) as number) / train.length)
  const labelVectors = new Map<string, Float32Array>()
  const labelLemmaSets = new Map<string, Set<string>>()
  for (const label of labelCounts.keys()) {
    labelVectors.set(label, embedSentence(vocabulary, label))
    labelLemmaSets.set(label, new Set(labelLemmas(label)))
  }

  // Which nouns the photos show. Names count too ("Yum!" is tagged as one and must learn it is not).
  const headSeen = new Map<string, number>()
  const headHits = new Map<string, number>()
  let properSeen = 0
  let properHits = 0
  for (const sample of train) {
    const heads = new Map<string, { proper: boolean; surface: string }>()
    for (const candidate of candidatePhrases(sample.context, isKnownWord)) {
      if (!heads.has(candidate.head)) heads.set(candidate.head, { proper: candidate.headProper, surface: candidate.headToken.value.toLowerCase() })
    }
    const description = (sample.photoDescription ?? '').toLowerCase()
    for (const [head, { proper, surface }] of heads) {
      const vector = vocabulary.vector(head) ?? vocabulary.vector(surface)
      let named = sample.labels.some((label) => {
        if ((labelLemmaSets.get(label) as Set<string>).has(head)) return true
        if (vector === undefined) return false
        const labelVector = labelVectors.get(label) as Float32Array
        let norm = 0
        for (const value of vector) norm += value * value
        return norm > 0 && dot(vector, labelVector) / Math.sqrt(norm) >= namingSimilarity
      })
      if (proper) {
        // The photo's description names the people in it ("The photo has your dad Mark").
        named ||= new RegExp(`\\b${surface.replace(/[^a-z0-9]/g, '')}\\b`).test(description)
        properSeen++
        if (named) properHits++
      }
      headSeen.set(head, (headSeen.get(head) ?? 0) + 1)
      if (named) headHits.set(head, (headHits.get(head) ?? 0) + 1)
    }
  }
  const globalRate = [...headHits.values()].reduce((sum, hits) => sum + hits, 0) / Math.max(1, [...headSeen.values()].reduce((sum, seen) => sum + seen, 0))
  // The neighbourhood prior: similarity-weighted raw rate of the nearest well-observed nouns.
  const anchors = [...headSeen.entries()]
    .filter(([, seen]) => seen >= 3)
    .flatMap(([head, seen]) => {
      const vector = vocabulary.vector(head)
      if (vector === undefined) return []
      let norm = 0
      for (const value of vector) norm += value * value
      return [{ head, rate: (headHits.get(head) ?? 0) / seen, vector: vector.map((value) => value / Math.sqrt(norm)) }]
    })
  const settingsBase = { properNounRate: round(properSeen === 0 ? 0.5 : properHits / properSeen), neighbourSimilarity: 0.6, neighbours: 8 }
  const neighbourPrior = (head: string): number => {
    const vector = vocabulary.vector(head)
    if (vector === undefined) return globalRate
    let norm = 0
    for (const value of vector) norm += value * value
    const unit = vector.map((value) => value / Math.sqrt(norm))
    const nearest = anchors
      .filter((anchor) => anchor.head !== head)
      .map((anchor) => ({ rate: anchor.rate, similarity: dot(unit, anchor.vector) }))
      .filter(({ similarity }) => similarity >= settingsBase.neighbourSimilarity)
      .sort((left, right) => right.similarity - left.similarity)
      .slice(0, settingsBase.neighbours)
    const weight = nearest.reduce((sum, { similarity }) => sum + similarity, 0)
    return weight === 0 ? globalRate : nearest.reduce((sum, { rate, similarity }) => sum + rate * similarity, 0) / weight
  }
  const heads: Record<string, [number, number]> = {}
  for (const head of [...headSeen.keys()].sort()) {
    const seen = headSeen.get(head) as number
    if (seen < 2) continue
    heads[head] = [seen, round(((headHits.get(head) ?? 0) + headSmoothing * neighbourPrior(head)) / (seen + headSmoothing))]
  }

  // Which labels the words predict.
  const wordSeen = new Map<string, number>()
  const wordLabel = new Map<string, Map<number, number>>()
  for (const sample of train) {
    const lemmas = new Set(weightedLemmas(sample.context).map(({ lemma }) => lemma))
    const present = [...new Set(sample.labels)].flatMap((label) => (labelIndex.has(label) ? [labelIndex.get(label) as number] : []))
    for (const lemma of lemmas) {
      wordSeen.set(lemma, (wordSeen.get(lemma) ?? 0) + 1)
      let counts = wordLabel.get(lemma)
      if (counts === undefined) wordLabel.set(lemma, (counts = new Map()))
      for (const label of present) counts.set(label, (counts.get(label) ?? 0) + 1)
    }
  }
  const words: Record<string, Array<[number, number]>> = {}
  for (const lemma of [...wordSeen.keys()].sort()) {
    const seen = wordSeen.get(lemma) as number
    if (seen < minimumWordDialogues) continue
    const evidence = [...(wordLabel.get(lemma) as Map<number, number>).entries()]
      .filter(([, count]) => count >= 2)
      .map(([label, count]): [number, number] => {
        const prior = priors[label] as number
        const conditional = (count + wordSmoothing * prior) / (seen + wordSmoothing)
        return [label, round((conditional - prior) / (1 - prior))]
      })
      .filter(([, value]) => value >= 0.05)
      .sort((left, right) => right[1] - left[1] || left[0] - right[0])
      .slice(0, 8)
    if (evidence.length > 0) words[lemma] = evidence
  }

  // Thresholds: the best calibration-split objective (coverage alone would reward naming every label).
  const calibration = splits.calibration.map((index) => samples[index] as DescribeSample).filter((sample) => sample.labels.length > 0 && sample.context.length > 0)
  const captions = calibration.map((sample) => sample.labels.join(', '))
  const objective = options.objective ?? ((descriptions: string[]): CalibrationFigures => ({ objective: retrievalMrr(vocabulary, descriptions, captions) }))
  const grid: Array<Record<string, number>> = []
  let best: { settings: DescribeSettings; value: number } | undefined
  const base = { format: DESCRIBE_LEXICON_FORMAT, labels, labelPriors: priors.map((prior) => round(prior, 4)), heads, words, training: {} } as const
  for (const minimumPhotographability of options.photographabilityGrid ?? [0.2, 0.3]) {
    for (const minimumLift of options.minimumLiftGrid ?? [3, 5, 8]) {
      for (const maxLabels of options.maxLabelsGrid ?? [1, 2, 3]) {
        // 1.01: never name a general label.
        for (const labelThreshold of options.labelThresholdGrid ?? [0.5, 0.6, 0.7, 1.01]) {
          const settings: DescribeSettings = { minimumPhotographability, properNounRate: settingsBase.properNounRate, minimumLift, maxLabels, labelThreshold, neighbourSimilarity: settingsBase.neighbourSimilarity, neighbours: settingsBase.neighbours }
          const model = createDescribeLexiconModel({ ...base, settings }, vocabulary)
          const descriptions = calibration.map(
            (sample) =>
              describe(sample.context, { restrictions: ['prefix'], n: 1, lexicon: model, isKnownWord, ...(sample.sharer === undefined ? {} : { speaker: sample.sharer }) })[0]?.text ?? '',
          )
          const figures = objective(descriptions, calibration)
          const value = figures.objective
          grid.push({ minimumPhotographability, minimumLift, maxLabels, labelThreshold, ...Object.fromEntries(Object.entries(figures).map(([key, figure]) => [key, round(figure, 4)])) })
          if (best === undefined || value > best.value + 1e-9) best = { settings, value }
        }
      }
    }
  }
  if (best === undefined) throw new Error('empty threshold grid')
  const lexicon: DescribeLexicon = {
    ...base,
    settings: best.settings,
    training: {
      source: options.source ?? 'unknown',
      seed: options.seed,
      dialogues: samples.length,
      splits: { train: splits.train.length, calibration: splits.calibration.length, test: splits.test.length },
      naming_similarity: namingSimilarity,
      head_smoothing: headSmoothing,
      word_smoothing: wordSmoothing,
      calibration_grid: grid,
    },
  }
  return { lexicon, splits }
}
