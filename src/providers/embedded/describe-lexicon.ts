/**
 * The embedded Describe's fitted lexicon (see describe-fitting.ts and
 * scripts/fit-embedded-describe.ts): what people photograph when a chat talks about something.
 *
 * - `heads`: per noun lemma, how often a photo shared right after a dialogue mentioning it showed
 *   that thing (its object labels named it): "puppy" high, "birthday" and "yum" low. A noun the
 *   file does not hold borrows the rate of its GloVe neighbours among the nouns it does.
 * - `words`: per lemma, the object labels a dialogue's words predict beyond their base rate
 *   ("puppy" -> Dog, Mammal; "bake" -> Baked goods). Combined over a dialogue by a leaky noisy-or.
 * - `settings`: the thresholds the fit chose on its calibration split.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { projectRoot } from '../../config.js'
import { DriberError } from '../../errors.js'
import type { GloveVocabulary } from './glove-vocabulary.js'

export const DESCRIBE_LEXICON_FORMAT = 'driber-embedded-describe/1'

export interface DescribeSettings {
  /** A phrase is described only when its head's photographed rate reaches this. */
  minimumPhotographability: number
  /** The rate given to proper-noun heads (names): labels cannot name them, the fit measures it apart. */
  properNounRate: number
  /**
   * Specific labels: written into a description when the dialogue makes them at least this many
   * times likelier than their base rate ("Waffle" after "waffles and whipped cream"); they are what
   * tells one photo from another.
   */
  minimumLift: number
  /** At most this many specific labels per description (before the concise/detailed adjustment). */
  maxLabels: number
  /** The one general label (the likeliest: "Dessert", "Man") is written when its probability reaches this. */
  labelThreshold: number
  /** Unknown nouns and words borrow from fitted ones at least this close in GloVe (cosine). */
  neighbourSimilarity: number
  /** How many fitted neighbours an unknown noun's rate is averaged over. */
  neighbours: number
}

export interface DescribeLexicon {
  format: typeof DESCRIBE_LEXICON_FORMAT
  settings: DescribeSettings
  /** Object labels as PhotoChat writes them ("Baked goods"), with their base rate among shared photos. */
  labels: string[]
  labelPriors: number[]
  /** Noun lemma -> [dialogues it appeared in, smoothed photographed rate]. */
  heads: Record<string, [number, number]>
  /** Lemma -> [[label index, evidence in (0, 1]], ...], strongest first. */
  words: Record<string, Array<[number, number]>>
  /** How it was fitted and what it scored on held-out dialogues. */
  training: Record<string, unknown>
}

export const defaultDescribeLexiconPath = (): string => path.join(projectRoot, 'data', 'embedded', 'describe-lexicon.json')

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

/** Checks a parsed lexicon's shape; throws INTERNAL naming the file when it is not one. */
export const checkDescribeLexicon = (value: unknown, file: string): DescribeLexicon => {
  const fail = (problem: string): never => {
    throw new DriberError('INTERNAL', { message: `${file} is not a driber Describe lexicon (${problem}; refit with scripts/fit-embedded-describe.ts)` })
  }
  if (typeof value !== 'object' || value === null) return fail('not an object')
  const lexicon = value as Partial<DescribeLexicon>
  if (lexicon.format !== DESCRIBE_LEXICON_FORMAT) return fail(`format is not ${DESCRIBE_LEXICON_FORMAT}`)
  const settings = lexicon.settings as Partial<DescribeSettings> | undefined
  const keys: Array<keyof DescribeSettings> = ['minimumPhotographability', 'properNounRate', 'minimumLift', 'maxLabels', 'labelThreshold', 'neighbourSimilarity', 'neighbours']
  if (settings === undefined || keys.some((key) => !isNumber(settings[key]))) return fail('settings are incomplete')
  if (!Array.isArray(lexicon.labels) || !Array.isArray(lexicon.labelPriors) || lexicon.labels.length !== lexicon.labelPriors.length) return fail('labels and labelPriors differ')
  if (typeof lexicon.heads !== 'object' || lexicon.heads === null || typeof lexicon.words !== 'object' || lexicon.words === null) return fail('heads or words missing')
  const labelCount = lexicon.labels.length
  for (const [word, pairs] of Object.entries(lexicon.words)) {
    if (!Array.isArray(pairs) || pairs.some((pair) => !Array.isArray(pair) || !Number.isInteger(pair[0]) || pair[0] < 0 || pair[0] >= labelCount || !isNumber(pair[1]))) {
      return fail(`word "${word}" has a bad label list`)
    }
  }
  return lexicon as DescribeLexicon
}

export const readDescribeLexicon = (file: string): DescribeLexicon => {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new DriberError('INTERNAL', { message: `Cannot read the Describe lexicon ${file}`, cause: error })
  }
  return checkDescribeLexicon(parsed, file)
}

/** A lemma of the dialogue with how much it counts (recency, who said it). */
export interface WeightedLemma {
  lemma: string
  weight: number
}

export interface PredictedLabel {
  label: string
  /** P(the label is in the photo), from the base rate and the words' evidence. */
  score: number
  /** score / base rate: how much the dialogue raised it. */
  lift: number
}

export type HeadKind = 'noun' | 'name' | 'capitalised'

export interface DescribeLexiconModel {
  readonly lexicon: DescribeLexicon
  /**
   * How often a thing named by this noun lemma is what the shared photo shows, in [0, 1]. `kind`
   * says how the tagger read it: a common noun, a name, or a capitalised first word of a sentence
   * that may be either ("Lucky you!").
   */
  photographability(head: string, kind: HeadKind): number
  /** Object labels the weighted lemmas predict, best first (only labels with some evidence). */
  predictLabels(lemmas: readonly WeightedLemma[]): PredictedLabel[]
  /** GloVe cosine of two lower-case words (0 when either is unknown or there is no vocabulary). */
  relatedness(word: string, other: string): number
}

const cosine = (left: Float32Array, right: Float32Array): number => {
  let dot = 0
  let leftNorm = 0
  let rightNorm = 0
  for (let i = 0; i < left.length; i++) {
    dot += (left[i] as number) * (right[i] as number)
    leftNorm += (left[i] as number) ** 2
    rightNorm += (right[i] as number) ** 2
  }
  return leftNorm === 0 || rightNorm === 0 ? 0 : dot / Math.sqrt(leftNorm * rightNorm)
}

const CACHE_LIMIT = 4096

/** Bounded memo: unknown words are looked up by neighbourhood once per process, not per request. */
const memo = <T>(compute: (key: string) => T): ((key: string) => T) => {
  const cache = new Map<string, T>()
  return (key) => {
    const hit = cache.get(key)
    if (hit !== undefined || cache.has(key)) return hit as T
    const value = compute(key)
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string)
    cache.set(key, value)
    return value
  }
}

/** The run-time model over a lexicon; `vocabulary` gives unknown words their GloVe neighbours. */
export const createDescribeLexiconModel = (lexicon: DescribeLexicon, vocabulary?: GloveVocabulary): DescribeLexiconModel => {
  const { settings } = lexicon
  const meanRate = (() => {
    const entries = Object.values(lexicon.heads)
    const total = entries.reduce((sum, [count]) => sum + count, 0)
    return total === 0 ? 0.5 : entries.reduce((sum, [count, rate]) => sum + count * rate, 0) / total
  })()
  // Vectors of the fitted nouns and words, built once, for the neighbourhood of unknown ones.
  const vectorsOf = (keys: string[]): Array<{ key: string; vector: Float32Array }> =>
    vocabulary === undefined ? [] : keys.flatMap((key) => {
      const vector = vocabulary.vector(key)
      return vector === undefined ? [] : [{ key, vector }]
    })
  let headVectors: Array<{ key: string; vector: Float32Array }> | undefined
  let wordVectors: Array<{ key: string; vector: Float32Array }> | undefined

  const nearest = (word: string, pool: Array<{ key: string; vector: Float32Array }>, count: number): Array<{ key: string; similarity: number }> => {
    const vector = vocabulary?.vector(word)
    if (vector === undefined) return []
    return pool
      .map(({ key, vector: other }) => ({ key, similarity: cosine(vector, other) }))
      .filter(({ similarity }) => similarity >= settings.neighbourSimilarity)
      .sort((left, right) => right.similarity - left.similarity || left.key.localeCompare(right.key))
      .slice(0, count)
  }

  // A noun with no fitted neighbour gets the average rate: rare specific nouns are often the subject.
  const unknownHeadRate = memo((head: string): number => {
    headVectors ??= vectorsOf(Object.keys(lexicon.heads))
    const neighbours = nearest(head, headVectors, settings.neighbours)
    if (neighbours.length === 0) return meanRate
    const weight = neighbours.reduce((sum, { similarity }) => sum + similarity, 0)
    return neighbours.reduce((sum, { key, similarity }) => sum + similarity * (lexicon.heads[key] as [number, number])[1], 0) / weight
  })

  // An unknown word borrows its closest fitted word's evidence, discounted by how close it is.
  const evidenceOf = memo((lemma: string): Array<[number, number]> => {
    const known = lexicon.words[lemma]
    if (known !== undefined) return known
    wordVectors ??= vectorsOf(Object.keys(lexicon.words))
    const [closest] = nearest(lemma, wordVectors, 1)
    if (closest === undefined) return []
    return (lexicon.words[closest.key] as Array<[number, number]>).map(([label, evidence]) => [label, evidence * closest.similarity])
  })

  return {
    lexicon,
    photographability: (head, kind) => {
      const entry = lexicon.heads[head]
      if (entry !== undefined) return entry[1]
      // A capitalised first word the fit never saw is far more often an interjection ("Jealous!",
      // "Lucky you!") than a thing, and its GloVe neighbours cannot tell: it is not described.
      if (kind === 'capitalised') return 0
      return kind === 'name' ? settings.properNounRate : unknownHeadRate(head)
    },
    predictLabels: (lemmas) => {
      // Leaky noisy-or: each word independently "adds" the label with its evidence; the base rate leaks through.
      const strongest = new Map<string, number>()
      for (const { lemma, weight } of lemmas) strongest.set(lemma, Math.max(weight, strongest.get(lemma) ?? 0))
      const missing = new Map<number, number>()
      for (const [lemma, weight] of strongest) {
        for (const [label, evidence] of evidenceOf(lemma)) missing.set(label, (missing.get(label) ?? 1) * (1 - Math.min(1, weight) * evidence))
      }
      return [...missing.entries()]
        .map(([label, absent]) => {
          const prior = lexicon.labelPriors[label] as number
          const score = 1 - (1 - prior) * absent
          return { label: lexicon.labels[label] as string, score, lift: score / Math.max(prior, 1e-6) }
        })
        .sort((left, right) => right.score - left.score || left.label.localeCompare(right.label))
    },
    relatedness: (word, other) => {
      if (word === other) return 1
      const left = vocabulary?.vector(word)
      const right = vocabulary?.vector(other)
      return left === undefined || right === undefined ? 0 : cosine(left, right)
    },
  }
}

/** Serialises a lexicon as stable, diff-friendly JSON: settings first, one noun or word per line. */
export const formatDescribeLexicon = (lexicon: DescribeLexicon): string => {
  const entries = (record: Record<string, unknown>): string =>
    Object.keys(record).length === 0 ? '{}' : `{\n${Object.entries(record).map(([key, value]) => `    ${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(',\n')}\n  }`
  const ordered: Array<[string, string]> = [
    ['format', JSON.stringify(lexicon.format)],
    ['settings', JSON.stringify(lexicon.settings)],
    ['training', JSON.stringify(lexicon.training)],
    ['labels', JSON.stringify(lexicon.labels)],
    ['labelPriors', JSON.stringify(lexicon.labelPriors)],
    ['heads', entries(lexicon.heads)],
    ['words', entries(lexicon.words)],
  ]
  return `{\n${ordered.map(([key, value]) => `  ${JSON.stringify(key)}: ${value}`).join(',\n')}\n}\n`
}
