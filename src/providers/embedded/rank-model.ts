/**
 * The embedded ranking head: how likely an image goes right after message p, given the whole
 * conversation. Ranking sees what came after p, which the next-turn model cannot: the other
 * person's reaction ("aww, so cute!") and whether the same speaker kept writing. So it rescores
 * the next-turn model's probability at p with the words of message p and of message p+1, fitted on
 * where PhotoChat's photos really went (the message right before the photo), which is also inside
 * the sharer's turn, so it serves both label semantics.
 */
import type { Dialogue } from '../../core/types.js'
import type { DecideModel } from './decide-model.js'
import { messageTerms } from './lexical-features.js'
import { sigmoid } from './logistic-regression.js'

/** Dense inputs of the head, in weight order. */
export const RANK_FEATURES = ['turn_logit', 'next_turn_logit', 'next_by_same_speaker', 'next_by_other', 'last_position', 'relative_position', 'relative_position_squared'] as const

/** Whose words: message p itself, or the message after it by the same speaker or by the other. */
export const RANK_SLOTS = ['candidate_message', 'next_message_by_same', 'next_message_by_other', 'previous_message_by_same', 'previous_message_by_other'] as const
export type RankSlot = (typeof RANK_SLOTS)[number]

export interface RankWeights {
  weights: number[]
  bias: number
  lexical: Record<RankSlot, Record<string, number>>
  /** Platt scaling of the raw score against the message label (a photo right after message p). */
  calibration: { a: number; b: number }
  /**
   * Platt scaling of the same raw score against the turn label: the next turn after message p
   * includes an image (any position from the other person's last message to the message before the
   * photo). That is the quantity Decide's probability estimates for the prefix ending at p, so a
   * ranking and a Decide on the same dialogue report numbers on one footing; monotone in the raw
   * score, so the ranking order is the head's. Absent in weights fitted before it existed.
   */
  turnCalibration?: { a: number; b: number }
  training: Record<string, unknown>
}

const logit = (probability: number): number => {
  const clamped = Math.min(1 - 1e-6, Math.max(1e-6, probability))
  return Math.log(clamped / (1 - clamped))
}

/**
 * Dense inputs for position `position`, given the next-turn model's probabilities there and at the
 * next position (a photo goes after the last message of the run the model likes, not the first).
 */
export const rankFeatures = (dialogue: Dialogue, position: number, turnProbability: number, nextTurnProbability: number): Float64Array => {
  const next = dialogue[position + 1]
  const sameSpeaker = next !== undefined && next.speaker === (dialogue[position] as { speaker: string }).speaker
  // Where in the whole conversation: people rarely share in the first lines or the goodbyes.
  const relative = dialogue.length < 2 ? 0 : position / (dialogue.length - 1)
  return Float64Array.of(
    logit(turnProbability),
    next === undefined ? 0 : logit(nextTurnProbability),
    next !== undefined && sameSpeaker ? 1 : 0,
    next !== undefined && !sameSpeaker ? 1 : 0,
    next === undefined ? 1 : 0,
    relative,
    relative * relative,
  )
}

/** Calls `visit(slot, term)` for the terms of message p and of the messages right before and after it. */
export const visitRankTerms = (dialogue: Dialogue, position: number, visit: (slot: number, term: string) => void): void => {
  const candidate = dialogue[position] as { speaker: string; text: string }
  for (const term of messageTerms(candidate.text)) visit(0, term)
  const next = dialogue[position + 1]
  if (next !== undefined) {
    const slot = next.speaker === candidate.speaker ? 1 : 2
    for (const term of messageTerms(next.text)) visit(slot, term)
  }
  const previous = dialogue[position - 1]
  if (previous !== undefined) {
    const slot = previous.speaker === candidate.speaker ? 3 : 4
    for (const term of messageTerms(previous.text)) visit(slot, term)
  }
}

export interface RankModel {
  /** The head's raw score at `position` (what both calibrations map). */
  score(dialogue: Dialogue, position: number, turnProbabilities: readonly number[]): number
  /**
   * Probability that the next turn after message `position` includes an image (the turn
   * calibration; the message calibration when the weights have none).
   */
  turnProbability(dialogue: Dialogue, position: number, turnProbabilities: readonly number[]): number
  /**
   * Calibrated probability that an image goes right after message `position`, given the next-turn
   * model's probabilities (`turnProbabilities`) at every position.
   */
  probability(dialogue: Dialogue, position: number, turnProbabilities: readonly number[]): number
}

export const createRankModel = (weights: RankWeights): RankModel => {
  const lexical = RANK_SLOTS.map((slot) => new Map(Object.entries(weights.lexical[slot])))
  const score = (dialogue: Dialogue, position: number, turnProbabilities: readonly number[]): number => {
    const features = rankFeatures(dialogue, position, turnProbabilities[position] as number, turnProbabilities[position + 1] ?? 0)
    let raw = weights.bias
    for (let i = 0; i < features.length; i++) raw += (weights.weights[i] as number) * (features[i] as number)
    visitRankTerms(dialogue, position, (slot, term) => {
      raw += (lexical[slot] as Map<string, number>).get(term) ?? 0
    })
    return raw
  }
  const turnCalibration = weights.turnCalibration ?? weights.calibration
  return {
    score,
    turnProbability: (dialogue, position, turnProbabilities) => sigmoid(turnCalibration.a * score(dialogue, position, turnProbabilities) + turnCalibration.b),
    probability: (dialogue, position, turnProbabilities) => sigmoid(weights.calibration.a * score(dialogue, position, turnProbabilities) + weights.calibration.b),
  }
}

/**
 * The next-turn model at every position: for the prefix ending with message p, the speaker most
 * likely to share next and that probability.
 */
export const turnProbabilities = (decide: DecideModel, dialogue: Dialogue): Array<{ probability: number; speaker: string }> => {
  const speakers = [...new Set(dialogue.map((turn) => turn.speaker))]
  return dialogue.map((_, position) => {
    const prefix = dialogue.slice(0, position + 1)
    let best = { probability: 0, speaker: speakers[0] ?? 'user' }
    for (const speaker of speakers) {
      const probability = decide.predict(prefix, speaker).probability
      if (probability > best.probability) best = { probability, speaker }
    }
    return best
  })
}
