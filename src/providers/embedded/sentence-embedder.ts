/**
 * Text -> one 100-d unit vector: lemmatised words, stop words dropped, each word's GloVe vector
 * weighted by how rare the word is, averaged and normalised. Rarity comes from the word's GloVe
 * frequency rank (Zipf: frequency ~ 1/rank, so log(rank) behaves like an inverse document
 * frequency), which needs no corpus of our own.
 */
import type { GloveVocabulary } from './glove-vocabulary.js'
import { analyse } from './text-analysis.js'

/** Ranks below this are the most common words; they weigh the floor weight. */
const COMMON_RANK = 50
const MINIMUM_WEIGHT = 0.5

/** IDF-like weight of a word from its frequency rank (0 = most frequent). */
export const rarityWeight = (rank: number): number => Math.max(MINIMUM_WEIGHT, Math.log((rank + 1) / COMMON_RANK))

/** The content words of a text, lower-cased lemmas with stop words and punctuation dropped. */
export const contentLemmas = (text: string): string[] =>
  analyse(text)
    .tokens.filter((token) => token.word && !token.stop)
    .map((token) => token.lemma)

/**
 * Accumulates the rarity-weighted vectors of `text`'s content words into `target` (not normalised).
 * A lemma GloVe does not know falls back to the lower-cased surface form. Returns the words used.
 */
export const accumulateText = (vocabulary: GloveVocabulary, text: string, target: Float32Array, scale = 1): number => {
  let used = 0
  for (const token of analyse(text).tokens) {
    if (!token.word || token.stop) continue
    for (const candidate of [token.lemma, token.value.toLowerCase()]) {
      const rank = vocabulary.rank(candidate)
      if (rank === undefined) continue
      vocabulary.addTo(target, candidate, scale * rarityWeight(rank))
      used++
      break
    }
  }
  return used
}

/** Scales a vector to unit length in place (a zero vector stays zero). */
export const normalise = (vector: Float32Array): Float32Array => {
  let norm = 0
  for (const value of vector) norm += value * value
  if (norm > 0) {
    const inverse = 1 / Math.sqrt(norm)
    for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) * inverse
  }
  return vector
}

/** One unit vector for a text; the zero vector when no word of it is known. */
export const embedSentence = (vocabulary: GloveVocabulary, text: string): Float32Array => {
  const vector = new Float32Array(vocabulary.dimension)
  accumulateText(vocabulary, text, vector)
  return normalise(vector)
}

/** Cosine of two unit vectors. */
export const dot = (left: Float32Array, right: Float32Array): number => {
  let sum = 0
  for (let i = 0; i < left.length; i++) sum += (left[i] as number) * (right[i] as number)
  return sum
}
