/**
 * The embedded Describe: extractive, steered by a lexicon fitted on shared photos
 * (describe-lexicon.ts). It collects noun phrases from the turns before the share, keeps those
 * whose head nouns people actually photograph ("golden retriever puppy", not "mom birthday" or
 * "Yum"), weighs them (recent turns, the sharer's own turns, more specific phrases), names the
 * objects the dialogue predicts the photo shows ("a dog"), and composes `n` distinct descriptions
 * that obey the requested restrictions.
 */
import type { Dialogue, Description, Restriction } from '../../core/types.js'
import type { DescribeLexiconModel, HeadKind, PredictedLabel, WeightedLemma } from './describe-lexicon.js'
import { genericTerm, HYPERNYMS } from './hypernyms.js'
import { BROAD_LABELS, CLASS_LABELS, MASS_NOUNS, NON_VISUAL_MODIFIERS, PHOTO_WORDS, SLANG, VAGUE_NOUNS } from './lexicon.js'
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
      text = plural ? (kind === head ? headToken.value.toLowerCase() : pluralLabel(kind)) : kind
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

/**
 * A predicted label is written only when it is this GloVe-close to the kept phrase it belongs to
 * ("puppy" and "dog" 0.72, "cake" and "dessert" 0.77; "turtle" and "bottle" 0.21, "croissant" and
 * "snack" 0.34): a label the chat around the subject raised ("crystal clear" -> "wine glass") is not
 * in the photo of that subject.
 */
const RELATED = 0.5

/** Everyday kinds of the hypernym map ("dog", "cat", "man"): a phrase of one kind is not another. */
const KINDS = new Set(Object.values(HYPERNYMS))
const PEOPLE = new Set(['man', 'woman', 'boy', 'girl', 'child', 'baby', 'person', 'people'])

/** A label a dialogue predicts, ready to write. */
export interface NamedLabel {
  label: string
  /** Specific (raised well above its base rate), the one general label, or the lead phrase's hypernym ("puppy" -> Dog). */
  kind: 'specific' | 'general' | 'hypernym'
  /** The text of the kept phrase it belongs to. */
  phrase: string
  /** `kind`: it says what the phrase is ("a golden retriever puppy, a dog"); `with`: something seen with it. */
  role: 'kind' | 'with'
  /** GloVe cosine of the label and the phrase's head (1 for its hypernym). */
  closeness: number
}

/** The words of the class labels ("food", "dessert"), read once. */
let classWords: Set<string> | undefined

interface LabelFit {
  phrase: string
  role: 'kind' | 'with'
  closeness: number
}

/**
 * How a label fits a kept phrase, if at all: the phrase's own kind (its hypernym, or a class label
 * GloVe-close to it), something GloVe-close to it, or nothing. Broad taxonomy never fits, people
 * labels only fit phrases about people, and a known kind never fits a phrase of another kind.
 */
const fitOf = (label: string, phrase: SalientPhrase, lexicon: DescribeLexiconModel): LabelFit | undefined => {
  const text = label.toLowerCase()
  const words = wordsOf(label)
  if (BROAD_LABELS.has(text) || words.length === 0) return undefined
  const kind = genericTerm(phrase.head)
  if (kind !== phrase.head && words.includes(kind)) return { phrase: phrase.text, role: 'kind', closeness: 1 }
  if (kind !== phrase.head && words.some((word) => KINDS.has(word))) return undefined
  // People labels fit people: a phrase whose kind is known fits only that kind (a dad is not a
  // girl, however close GloVe puts them); other people nouns ("friend", "family") fit what is near.
  if (words.some((word) => PEOPLE.has(word)) && (PEOPLE.has(kind) || lexicon.relatedness(phrase.head, 'person') < RELATED)) return undefined
  const closeness = Math.max(...words.map((word) => lexicon.relatedness(word, phrase.head)))
  if (closeness < RELATED) return undefined
  // A class word is not glossed with a class ("food, fast food"), only seen with things.
  classWords ??= new Set([...CLASS_LABELS].flatMap((other) => wordsOf(other)))
  return { phrase: phrase.text, role: CLASS_LABELS.has(text) && !classWords.has(phrase.head) ? 'kind' : 'with', closeness }
}

/** The kept phrase a label fits best (its kind before something seen with it), if any. */
const bestFit = (label: string, phrases: readonly SalientPhrase[], lexicon: DescribeLexiconModel): LabelFit | undefined =>
  phrases
    .map((phrase) => fitOf(label, phrase, lexicon))
    .filter((fit): fit is LabelFit => fit !== undefined)
    .sort((left, right) => (left.role === right.role ? 0 : left.role === 'kind' ? -1 : 1) || right.closeness - left.closeness)[0]

/**
 * Predicted object labels worth writing down, not already named by the phrases ("Cake" is in
 * "chocolate cake") and consistent with a kept phrase (see fitOf): the specific ones the dialogue
 * made much likelier, most raised first, then the likeliest label of the subject itself when it is
 * probable enough ("Dessert").
 */
export const labelsToName = (dialogue: Dialogue, lexicon: DescribeLexiconModel, phrases: readonly SalientPhrase[], speaker?: string): NamedLabel[] => {
  const named = new Set(phrases.flatMap((phrase) => wordsOf(phrase.text)))
  const { minimumLift, maxLabels, labelThreshold } = lexicon.lexicon.settings
  const fitting = (predicted: PredictedLabel[]): Array<PredictedLabel & LabelFit> =>
    predicted.flatMap((label) => {
      if (wordsOf(label.label).every((word) => named.has(word))) return []
      const fit = bestFit(label.label, phrases, lexicon)
      return fit === undefined ? [] : [{ ...label, ...fit }]
    })
  const specific = fitting(lexicon.predictLabels(weightedLemmas(dialogue, speaker)))
    .filter(({ lift, score }) => lift >= minimumLift && score >= MINIMUM_SPECIFIC_SCORE)
    .sort((left, right) => right.lift - left.lift || left.label.localeCompare(right.label))
    .slice(0, maxLabels)
    .map(({ label, phrase, role, closeness }): NamedLabel => ({ label, kind: 'specific', phrase, role, closeness }))
  // The general label must follow from the subject itself (its words, at full weight), not from
  // the chat around it: "face" for a puppy only because someone said "yesterday" reads as nonsense.
  const subject = phrases.flatMap((phrase) => wordsOf(phrase.text)).map((lemma) => ({ lemma, weight: 1 }))
  const general = fitting(lexicon.predictLabels(subject)).find(({ score, label }) => score >= labelThreshold && !specific.some((chosen) => chosen.label === label))
  const chosen: NamedLabel[] = general === undefined ? specific : [...specific, { label: general.label, kind: 'general', phrase: general.phrase, role: general.role, closeness: general.closeness }]
  // What the subject is, when the dialogue's words did not predict it (the data labels few puppies
  // "Dog"): the hypernym of the best phrase, when photos are labelled with it ("a mom, a woman").
  // Names say enough already ("Eiffel Tower").
  const lead = phrases[0]
  if (lead === undefined || lead.proper || chosen.some(({ phrase, role }) => phrase === lead.text && role === 'kind')) return chosen
  const kind = genericTerm(lead.head)
  const label = kind === lead.head || named.has(kind) ? undefined : lexicon.lexicon.labels.find((candidate) => candidate.toLowerCase() === kind)
  return label === undefined ? chosen : [...chosen, { label, kind: 'hypernym', phrase: lead.text, role: 'kind', closeness: 1 }]
}

/** A class label as the kind of one thing: "a dessert" (not "dessert"), but "baked goods", "clothing". */
const kindPhrase = (label: string): string => {
  const text = label.toLowerCase()
  return /[^s]s$/.test(text) || ['clothing', 'food', 'seafood', 'footwear', 'furniture', 'tableware', 'fast food', 'dairy'].includes(text) ? text : article(text)
}

/** A label's plural, to stand beside a plural phrase ("croissants, pastries"). */
const pluralLabel = (label: string): string => {
  const text = label.toLowerCase()
  const last = text.split(' ').pop() as string
  if (MASS_NOUNS.has(last) || /[^s]s$/.test(last)) return text
  if (/(^|\s)(wo)?man$/.test(text)) return `${text.slice(0, -3)}men`
  if (/[^aeiou]y$/.test(text)) return `${text.slice(0, -1)}ies`
  return /(s|sh|ch|x)$/.test(text) ? `${text}es` : `${text}s`
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
  // words: only what the subject is ("a dog"), not what is seen with it.
  const fitting = generic ? named.filter(({ role }) => role === 'kind') : named
  const labels = concise ? fitting.slice(0, 1) : fitting
  // With no phrase worth photographing, the predicted objects are the subject ("a waffle and a dessert").
  // (They cannot be here: a label is only named when it fits a kept phrase; kept for safety.)
  const phrases: SalientPhrase[] =
    found.length > 0
      ? found
      : labels.length > 0
        ? labels.map(({ label }) => ({ text: labelPhrase(label), head: label.toLowerCase(), proper: true, plural: false, score: 0 }))
        : [FALLBACK]
  const extra = found.length > 0 ? labels : []
  const descriptions: Description[] = []
  const seen = new Set<string>()
  for (let attempt = 0; descriptions.length < options.n && attempt < options.n * FRAMINGS.length * 2; attempt++) {
    // Variant k leads with the k-th best phrase, then the best others; framings only after the phrases run out.
    const lead = attempt % phrases.length
    const framing = FRAMINGS[Math.floor(attempt / phrases.length) % FRAMINGS.length] as string
    const leader = phrases[lead] as SalientPhrase
    // One thing named twice is one subject: after "a golden retriever", "a puppy" (also a dog) is not something seen with it.
    const leaderKind = genericTerm(leader.head)
    const sameThing = (phrase: SalientPhrase): boolean => leaderKind !== leader.head && genericTerm(phrase.head) === leaderKind
    const chosen = [leader, ...phrases.filter((phrase, index) => index !== lead && !sameThing(phrase))].slice(0, perDescription)
    // The lead phrase's kind stands beside it, as a person would gloss it ("a golden retriever
    // puppy, a dog"); every other fitting label is something seen with the subject ("with a bottle").
    // One gloss, the closest kind: "a chocolate cake, a dessert", not also "a snack" and "baked goods".
    const gloss = extra.filter(({ role, phrase }) => role === 'kind' && phrase === leader.text).sort((left, right) => right.closeness - left.closeness)[0]
    const alongside = extra.filter(
      (label) => !(label.role === 'kind' && label.phrase === leader.text) && label.kind !== 'hypernym' && chosen.some((phrase) => phrase.text === label.phrase),
    )
    const [main, ...rest] = chosen.map(withArticle)
    const glossed = gloss === undefined ? main : `${main}, ${leader.plural ? pluralLabel(gloss.label) : kindPhrase(gloss.label)}`
    const withText = alongside.map(({ label }) => labelPhrase(label))
    // After a gloss a framing is its own clause ("a puppy, a dog, in a casual snapshot"), or it would read as the gloss's.
    const framed = (core: string): string => `${core}${gloss !== undefined && framing.startsWith(' ') ? ',' : ''}${framing}`
    let body: string
    if (detailed) {
      body = rest.length > 0 ? `${framed(glossed as string)}, with ${joinList(rest)} also in the picture` : `${framed(glossed as string)}, shown clearly as the main subject`
      if (withText.length > 0) body += `. It likely shows ${joinList(withText)} too`
    } else {
      // "a golden retriever puppy, a dog, with a ball": after a gloss, the other phrases join what is seen with it.
      const seenWith = gloss === undefined ? withText : [...rest, ...withText]
      const listed = gloss === undefined ? joinList([main as string, ...rest]) : (glossed as string)
      body = `${framed(listed)}${seenWith.length > 0 ? `, with ${joinList(seenWith)}` : ''}`
    }
    const text = restrictions.has('prefix') ? `An image of ${body}.` : `${body.charAt(0).toUpperCase()}${body.slice(1)}.`
    if (seen.has(text)) continue
    seen.add(text)
    const written = [...(gloss === undefined ? [] : [gloss]), ...alongside].map(({ label }) => label.toLowerCase())
    descriptions.push({ text, salient: [...chosen.map((phrase) => phrase.text.replace(/^an? /, '')), ...written].slice(0, 5) })
  }
  return descriptions
}
