/**
 * The embedded Describe: extractive. It collects noun phrases from the turns before the share,
 * weighs them (recent turns, the sharer's own turns, things one can photograph, more specific
 * phrases), and composes `n` distinct descriptions that obey the requested restrictions.
 */
import type { Dialogue, Description, Restriction } from '../../core/types.js'
import { genericTerm } from './hypernyms.js'
import { MASS_NOUNS, NON_VISUAL_MODIFIERS, PHOTO_WORDS, SLANG, VAGUE_NOUNS, VISUAL_OBJECTS } from './lexicon.js'
import { analyse } from './text-analysis.js'

export interface DescribeOptions {
  restrictions: Restriction[]
  n: number
  speaker?: string
  isKnownWord?: (word: string) => boolean
}

/** A candidate phrase after weighting. */
export interface SalientPhrase {
  /** How it reads in a description, without article ("golden retriever", "Max"). */
  text: string
  head: string
  proper: boolean
  plural: boolean
  score: number
}

const RECENCY = 0.85

const WORD = /^[A-Za-z][A-Za-z-]*$/

export interface SalientOptions {
  generic: boolean
  speaker?: string
  /** Whether a lower-case word is a real word (the GloVe vocabulary): filters typos and chat slang. */
  isKnownWord?: (word: string) => boolean
}

/** Salient noun phrases of a dialogue, best first; `generic` maps them to everyday kinds. */
export const salientPhrases = (dialogue: Dialogue, options: SalientOptions): SalientPhrase[] => {
  const merged = new Map<string, SalientPhrase>()
  const last = dialogue.length - 1
  const known = options.isKnownWord ?? (() => true)
  dialogue.forEach((turn, index) => {
    const analysis = analyse(turn.text)
    for (const phrase of analysis.phrases) {
      const headToken = analysis.tokens[phrase.start + phrase.modifiers.length]
      if (headToken === undefined) continue
      const head = phrase.head
      if (head.length < 3 || !WORD.test(headToken.value) || VAGUE_NOUNS.has(head) || SLANG.has(head) || PHOTO_WORDS.has(head) || headToken.stop) continue
      if (!known(headToken.value.toLowerCase()) && !known(head)) continue
      const plural = headToken.value.toLowerCase() !== head && headToken.pos === 'NOUN' && /s$/i.test(headToken.value)
      // Modifiers worth keeping: real words that say what the thing looks like, not how the speaker feels about it.
      const modifierTokens = analysis.tokens
        .slice(phrase.start, phrase.start + phrase.modifiers.length)
        .filter((token) => WORD.test(token.value) && !NON_VISUAL_MODIFIERS.has(token.lemma) && !SLANG.has(token.lemma) && !token.stop && known(token.value.toLowerCase()))
      let text: string
      let proper = phrase.proper
      if (options.generic) {
        // Names and brands say too much for a generic picture: drop proper nouns and modifiers.
        if (headToken.pos === 'PROPN') continue
        const kind = genericTerm(head)
        text = plural && kind === head ? headToken.value.toLowerCase() : kind
        proper = false
      } else {
        text = [...modifierTokens, headToken].map((token) => (token.pos === 'PROPN' ? token.value : token.value.toLowerCase())).join(' ')
        proper = [...modifierTokens, headToken].some((token) => token.pos === 'PROPN')
      }
      const visual = VISUAL_OBJECTS.has(head) || VISUAL_OBJECTS.has(genericTerm(head))
      let score = RECENCY ** (last - index) * (visual ? 2 : 1) * (1 + 0.25 * Math.min(2, modifierTokens.length))
      if (options.speaker !== undefined && turn.speaker === options.speaker) score *= 1.3
      const key = text.toLowerCase()
      const existing = merged.get(key)
      if (existing === undefined) merged.set(key, { text, head, proper, plural, score })
      else existing.score += score
    }
  })
  // Drop a phrase when a longer kept phrase ends with it ("retriever" inside "golden retriever").
  const phrases = [...merged.values()].sort((left, right) => right.score - left.score || left.text.localeCompare(right.text))
  return phrases.filter((phrase) => !phrases.some((other) => other !== phrase && other.text.length > phrase.text.length && other.text.toLowerCase().endsWith(` ${phrase.text.toLowerCase()}`) && other.score >= phrase.score * 0.5))
}

const withArticle = (phrase: SalientPhrase): string => {
  if (phrase.proper || phrase.plural) return phrase.text
  // Mass nouns read without an article, but keep their modifiers ("fresh bread").
  if (MASS_NOUNS.has(phrase.head) && phrase.text.toLowerCase().endsWith(phrase.head)) return phrase.text
  return `${/^[aeiou]/i.test(phrase.text) ? 'an' : 'a'} ${phrase.text}`
}

const joinList = (items: string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : items.length === 2 ? `${items[0]} and ${items[1]}` : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`

/** Extra framings used only when the phrases alone cannot make `n` distinct descriptions. */
const FRAMINGS = ['', ' in a casual snapshot', ', photographed up close', ' in natural light', ', seen from a little distance', ' in a candid moment', ', framed in the centre', ' on a bright day']

const FALLBACK: SalientPhrase = { text: 'everyday scene', head: 'scene', proper: false, plural: false, score: 0 }

/** Composes exactly `n` distinct descriptions under the restrictions. */
export const describe = (dialogue: Dialogue, options: DescribeOptions): Description[] => {
  const restrictions = new Set(options.restrictions)
  const generic = restrictions.has('generic')
  const concise = restrictions.has('concise')
  const detailed = restrictions.has('detailed')
  const found = salientPhrases(dialogue, {
    generic,
    ...(options.speaker === undefined ? {} : { speaker: options.speaker }),
    ...(options.isKnownWord === undefined ? {} : { isKnownWord: options.isKnownWord }),
  })
  const phrases = found.length > 0 ? found : [FALLBACK]
  const perDescription = concise ? Math.min(2, phrases.length) : detailed ? Math.min(5, phrases.length) : Math.min(3, phrases.length)
  const descriptions: Description[] = []
  const seen = new Set<string>()
  for (let attempt = 0; descriptions.length < options.n && attempt < options.n * FRAMINGS.length * 2; attempt++) {
    // Variant k leads with the k-th best phrase, then the best others; framings only after the phrases run out.
    const lead = attempt % phrases.length
    const framing = FRAMINGS[Math.floor(attempt / phrases.length) % FRAMINGS.length] as string
    const chosen = [phrases[lead] as SalientPhrase, ...phrases.filter((_, index) => index !== lead)].slice(0, perDescription)
    const [main, ...rest] = chosen.map(withArticle)
    let body: string
    if (detailed) {
      body = rest.length > 0 ? `${main}${framing}, with ${joinList(rest)} also in the picture` : `${main}${framing}, shown clearly as the main subject`
    } else {
      body = `${joinList([main as string, ...rest])}${framing}`
    }
    const text = restrictions.has('prefix') ? `An image of ${body}.` : `${body.charAt(0).toUpperCase()}${body.slice(1)}.`
    if (seen.has(text)) continue
    seen.add(text)
    descriptions.push({ text, salient: chosen.map((phrase) => phrase.text) })
  }
  return descriptions
}
