/**
 * What the embedded Decide model sees: a fixed-length feature vector for "the dialogue so far, and
 * `speaker` takes the next turn (or continues their own)". Cue words for showing and seeing, requests and offers, question
 * forms, visual objects, personal experience, turn position, speaker change, length, and the mean
 * GloVe vector of the last turns. The same per-turn cues also pick the triggering turn and intents.
 * The words of the last two turns are the sparse part of the model (lexical-features.ts).
 */
import type { Dialogue } from '../../core/types.js'
import type { GloveVocabulary } from './glove-vocabulary.js'
import {
  ACKNOWLEDGEMENTS,
  EMOTION_WORDS,
  EXPERIENCE_WORDS,
  HUMOR_WORDS,
  OFFER_PHRASES,
  PHOTO_WORDS,
  QUESTION_STARTS,
  REQUEST_PHRASES,
  SEE_VERBS,
  SHOW_VERBS,
  SOCIAL_WORDS,
  VISUAL_OBJECTS,
} from './lexicon.js'
import { runStart } from './lexical-features.js'
import { accumulateText, dot, embedSentence, normalise } from './sentence-embedder.js'
import { analyse } from './text-analysis.js'

/** Cues of one turn on its own. */
export interface TurnCues {
  photo: number
  show: number
  see: number
  offer: number
  request: number
  question: boolean
  visual: number
  possessive: number
  experience: number
  emotion: number
  humor: number
  social: number
  acknowledgement: boolean
  exclamation: boolean
  words: number
}

const cueCache = new Map<string, TurnCues>()

const countIn = (lemmas: string[], set: Set<string>): number => lemmas.reduce((sum, lemma) => sum + (set.has(lemma) ? 1 : 0), 0)

const containsPhrase = (text: string, phrases: string[]): number => phrases.reduce((sum, phrase) => sum + (text.includes(phrase) ? 1 : 0), 0)

/** The cues of one turn's text (cached by text). */
export const turnCues = (text: string): TurnCues => {
  const cached = cueCache.get(text)
  if (cached !== undefined) return cached
  const analysis = analyse(text)
  const words = analysis.tokens.filter((token) => token.word)
  const lemmas = words.map((token) => token.lemma)
  const lower = ` ${text.toLowerCase().replace(/\s+/g, ' ')} `
  const nounHeads = analysis.phrases.map((phrase) => phrase.head)
  let possessive = 0
  for (let i = 0; i + 1 < analysis.tokens.length; i++) {
    const token = analysis.tokens[i] as (typeof analysis.tokens)[number]
    const next = analysis.tokens[i + 1] as (typeof analysis.tokens)[number]
    if ((token.lemma === 'my' || token.lemma === 'our') && ['NOUN', 'ADJ', 'PROPN'].includes(next.pos)) possessive++
  }
  const first = lemmas[0] ?? ''
  const cues: TurnCues = {
    photo: countIn(lemmas, PHOTO_WORDS),
    show: countIn(lemmas, SHOW_VERBS),
    see: countIn(lemmas, SEE_VERBS),
    offer: containsPhrase(lower, OFFER_PHRASES),
    request: containsPhrase(lower, REQUEST_PHRASES),
    question: text.includes('?') || QUESTION_STARTS.has(first),
    visual: nounHeads.filter((head) => VISUAL_OBJECTS.has(head)).length,
    possessive,
    experience: countIn(lemmas, EXPERIENCE_WORDS),
    emotion: countIn(lemmas, EMOTION_WORDS),
    humor: countIn(lemmas, HUMOR_WORDS),
    social: countIn(lemmas, SOCIAL_WORDS),
    acknowledgement: words.length > 0 && words.length <= 3 && words.every((token) => ACKNOWLEDGEMENTS.has(token.lemma) || token.stop),
    exclamation: text.includes('!'),
    words: words.length,
  }
  if (cueCache.size >= 4096) cueCache.delete(cueCache.keys().next().value as string)
  cueCache.set(text, cues)
  return cues
}

/** Forgets cached turn cues (benchmarks measure uncached calls with it). */
export const clearCueCache = (): void => {
  cueCache.clear()
}

/** Names of the scalar features, in vector order; the embedding dimensions follow as `glove_0..`. */
export const SCALAR_FEATURES = [
  'last_photo_word',
  'last_show_verb',
  'last_see_verb',
  'last_offer_by_speaker',
  'last_offer_by_other',
  'last_request_by_other',
  'last_question_by_other',
  'last_question_by_speaker',
  'last_visual_objects',
  'last_emotion',
  'last_acknowledgement',
  'last_exclamation',
  'last_length',
  'recent_photo_words',
  'recent_show_see',
  'recent_visual_objects',
  'speaker_visual_objects',
  'speaker_possessive',
  'speaker_experience',
  'earlier_photo_words',
  'speaker_continues',
  'speaker_turn_share',
  'speaker_is_new',
  'last_turn_messages',
  'position',
  'position_early',
  'photo_similarity',
  'topic_shift',
] as const

export type ScalarFeature = (typeof SCALAR_FEATURES)[number]

/** How many of the last turns the embedding feature averages. */
const EMBEDDING_TURNS = 2

/** Turn count beyond which position stops adding evidence. */
const POSITION_CAP = 12

export const featureNames = (dimension: number): string[] => [...SCALAR_FEATURES, ...Array.from({ length: dimension }, (_, i) => `glove_${i}`)]

let photoCentroid: Float32Array | undefined
const photoDirection = (vocabulary: GloveVocabulary): Float32Array => {
  photoCentroid ??= embedSentence(vocabulary, 'photo picture pic image look see show send')
  return photoCentroid
}

export interface DecideFeatures {
  /** Scalars then embedding, length SCALAR_FEATURES.length + dimension. */
  values: Float64Array
  /** Cues of each turn of the dialogue (same order). */
  cues: TurnCues[]
}

const decayed = (cues: TurnCues[], from: number, pick: (cue: TurnCues) => number): number => {
  let sum = 0
  let weight = 1
  for (let i = from; i >= 0 && i > from - 3; i--) {
    sum += weight * pick(cues[i] as TurnCues)
    weight *= 0.5
  }
  return sum
}

/**
 * Features for "after `dialogue`, `speaker` takes the next turn". An empty dialogue is allowed
 * (everything zero except position and speaker features).
 */
export const decideFeatures = (vocabulary: GloveVocabulary, dialogue: Dialogue, speaker: string): DecideFeatures => {
  const cues = dialogue.map((turn) => turnCues(turn.text))
  const count = dialogue.length
  const lastIndex = count - 1
  const last = cues[lastIndex]
  const lastTurn = dialogue[lastIndex]
  const bySpeaker = lastTurn !== undefined && lastTurn.speaker === speaker
  const scalars: Record<ScalarFeature, number> = Object.fromEntries(SCALAR_FEATURES.map((name) => [name, 0])) as Record<ScalarFeature, number>
  if (last !== undefined) {
    scalars.last_photo_word = Math.min(2, last.photo)
    scalars.last_show_verb = Math.min(2, last.show)
    scalars.last_see_verb = Math.min(2, last.see)
    scalars.last_offer_by_speaker = bySpeaker ? Math.min(2, last.offer) : 0
    scalars.last_offer_by_other = bySpeaker ? 0 : Math.min(2, last.offer)
    scalars.last_request_by_other = bySpeaker ? 0 : Math.min(2, last.request)
    // No `last_request_by_speaker`: PhotoChat has almost no speaker who asks to see something and
    // then shares, so the fit gave it a spurious positive weight ("Can I see him?" made the asker share).
    scalars.last_question_by_other = !bySpeaker && last.question ? 1 : 0
    scalars.last_question_by_speaker = bySpeaker && last.question ? 1 : 0
    scalars.last_visual_objects = Math.log1p(last.visual)
    scalars.last_emotion = Math.log1p(last.emotion)
    scalars.last_acknowledgement = last.acknowledgement ? 1 : 0
    scalars.last_exclamation = last.exclamation ? 1 : 0
    scalars.last_length = Math.log1p(last.words)
    scalars.recent_photo_words = decayed(cues, lastIndex - 1, (cue) => Math.min(2, cue.photo))
    scalars.recent_show_see = decayed(cues, lastIndex - 1, (cue) => Math.min(2, cue.show + cue.see + cue.offer + cue.request))
    scalars.recent_visual_objects = Math.log1p(decayed(cues, lastIndex, (cue) => cue.visual))
    let speakerTurns = 0
    let seen = 0
    let visual = 0
    let possessive = 0
    let experience = 0
    for (let i = lastIndex; i >= 0; i--) {
      if ((dialogue[i] as { speaker: string }).speaker !== speaker) continue
      speakerTurns++
      if (seen < 2) {
        const cue = cues[i] as TurnCues
        visual += cue.visual
        possessive += cue.possessive
        experience += cue.experience
        seen++
      }
    }
    scalars.speaker_visual_objects = Math.log1p(visual)
    scalars.speaker_possessive = Math.min(2, possessive)
    scalars.speaker_experience = Math.log1p(experience)
    let earlier = 0
    for (let i = 0; i < lastIndex - 2; i++) earlier += (cues[i] as TurnCues).photo
    scalars.earlier_photo_words = Math.min(1, earlier)
    scalars.speaker_continues = bySpeaker ? 1 : 0
    scalars.speaker_turn_share = speakerTurns / count
    // Someone who has not spoken yet (a new participant) rarely opens with a photo.
    scalars.speaker_is_new = speakerTurns === 0 ? 1 : 0
    // Messages in the last turn (one speaker's run): a long run by the speaker is often the run the photo ends.
    scalars.last_turn_messages = Math.log1p(lastIndex - runStart(dialogue, lastIndex) + 1)
  }
  // Capped: past a dozen turns, length alone says little about whether a photo comes next.
  scalars.position = Math.log1p(Math.min(count, POSITION_CAP))
  scalars.position_early = count < 3 ? 1 : 0

  // The recent-turn embedding: mean of the last turns' weighted word vectors, unit length.
  const recent = new Float32Array(vocabulary.dimension)
  for (let i = lastIndex, weight = 1; i >= 0 && i > lastIndex - EMBEDDING_TURNS; i--, weight *= 0.5) {
    accumulateText(vocabulary, (dialogue[i] as { text: string }).text, recent, weight)
  }
  normalise(recent)
  scalars.photo_similarity = dot(recent, photoDirection(vocabulary))
  if (count >= 4 && lastTurn !== undefined) {
    const earlierVector = new Float32Array(vocabulary.dimension)
    for (let i = 0; i < lastIndex; i++) accumulateText(vocabulary, (dialogue[i] as { text: string }).text, earlierVector)
    normalise(earlierVector)
    const lastVector = embedSentence(vocabulary, lastTurn.text)
    const similarity = dot(lastVector, earlierVector)
    // Only a last turn with content can shift the topic; an empty vector says nothing.
    scalars.topic_shift = lastVector.some((value) => value !== 0) ? 1 - similarity : 0
  }
  const values = new Float64Array(SCALAR_FEATURES.length + vocabulary.dimension)
  SCALAR_FEATURES.forEach((name, i) => {
    values[i] = scalars[name]
  })
  for (let i = 0; i < vocabulary.dimension; i++) values[SCALAR_FEATURES.length + i] = recent[i] as number
  return { values, cues }
}
