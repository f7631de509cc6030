/**
 * The embedded Decide model at run time: standardised features, fitted logistic weights, Platt
 * calibration (so `probability` estimates how often an image really follows) and a decision
 * threshold chosen on held-out data. Also derives the trigger turn, intents and a rationale from
 * the same features, so the explanation matches what drove the score.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { projectRoot } from '../../config.js'
import type { Dialogue, Intent } from '../../core/types.js'
import { DriberError } from '../../errors.js'
import { decideFeatures, SCALAR_FEATURES, type TurnCues } from './decide-features.js'
import type { GloveVocabulary } from './glove-vocabulary.js'
import { LEXICAL_SLOTS, visitLexicalTerms, type LexicalSlot } from './lexical-features.js'
import { RANK_FEATURES, RANK_SLOTS, type RankWeights } from './rank-model.js'
import { sigmoid } from './logistic-regression.js'

export const WEIGHTS_FORMAT = 'driber-embedded-decide/2'

/** The committed weights file (see scripts/fit-embedded-decide.ts). */
export interface DecideWeights {
  format: typeof WEIGHTS_FORMAT
  /** Dense features, in `decideFeatures` order. */
  features: string[]
  /** Standardisation: z = (x - mean) / scale. */
  mean: number[]
  scale: number[]
  weights: number[]
  bias: number
  /**
   * Weights of the lexical terms per slot (`LEXICAL_SLOTS`), added to the score once per
   * occurrence; terms outside the fitted vocabulary weigh nothing.
   */
  lexical: Record<LexicalSlot, Record<string, number>>
  /**
   * The ranking head (rank-model.ts), fitted after the next-turn weights; without it ranking
   * orders positions by the next-turn probability alone.
   */
  rank?: RankWeights
  /** Platt scaling of the raw score: P = sigmoid(a * score + b). */
  calibration: { a: number; b: number }
  /** Share when the calibrated probability reaches this. */
  threshold: number
  /** How the weights were fitted and what they scored on held-out dialogues. */
  training: Record<string, unknown>
}

export const defaultWeightsPath = (): string => path.join(projectRoot, 'data', 'embedded', 'decide-weights.json')

/** Reads and checks a weights file against the feature layout this code computes. */
export const readDecideWeights = (file: string, dimension: number): DecideWeights => {
  const weights = JSON.parse(readFileSync(file, 'utf8')) as DecideWeights
  const expected = SCALAR_FEATURES.length + dimension
  const lexicalMatches = typeof weights.lexical === 'object' && weights.lexical !== null && LEXICAL_SLOTS.every((slot) => typeof weights.lexical[slot] === 'object')
  const rankMatches = weights.rank === undefined || (weights.rank.weights.length === RANK_FEATURES.length && RANK_SLOTS.every((slot) => typeof weights.rank?.lexical[slot] === 'object'))
  if (weights.format !== WEIGHTS_FORMAT || weights.features.length !== expected || weights.weights.length !== expected || !lexicalMatches || !rankMatches) {
    throw new DriberError('INTERNAL', { message: `${file} does not match the embedded Decide features (refit with scripts/fit-embedded-decide.ts)` })
  }
  return weights
}

export interface Prediction {
  /** Calibrated probability that `speaker` shares an image in the next turn. */
  probability: number
  share: boolean
  /** Raw feature values, in `weights.features` order. */
  values: Float64Array
  /** Per-feature contributions to the raw score (weight x standardised value). */
  contributions: Float64Array
  /** Contribution of each lexical slot's terms (`LEXICAL_SLOTS` order). */
  lexicalContributions: Float64Array
  cues: TurnCues[]
}

export interface DecideModel {
  readonly weights: DecideWeights
  predict(dialogue: Dialogue, speaker: string): Prediction
}

export const createDecideModel = (vocabulary: GloveVocabulary, weights: DecideWeights): DecideModel => {
  // Maps once at load: a lookup per term on the request path, no per-request objects.
  const lexical = LEXICAL_SLOTS.map((slot) => new Map(Object.entries(weights.lexical[slot])))
  return {
    weights,
    predict(dialogue, speaker) {
      const { values, cues } = decideFeatures(vocabulary, dialogue, speaker)
      const contributions = new Float64Array(values.length)
      let score = weights.bias
      for (let i = 0; i < values.length; i++) {
        const standardised = ((values[i] as number) - (weights.mean[i] as number)) / (weights.scale[i] as number)
        const contribution = (weights.weights[i] as number) * standardised
        contributions[i] = contribution
        score += contribution
      }
      const lexicalContributions = new Float64Array(LEXICAL_SLOTS.length)
      visitLexicalTerms(dialogue, speaker, (slot, term) => {
        const weight = (lexical[slot] as Map<string, number>).get(term)
        if (weight !== undefined) lexicalContributions[slot] = (lexicalContributions[slot] as number) + weight
      })
      for (const contribution of lexicalContributions) score += contribution
      const probability = sigmoid(weights.calibration.a * score + weights.calibration.b)
      return { probability, share: probability >= weights.threshold, values, contributions, lexicalContributions, cues }
    },
  }
}

/** The cue of a turn that each last-turn feature measures (the trigger weighs turns with the model's weights). */
const TRIGGER_CUES: ReadonlyArray<[feature: string, cue: (cue: TurnCues) => number, fallback: number]> = [
  ['last_photo_word', (cue) => cue.photo, 1.5],
  ['last_show_verb', (cue) => cue.show, 1],
  ['last_see_verb', (cue) => cue.see, 1],
  ['last_offer_by_speaker', (cue) => cue.offer, 2],
  ['last_request_by_other', (cue) => cue.request, 2],
  ['last_visual_objects', (cue) => Math.log1p(cue.visual), 1],
  ['last_emotion', (cue) => Math.log1p(cue.emotion), 0.3],
]

/**
 * Which turn most likely prompted the share: among the last four turns, the one whose cues the
 * fitted model rewards most (each cue weighted by its feature's positive weight per raw unit),
 * discounted with distance; later turns win ties.
 */
export const triggerTurn = (cues: TurnCues[], weights?: DecideWeights): number | null => {
  const unitWeights = TRIGGER_CUES.map(([feature, , fallback]) => {
    const index = weights?.features.indexOf(feature) ?? -1
    return index < 0 || weights === undefined ? fallback : Math.max(0, (weights.weights[index] as number) / (weights.scale[index] as number))
  })
  let best: number | null = null
  let bestScore = 0
  for (let i = Math.max(0, cues.length - 4); i < cues.length; i++) {
    const cue = cues[i] as TurnCues
    const recency = 1 - 0.15 * (cues.length - 1 - i)
    const evidence = TRIGGER_CUES.reduce((sum, [, pick], index) => sum + (unitWeights[index] as number) * pick(cue), 0)
    const score = recency * (evidence + 1e-3)
    if (best === null || score >= bestScore) {
      best = i
      bestScore = score
    }
  }
  return best
}

/** Intents supported by the cues of the recent turns, strongest first (at least one). */
export const intentsFrom = (cues: TurnCues[], topicShift: number): Intent[] => {
  const recent = cues.slice(-3)
  const total = (pick: (cue: TurnCues) => number): number => recent.reduce((sum, cue) => sum + pick(cue), 0)
  const scored: Array<[Intent, number]> = [
    ['visual_clarification', total((cue) => cue.request * 2 + cue.see + (cue.question ? 0.3 : 0))],
    ['information_dissemination', total((cue) => cue.visual + cue.experience * 0.5 + cue.possessive * 0.5 + cue.photo * 0.5)],
    ['expression_of_emotion_opinion', total((cue) => cue.emotion + (cue.exclamation ? 0.3 : 0))],
    ['humor_entertainment', total((cue) => cue.humor * 1.5)],
    ['social_bonding', total((cue) => cue.social)],
    ['topic_transition', topicShift > 0.75 ? 1 : 0],
  ]
  const chosen = scored.filter(([, score]) => score >= 1).sort((left, right) => right[1] - left[1])
  return chosen.length > 0 ? chosen.map(([intent]) => intent) : ['information_dissemination']
}

const FEATURE_PHRASES: Partial<Record<string, string>> = {
  last_photo_word: 'the last turn mentions a photo',
  last_show_verb: 'the last turn talks about showing or sending',
  last_see_verb: 'the last turn talks about seeing or looking',
  last_offer_by_speaker: 'the speaker just offered to show something',
  last_request_by_other: 'the other person asked to see something',
  last_question_by_other: 'the other person just asked a question',
  last_visual_objects: 'the last turn names things one can photograph',
  recent_visual_objects: 'recent turns name things one can photograph',
  speaker_visual_objects: 'the speaker has been talking about visible things',
  speaker_possessive: 'the speaker talks about something of their own',
  speaker_experience: 'the speaker describes a recent experience',
  speaker_continues: 'the speaker keeps the floor',
  last_acknowledgement: 'the last turn is only an acknowledgement',
  position_early: 'the conversation has barely started',
  photo_similarity: 'recent words are close to showing a picture',
  last_emotion: 'the last turn expresses a feeling',
}

/**
 * Phrases that read as a reason against sharing only. The fit may still give them a positive push
 * (short-context copies make "barely started" common among positives), but "an image fits here:
 * the conversation has barely started" explains nothing to a reader.
 */
const NO_REASONS_ONLY = new Set([FEATURE_PHRASES.position_early, FEATURE_PHRASES.last_acknowledgement])

const LEXICAL_PHRASES: Record<LexicalSlot, string> = {
  last_turn_by_speaker: "the speaker's own words in this turn",
  last_turn_by_other: 'what the other person just said',
  previous_turn_by_speaker: "the speaker's previous turn",
  previous_turn_by_other: "the other person's previous turn",
}

/** A one-sentence rationale naming the features (dense or lexical) that moved the score most. */
export const rationaleFrom = (prediction: Prediction, features: string[]): string => {
  const candidates: Array<[phrase: string, contribution: number]> = [
    ...[...prediction.contributions.keys()]
      .filter((index) => FEATURE_PHRASES[features[index] as string] !== undefined)
      .map((index): [string, number] => [FEATURE_PHRASES[features[index] as string] as string, prediction.contributions[index] as number]),
    ...LEXICAL_SLOTS.map((slot, index): [string, number] => [LEXICAL_PHRASES[slot], prediction.lexicalContributions[index] as number]),
  ]
  const ranked = candidates
    .filter(([phrase, contribution]) => (prediction.share ? contribution > 0 && !NO_REASONS_ONLY.has(phrase) : contribution < 0))
    .sort((left, right) => Math.abs(right[1]) - Math.abs(left[1]))
    .slice(0, 2)
    .map(([phrase]) => phrase)
  const percent = Math.round(prediction.probability * 100)
  const reasons = ranked.length > 0 ? `: ${ranked.join('; ')}` : ''
  return prediction.share
    ? `An image fits here (estimated ${percent}% chance one follows)${reasons}.`
    : `No image needed yet (estimated ${percent}% chance one follows)${reasons}.`
}
