/**
 * Describe metrics: how much of the gold photo's object list a description mentions (after
 * lemmatising both, so "dogs" covers "Dog"), and distinct-n, the share of unique n-grams across
 * all descriptions (low when a model repeats itself).
 */

/** A lemmatiser: text -> lower-case lemmas of its words. */
export type Lemmatise = (text: string) => string[]

/**
 * Fraction of gold labels a description covers. A label counts when every lemma of it appears
 * among the description's lemmas ("Ice cream" needs both "ice" and "cream").
 */
export const labelCoverage = (descriptionLemmas: ReadonlySet<string>, goldLabels: readonly string[], lemmatise: Lemmatise): number => {
  const labels = goldLabels.map((label) => lemmatise(label)).filter((lemmas) => lemmas.length > 0)
  if (labels.length === 0) return 0
  return labels.filter((lemmas) => lemmas.every((lemma) => descriptionLemmas.has(lemma))).length / labels.length
}

/** Lower-case word tokens (letters, digits, apostrophes), for n-gram counting. */
export const words = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []

/** Unique n-grams / all n-grams over the texts (0 when there are none). */
export const distinctN = (texts: readonly string[], n: number): number => {
  if (n < 1) throw new RangeError('n must be at least 1')
  const seen = new Set<string>()
  let total = 0
  for (const text of texts) {
    const tokens = words(text)
    for (let i = 0; i + n <= tokens.length; i++) {
      seen.add(tokens.slice(i, i + n).join(' '))
      total++
    }
  }
  return total === 0 ? 0 : seen.size / total
}
