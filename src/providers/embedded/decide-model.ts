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

/**
 * How sure the answer is that an image fits, from the calibrated probability `probability` and the
 * decision threshold: piecewise-linear, 0 at probability 0, 0.5 at the threshold, 1 at probability
 * 1. The threshold (0.23) sits far below 0.5, so the probability itself would make a "yes" read as
 * less likely than not (and a cascade would escalate every yes); this keeps the order of the
 * probabilities and makes 0.5 the point where the answer flips.
 */
export const confidenceOfShare = (probability: number, threshold: number): number => {
  const p = Math.min(1, Math.max(0, probability))
  if (threshold <= 0) return 0.5 + 0.5 * p
  if (threshold >= 1) return 0.5 * p
  return p >= threshold ? 0.5 + (0.5 * (p - threshold)) / (1 - threshold) : (0.5 * p) / threshold
}

/** The Decide answer's `confidence`: how sure it is of `share`, yes or no (at least 0.5). */
export const decisionConfidence = (prediction: Pick<Prediction, 'probability' | 'share'>, threshold: number): number => {
  const yes = confidenceOfShare(prediction.probability, threshold)
  return prediction.share ? yes : 1 - yes
}

/** "Ben asked to see it"; nothing when there is nobody in that role (no other person yet), so nothing is made up. */
const said = (who: string | undefined, what: string): string | undefined => (who === undefined ? undefined : `${who} ${what}`)

/** Joins two reasons, saying a name once: "Leo offered to show it and named something ...". */
const joinReasons = (reasons: string[], roles: Roles): string => {
  const [first, second] = reasons
  if (second === undefined) return first ?? ''
  const name = [roles.speaker, roles.last, roles.other].find((who) => who !== undefined && first?.startsWith(`${who} `) && second.startsWith(`${who} `))
  return `${first} and ${name === undefined ? second : second.slice(name.length + 1)}`
}

/** Who is who in the rationale: the asked speaker, the author of the last message, and the other person. */
interface Roles {
  speaker: string
  last: string | undefined
  other: string | undefined
}

/**
 * Reasons a person would give, for features measuring a cue that is present (non-zero). Each one
 * reads as a reason for one direction only; it is cited only when the fit pushed the score that
 * way too. Features without an entry (length, position, embedding, similarity) are never cited:
 * they are always non-zero and name no cue a reader could check.
 */
const FEATURE_REASONS: Partial<Record<string, { share?: (roles: Roles) => string | undefined; noShare?: (roles: Roles) => string | undefined }>> = {
  last_request_by_other: { share: ({ last }) => said(last, 'asked to see it') },
  last_offer_by_speaker: { share: ({ speaker }) => said(speaker, 'offered to show it') },
  last_photo_word: { share: ({ last }) => said(last, 'mentioned a photo') },
  last_show_verb: { share: ({ last }) => said(last, 'talked about showing or sending something') },
  last_see_verb: { share: ({ last }) => said(last, 'talked about seeing something') },
  last_visual_objects: { share: ({ last }) => said(last, 'named something one can take a picture of') },
  recent_visual_objects: { share: () => 'the chat is about things one can take a picture of' },
  speaker_visual_objects: { share: ({ speaker }) => said(speaker, 'has been talking about things one can see') },
  speaker_possessive: { share: ({ speaker }) => said(speaker, 'is talking about something of their own') },
  speaker_experience: { share: ({ speaker }) => said(speaker, 'is telling about something they did') },
  last_emotion: { share: ({ last }) => said(last, 'is excited about it') },
  last_question_by_other: { noShare: ({ other }) => said(other, 'asked a question words can answer') },
  last_acknowledgement: { noShare: ({ last }) => said(last, 'only acknowledged') },
  speaker_is_new: { noShare: ({ speaker }) => said(speaker, 'has not written yet') },
  position_early: { noShare: () => 'the chat has only just started' },
}

/** Words of greetings and pleasantries: a chat made only of these has given nothing to show yet. */
const GREETING_WORDS = new Set(
  "hi hello hey hiya yo good morning afternoon evening how how's are you is it going what's whats up sup fine great not bad thanks thank and i'm im i am doing well too ok okay nice there all everyone".split(' '),
)

const onlyGreetings = (dialogue: Dialogue, cues: TurnCues[]): boolean => {
  // Names count as greeting words ("Hi Sam!"), so a chat's members can greet each other by name.
  const names = new Set(dialogue.map((turn) => turn.speaker.toLowerCase()))
  return (
    dialogue.length > 0 &&
    cues.every((cue) => cue.visual + cue.photo + cue.show + cue.see + cue.offer + cue.request + cue.experience + cue.possessive === 0) &&
    dialogue.every((turn) =>
      turn.text
        .toLowerCase()
        .split(/[^a-z']+/)
        .every((word) => word === '' || GREETING_WORDS.has(word) || names.has(word)),
    )
  )
}

/**
 * A one-sentence rationale: the calibrated probability, then at most two reasons, each a cue that
 * is present in the dialogue and that pushed the score the way the answer went, strongest first.
 * When no cue qualifies it says so plainly instead of naming a feature that is not there.
 */
export const rationaleFrom = (prediction: Prediction, features: string[], dialogue: Dialogue, speaker: string): string => {
  const last = dialogue[dialogue.length - 1]?.speaker
  const other = [...dialogue].reverse().find((turn) => turn.speaker !== speaker)?.speaker
  const roles: Roles = { speaker, last, other }
  /** Present cues that pushed towards `share` (yes) or against it, as sentences, strongest first. */
  const cited = (share: boolean): string[] =>
    [...prediction.contributions.keys()]
      .flatMap((index): Array<[string, number]> => {
        const reason = FEATURE_REASONS[features[index] as string]
        const phrase = share ? reason?.share : reason?.noShare
        const contribution = prediction.contributions[index] as number
        const present = (prediction.values[index] as number) !== 0
        const agrees = share ? contribution > 0 : contribution < 0
        const text = phrase?.(roles)
        return present && agrees && text !== undefined ? [[text, contribution]] : []
      })
      .sort((left, right) => Math.abs(right[1]) - Math.abs(left[1]))
      .map(([text]) => text)
      // "Ben asked to see it" already says Ben talked about seeing.
      .filter((text, _, all) => !(/ talked about (seeing|showing)/.test(text) && all.some((other) => / (asked to see|offered to show) it$/.test(other))))
  const reasons = cited(prediction.share)
  const percent = Math.round(prediction.probability * 100)
  if (prediction.share) {
    const why = reasons.length > 0 ? `: ${joinReasons(reasons, roles)}` : ': the words of the last turns point to a picture'
    return `An image fits in ${speaker}'s next turn (estimated ${percent}% chance one follows)${why}.`
  }
  if (onlyGreetings(dialogue, prediction.cues)) {
    const newcomer = reasons.find((text) => text.endsWith('has not written yet'))
    const greeted = dialogue.length === 1 ? `${last} has only said hello` : 'the chat has only greeted'
    return `No image needed yet (estimated ${percent}% chance one follows): ${newcomer === undefined ? greeted : `${newcomer} and ${greeted}`}.`
  }
  // No cue against: say what there is, and that it is not enough, rather than "nothing".
  const towards = cited(true)[0]
  const why = reasons.length > 0 ? joinReasons(reasons, roles) : towards === undefined ? 'nothing in the conversation calls for a picture yet' : `${towards}, but not enough yet to call for a picture`
  return `No image needed yet (estimated ${percent}% chance one follows): ${why}.`
}
