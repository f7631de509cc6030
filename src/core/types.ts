/**
 * The domain, as every transport sees it. Field names are the wire names (snake_case where
 * two words meet) so the HTTP and gRPC adapters convert shapes, never meanings.
 */
import type { ErrorCode } from '../errors.js'

/** One turn of a chat. `speaker` is a free name; prompts keep it verbatim (after neutralising). */
export interface Turn {
  speaker: string
  text: string
}
export type Dialogue = Turn[]

/** Why a person shares an image (the six intents of the DribeR taxonomy). */
export const INTENTS = [
  'information_dissemination',
  'social_bonding',
  'humor_entertainment',
  'visual_clarification',
  'topic_transition',
  'expression_of_emotion_opinion',
] as const
export type Intent = (typeof INTENTS)[number]

/** Restrictions a caller may put on descriptions. `generic`/`specific` and `concise`/`detailed` exclude each other. */
export const RESTRICTIONS = ['prefix', 'generic', 'specific', 'concise', 'detailed'] as const
export type Restriction = (typeof RESTRICTIONS)[number]

export const SCALES = ['tiny', 'small', 'medium', 'large', 'xl'] as const
export type Scale = (typeof SCALES)[number]

/** The bounded reasons a model answer can fail to parse; metric labels use exactly these. */
export const PARSE_FAILURE_REASONS = ['invalid_json', 'schema_violation', 'refusal', 'truncated', 'empty'] as const
export type ParseFailureReason = (typeof PARSE_FAILURE_REASONS)[number]

/** Why a cascade asked the next model although the answer was valid. */
export const ESCALATION_REASONS = ['low_confidence'] as const
export type EscalationReason = (typeof ESCALATION_REASONS)[number]

/** Stages a model route exists for. `rank` uses the `decide` route unless the registry gives it one. */
export const STAGES = ['decide', 'rank', 'describe'] as const
export type Stage = (typeof STAGES)[number]

export interface Usage {
  input_tokens: number
  output_tokens: number
  total_tokens: number
}

/** One call to one model, as reported to clients: enough to see retries, re-asks and fallbacks. */
export interface Attempt {
  model: string
  outcome: 'ok' | 'parse_failure' | 'error' | 'skipped' | 'escalated'
  reason?: ParseFailureReason
  code?: ErrorCode
  duration_ms: number
  /** Set when outcome is `escalated`: why, the answer's confidence and the threshold it missed. */
  escalation_reason?: EscalationReason
  confidence?: number
  min_confidence?: number
}

export interface ModelAnswer {
  /** The registry id of the model that produced the accepted answer. */
  model: string
  attempts: Attempt[]
  usage: Usage
}

export interface DecideInput {
  dialogue: Dialogue
  /** Whose next turn is asked about; they need not have spoken yet. When absent the model names the speaker. */
  speaker?: string
  /** The chat's members, including any who have not spoken; when given, `speaker` must be one of them or a dialogue speaker. */
  participants?: string[]
  model?: string
  /** False: take the first valid answer of the route even when a cascade would escalate it. Default true. */
  cascade?: boolean
}

export interface Trigger {
  turn: number
  text: string
}

export interface DecideNextResult extends ModelAnswer {
  share: boolean
  speaker: string
  confidence: number
  intents: Intent[]
  trigger: Trigger | null
  rationale: string
}

export interface RankCandidate {
  turn: number
  utterance: string
  speaker: string
  confidence: number
  rationale: string
}

export interface DecideRankResult extends ModelAnswer {
  candidates: RankCandidate[]
}

export interface DescribeInput {
  dialogue: Dialogue
  speaker?: string
  restrictions?: Restriction[]
  n?: number
  model?: string
}

export interface Description {
  text: string
  salient: string[]
}

export interface DescribeResult extends ModelAnswer {
  descriptions: Description[]
}

export interface RetrieveInput {
  descriptions: string[]
  k?: number
  index?: string
  /** Exact-match metadata filter, all of which must hold (`labels`/`label`, `id`, `url`); the index checks the keys. */
  filter?: Record<string, string>
  /** HNSW search breadth for this request, 1..`retrieval.hnsw.maxEf`; the index checks it, exact search ignores it. */
  ef?: number
}

export interface ImageResult {
  id: string
  url: string
  caption: string
  score: number
}

export interface RetrieveResult {
  results: ImageResult[]
  index: string
}

export interface ShareInput {
  dialogue: Dialogue
  speaker?: string
  /** As in `DecideInput`. */
  participants?: string[]
  k?: number
  model?: string
  restrictions?: Restriction[]
  n?: number
  /** False: no cascade escalation for Decide (see DecideInput.cascade). */
  cascade?: boolean
  index?: string
}

export interface ShareResult {
  decision: DecideNextResult
  descriptions: Description[]
  results: ImageResult[]
  /** Tokens of every model stage that ran (Decide, and Describe when the decision is yes), summed. */
  usage: Usage
  /** Which model described the image, after which attempts, at what cost; null when the decision is no. */
  describe: ModelAnswer | null
}
