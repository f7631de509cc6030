/**
 * Part-of-speech tagging and lemmatisation for the embedded tier, through wink-nlp and its
 * English lite model. The pipeline is built once per process; analyses of recent texts are
 * cached because Decide ranking and Describe look at the same turns many times.
 */
import { createRequire } from 'node:module'
import type winkNLP from 'wink-nlp'
import type { ItemToken } from 'wink-nlp'

// Required on first analysis rather than imported: the model is about 100 ms of start-up and several
// MiB of heap that a service whose embedded tier only embeds (or is never called) should not pay.
const require = createRequire(import.meta.url)

export interface Token {
  /** The text as written. */
  value: string
  /** Lower-case lemma ("dogs" -> "dog", "went" -> "go"). */
  lemma: string
  /** Universal POS tag (NOUN, PROPN, ADJ, VERB, PUNCT ...). */
  pos: string
  stop: boolean
  /** A word (not punctuation, number, emoji, url ...). */
  word: boolean
}

export interface NounPhrase {
  /** The phrase as written ("golden retriever"). */
  text: string
  /** The head noun's lemma ("retriever"). */
  head: string
  /** Modifier tokens before the head (adjectives, compound nouns), lower-cased. */
  modifiers: string[]
  /** Whether any part is a proper noun (a name). */
  proper: boolean
  /** Index of the phrase's first token in the text's tokens. */
  start: number
}

export interface Analysis {
  tokens: Token[]
  phrases: NounPhrase[]
}

type Pipeline = ReturnType<typeof winkNLP>
let pipeline: Pipeline | undefined

const getPipeline = (): Pipeline => {
  // sbd and pos are what tagging needs; lemmas come from the model's lemmatiser addon.
  if (pipeline === undefined) {
    const createPipeline = require('wink-nlp') as typeof winkNLP
    pipeline = createPipeline(require('wink-eng-lite-web-model') as Parameters<typeof winkNLP>[0], ['sbd', 'pos'])
  }
  return pipeline
}

const CACHE_LIMIT = 2048
const cache = new Map<string, Analysis>()

const chunkNounPhrases = (tokens: Token[]): NounPhrase[] => {
  const phrases: NounPhrase[] = []
  let i = 0
  while (i < tokens.length) {
    // A phrase: optional adjectives/nouns/proper nouns, ending in a noun or proper noun.
    // A name right after a common noun starts a new phrase ("retriever | Max", "sister | Amy").
    let j = i
    while (
      j < tokens.length &&
      ['ADJ', 'NOUN', 'PROPN'].includes((tokens[j] as Token).pos) &&
      (tokens[j] as Token).word &&
      !(j > i && (tokens[j] as Token).pos === 'PROPN' && (tokens[j - 1] as Token).pos === 'NOUN')
    ) j++
    let end = j - 1
    while (end >= i && (tokens[end] as Token).pos === 'ADJ') end--
    if (end >= i) {
      const parts = tokens.slice(i, end + 1)
      const head = parts[parts.length - 1] as Token
      phrases.push({
        text: parts.map((token) => token.value).join(' '),
        head: head.lemma,
        modifiers: parts.slice(0, -1).map((token) => token.value.toLowerCase()),
        proper: parts.some((token) => token.pos === 'PROPN'),
        start: i,
      })
    }
    i = Math.max(j, i + 1)
  }
  return phrases
}

/** Tokens and noun phrases of one text (cached by text). */
export const analyse = (text: string): Analysis => {
  const cached = cache.get(text)
  if (cached !== undefined) return cached
  const nlp = getPipeline()
  const its = nlp.its
  const document = nlp.readDoc(text)
  const tokens: Token[] = []
  document.tokens().each((token: ItemToken) => {
    const type = token.out(its.type)
    const value = token.out(its.value)
    tokens.push({
      value,
      // The typings declare `its.lemma` with a different arity than `out` accepts; the call is fine at run time.
      lemma: String(token.out(its.lemma as unknown as Parameters<ItemToken['out']>[0])).toLowerCase(),
      pos: token.out(its.pos),
      stop: token.out(its.stopWordFlag) as unknown as boolean,
      word: type === 'word',
    })
  })
  const analysis: Analysis = { tokens, phrases: chunkNounPhrases(tokens) }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string)
  cache.set(text, analysis)
  return analysis
}

/** Forgets cached analyses (benchmarks measure uncached calls with it). */
export const clearAnalysisCache = (): void => {
  cache.clear()
}

/** Warm the pipeline (model load is ~60 ms) so the first request does not pay for it. */
export const warmTextAnalysis = (): void => {
  analyse('warm up')
}
