/**
 * The embedded Describe: extractive, steered by a lexicon fitted on shared photos
 * (describe-lexicon.ts). It collects noun phrases from the turns before the share, keeps those
 * whose head nouns people actually photograph ("golden retriever puppy", not "mom birthday" or
 * "Yum"), weighs them (recent turns, the sharer's own turns, more specific phrases), names the
 * objects the dialogue predicts the photo shows ("a dog"), and composes `n` distinct descriptions
 * that obey the requested restrictions.
 */
import type { Dialogue, Description, Restriction } from '../../core/types.js'
import type { DescribeLexiconModel, HeadKind, WeightedLemma } from './describe-lexicon.js'
import { genericTerm } from './hypernyms.js'
import { MASS_NOUNS, NON_VISUAL_MODIFIERS, PHOTO_WORDS, SLANG, VAGUE_NOUNS } from './lexicon.js'
import { analyse, type Token } from './text-analysis.js'

export interface DescribeOptions {
  restrictions: Restriction[]
  n: number
  speaker?: string
  lexicon: DescribeLexiconModel
  isKnownWord?: (word: string) => boolean
}

/** A noun phrase of the dialogue before any weighting: what the fit and the describer both read. */
export interface CandidatePhrase {
  turn: number
  speaker: string
  /** Head-noun lemma ("puppy"). */
  head: string
  headToken: Token
  /** Modifiers worth keeping (real words that say what the thing looks like). */
  modifierTokens: Token[]
  /** Whether the head is a name ("Max", "Paris"). */
  headProper: boolean
  /** How the lexicon should read the head: a capitalised first word of a sentence may not be a name ("Yum!"). */
  headKind: HeadKind
  plural: boolean
}

/** A candidate phrase after weighting. */
export interface SalientPhrase {
  /** How it reads in a description, without article ("golden retriever puppy", "Max"). */
  text: string
  head: string
  proper: boolean
  plural: boolean
  score: number
}

const RECENCY = 0.85
/** The sharer talks about what they will show; the other person's words count a little less. */
const SHARER_WEIGHT = 1.3
const OTHER_WEIGHT = 0.8

const WORD = /^[A-Za-z][A-Za-z-]*$/

/** Adverbs the tagger chunks onto a noun ("on the couch right now" -> "couch right"). */
const TRAILING_ADVERBS = new Set(['right', 'now', 'there', 'here', 'too', 'again', 'though', 'tho', 'anyway', 'lately'])

const SENTENCE_END = new Set(['.', '!', '?'])

/** The noun phrases of a dialogue that could name a photo's subject (chat filler and typos left out). */
export const candidatePhrases = (dialogue: Dialogue, isKnownWord: (word: string) => boolean = () => true): CandidatePhrase[] => {
  const candidates: CandidatePhrase[] = []
  dialogue.forEach((turn, index) => {
    const analysis = analyse(turn.text)
    for (const phrase of analysis.phrases) {
      // The tagger reads time words as nouns and chunks them on ("golden retriever puppy yesterday"):
      // trailing vague words are not the head, the noun before them is.
      const parts = analysis.tokens.slice(phrase.start, phrase.start + phrase.modifiers.length + 1)
      while (parts.length > 1 && (VAGUE_NOUNS.has((parts[parts.length - 1] as Token).lemma) || TRAILING_ADVERBS.has((parts[parts.length - 1] as Token).lemma))) parts.pop()
      const headToken = parts.pop()
      if (headToken === undefined) continue
      const head = headToken.lemma
      if (head.length < 3 || !WORD.test(headToken.value) || VAGUE_NOUNS.has(head) || SLANG.has(head) || PHOTO_WORDS.has(head) || headToken.stop) continue
      if (!isKnownWord(headToken.value.toLowerCase()) && !isKnownWord(head)) continue
      // Modifiers worth keeping: real words that say what the thing looks like, not how the speaker feels about it.
      const modifierTokens = parts.filter(
        (token) => WORD.test(token.value) && !NON_VISUAL_MODIFIERS.has(token.lemma) && !SLANG.has(token.lemma) && !token.stop && isKnownWord(token.value.toLowerCase()),
      )
      // A capital at the start of a sentence says nothing about being a name ("Yum!", "Lucky you!").
      const previous = analysis.tokens[phrase.start - 1]
      const sentenceStart = parts.length === 0 && (previous === undefined || SENTENCE_END.has(previous.value))
      candidates.push({
        turn: index,
        speaker: turn.speaker,
        head,
        headToken,
        modifierTokens,
        headProper: headToken.pos === 'PROPN',
        headKind: headToken.pos !== 'PROPN' ? 'noun' : sentenceStart ? 'capitalised' : 'name',
        plural: headToken.value.toLowerCase() !== head && headToken.pos === 'NOUN' && /s$/i.test(headToken.value),
      })
    }
  })
  return candidates
}

/** The content lemmas of a dialogue, weighted by recency and by who said them (for label prediction). */
export const weightedLemmas = (dialogue: Dialogue, speaker?: string): WeightedLemma[] => {
  const last = dialogue.length - 1
  return dialogue.flatMap((turn, index) => {
    const weight = RECENCY ** (last - index) * (speaker === undefined || turn.speaker === speaker ? 1 : OTHER_WEIGHT)
    return analyse(turn.text)
      .tokens.filter((token) => token.word && !token.stop && WORD.test(token.value))
      .map((token) => ({ lemma: token.lemma, weight }))
  })
}

export interface SalientOptions {
  generic: boolean
  speaker?: string
  lexicon: DescribeLexiconModel
  /** Whether a lower-case word is a real word (the GloVe vocabulary): filters typos and chat slang. */
  isKnownWord?: (word: string) => boolean
}

/** Salient noun phrases of a dialogue that people photograph, best first; `generic` maps them to everyday kinds. */
export const salientPhrases = (dialogue: Dialogue, options: SalientOptions): SalientPhrase[] => {
  const merged = new Map<string, SalientPhrase>()
  const last = dialogue.length - 1
  const minimum = options.lexicon.lexicon.settings.minimumPhotographability
  for (const candidate of candidatePhrases(dialogue, options.isKnownWord)) {
    const { headToken, head, modifierTokens, plural } = candidate
    const photographed = options.lexicon.photographability(head, candidate.headKind)
    if (photographed < minimum) continue
    let text: string
    let proper: boolean
    if (options.generic) {
      // Names and brands say too much for a generic picture: drop proper nouns and modifiers.
      if (candidate.headProper) continue
      const kind = genericTerm(head)
      text = plural && kind === head ? headToken.value.toLowerCase() : kind
      proper = false
    } else {
      text = [...modifierTokens, headToken].map((token) => (token.pos === 'PROPN' ? token.value : token.value.toLowerCase())).join(' ')
      proper = [...modifierTokens, headToken].some((token) => token.pos === 'PROPN')
    }
    let score = RECENCY ** (last - candidate.turn) * photographed * (1 + 0.25 * Math.min(2, modifierTokens.length))
    if (options.speaker !== undefined) score *= candidate.speaker === options.speaker ? SHARER_WEIGHT : OTHER_WEIGHT
    const key = text.toLowerCase()
    const existing = merged.get(key)
    if (existing === undefined) merged.set(key, { text, head, proper, plural, score })
    else existing.score += score
  }
  // Drop a phrase when a longer kept phrase ends with it ("retriever" inside "golden retriever").
  const phrases = [...merged.values()].sort((left, right) => right.score - left.score || left.text.localeCompare(right.text))
  return phrases.filter((phrase) => !phrases.some((other) => other !== phrase && other.text.length > phrase.text.length && other.text.toLowerCase().endsWith(` ${phrase.text.toLowerCase()}`) && other.score >= phrase.score * 0.5))
}

const article = (text: string): string => `${/^[aeiou]/i.test(text) ? 'an' : 'a'} ${text}`

const withArticle = (phrase: SalientPhrase): string => {
  if (phrase.proper || phrase.plural) return phrase.text
  // Mass nouns read without an article, but keep their modifiers ("fresh bread").
  if (MASS_NOUNS.has(phrase.head) && phrase.text.toLowerCase().endsWith(phrase.head)) return phrase.text
  return article(phrase.text)
}

/** An object label as a phrase: "Dog" -> "a dog", "Baked goods" -> "baked goods", "Clothing" -> "clothing". */
export const labelPhrase = (label: string): string => {
  const text = label.toLowerCase()
  const last = text.split(' ').pop() as string
  return MASS_NOUNS.has(last) || /[^s]s$/.test(last) ? text : article(text)
}

const joinList = (items: string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : items.length === 2 ? `${items[0]} and ${items[1]}` : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`

/** Extra framings used only when the phrases alone cannot make `n` distinct descriptions. */
const FRAMINGS = ['', ' in a casual snapshot', ', photographed up close', ' in natural light', ', seen from a little distance', ' in a candid moment', ', framed in the centre', ' on a bright day']

/** A specific label still has to be plausible, not only raised from a tiny base rate. */
const MINIMUM_SPECIFIC_SCORE = 0.2

const FALLBACK: SalientPhrase = { text: 'everyday scene', head: 'scene', proper: false, plural: false, score: 0 }

/** Lower-case words of a text, for "does the description already name this label". */
const wordsOf = (text: string): string[] => analyse(text).tokens.filter((token) => token.word).map((token) => token.lemma)

/** A label a dialogue predicts, ready to write. */
export interface NamedLabel {
  label: string
  /** Specific (raised well above its base rate) or the one general label. */
  kind: 'specific' | 'general'
}

/**
 * Predicted object labels worth writing down, not already named by the phrases ("Cake" is in
 * "chocolate cake"): the specific ones the dialogue made much likelier, most raised first, then the
 * likeliest label of the subject itself when it is probable enough ("Dessert", "Man").
 */
export const labelsToName = (dialogue: Dialogue, lexicon: DescribeLexiconModel, phrases: readonly SalientPhrase[], speaker?: string): NamedLabel[] => {
  const named = new Set(phrases.flatMap((phrase) => wordsOf(phrase.text)))
  const { minimumLift, maxLabels, labelThreshold } = lexicon.lexicon.settings
  const fresh = lexicon.predictLabels(weightedLemmas(dialogue, speaker)).filter(({ label }) => !wordsOf(label).every((word) => named.has(word)))
  const specific = fresh
    .filter(({ lift, score }) => lift >= minimumLift && score >= MINIMUM_SPECIFIC_SCORE)
    .sort((left, right) => right.lift - left.lift || left.label.localeCompare(right.label))
    .slice(0, maxLabels)
    .map(({ label }): NamedLabel => ({ label, kind: 'specific' }))
  // The general label must follow from the subject itself (its words, at full weight), not from
  // the chat around it: "face" for a puppy only because someone said "yesterday" reads as nonsense.
  const subject = phrases.flatMap((phrase) => wordsOf(phrase.text)).map((lemma) => ({ lemma, weight: 1 }))
  const general = lexicon
    .predictLabels(subject)
    .filter(({ label }) => !wordsOf(label).every((word) => named.has(word)))
    .find(({ score, label }) => score >= labelThreshold && !specific.some((chosen) => chosen.label === label))
  return general === undefined ? specific : [...specific, { label: general.label, kind: 'general' }]
}

/** Composes exactly `n` distinct descriptions under the restrictions. */
export const describe = (dialogue: Dialogue, options: DescribeOptions): Description[] => {
  const restrictions = new Set(options.restrictions)
  const generic = restrictions.has('generic')
  const concise = restrictions.has('concise')
  const detailed = restrictions.has('detailed')
  const found = salientPhrases(dialogue, {
    generic,
    lexicon: options.lexicon,
    ...(options.speaker === undefined ? {} : { speaker: options.speaker }),
    ...(options.isKnownWord === undefined ? {} : { isKnownWord: options.isKnownWord }),
  })
  const perDescription = concise ? 1 : detailed ? 5 : 3
  const named = labelsToName(dialogue, options.lexicon, found.slice(0, perDescription), options.speaker)
  // Concise keeps the most telling label only; detailed names them all. Generic asks for everyday
  // words: the specific labels are the dataset's narrow classes ("carnivore"), which also pull
  // Retrieve towards every other member of the class (a dog's "carnivore" finds cats), so only the
  // subject's likeliest kind is written.
  const fitting = generic ? named.filter(({ kind }) => kind === 'general') : named
  const labels = (concise ? fitting.slice(0, 1) : fitting).map(({ label }) => label)
  // With no phrase worth photographing, the predicted objects are the subject ("a waffle and a dessert").
  const phrases: SalientPhrase[] =
    found.length > 0
      ? found
      : labels.length > 0
        ? labels.map((label) => ({ text: labelPhrase(label), head: label.toLowerCase(), proper: true, plural: false, score: 0 }))
        : [FALLBACK]
  const extra = found.length > 0 ? labels : []
  const descriptions: Description[] = []
  const seen = new Set<string>()
  for (let attempt = 0; descriptions.length < options.n && attempt < options.n * FRAMINGS.length * 2; attempt++) {
    // Variant k leads with the k-th best phrase, then the best others; framings only after the phrases run out.
    const lead = attempt % phrases.length
    const framing = FRAMINGS[Math.floor(attempt / phrases.length) % FRAMINGS.length] as string
    const chosen = [phrases[lead] as SalientPhrase, ...phrases.filter((_, index) => index !== lead)].slice(0, perDescription)
    const [main, ...rest] = chosen.map(withArticle)
    const shown = extra.map((label) => label.toLowerCase())
    let body: string
    if (detailed) {
      body = rest.length > 0 ? `${main}${framing}, with ${joinList(rest)} also in the picture` : `${main}${framing}, shown clearly as the main subject`
      if (shown.length > 0) body += `. What it likely shows: ${shown.join(', ')}`
    } else {
      body = `${joinList([main as string, ...rest])}${framing}`
      // The predicted objects read as tags, as a photo's labels do ("(carnivore, animal)"): they
      // may be the subject's kinds or things around it, and a tag list claims neither.
      if (shown.length > 0) body += ` (${shown.join(', ')})`
    }
    const text = restrictions.has('prefix') ? `An image of ${body}.` : `${body.charAt(0).toUpperCase()}${body.slice(1)}.`
    if (seen.has(text)) continue
    seen.add(text)
    descriptions.push({ text, salient: [...chosen.map((phrase) => phrase.text.replace(/^an? /, '')), ...extra.map((label) => label.toLowerCase())].slice(0, 5) })
  }
  return descriptions
}
