/**
 * Shapes between the proto messages (as `@grpc/proto-loader` decodes them with
 * `protoLoaderOptions`) and the core's domain types. Names already agree (snake_case on both
 * sides); what changes is enums (`INTENT_SOCIAL_BONDING` <-> `social_bonding`), absent versus
 * null (`trigger`), the Decide oneof and the ModelInfo `parameters` oneof.
 *
 * Both directions live here: the server reads requests and writes results, clients (the
 * `driber call` command, tests) write requests and read results. Nothing here decides anything
 * about a stage: invalid values that the proto can express but the domain cannot (an
 * UNSPECIFIED or unknown enum number) become INVALID_ARGUMENT, everything else is the core's job.
 */
import { DriberError } from '../errors.js'
import type { ModelInfo, ModelList } from '../core/driber-core.js'
import type {
  Attempt,
  DecideInput,
  DecideNextResult,
  DecideRankResult,
  DescribeInput,
  DescribeResult,
  Description,
  EscalationReason,
  Dialogue,
  ImageResult,
  Intent,
  ModelAnswer,
  ParseFailureReason,
  RankCandidate,
  Restriction,
  RetrieveInput,
  RetrieveResult,
  Scale,
  ShareInput,
  ShareResult,
  Usage,
} from '../core/types.js'
import type { ErrorCode } from '../errors.js'
import type { Attempt as WireAttempt, Attempt__Output as WireAttemptOutput } from './generated/driber/v1/Attempt.js'
import type { AttemptOutcome__Output } from './generated/driber/v1/AttemptOutcome.js'
import type { EscalationReason__Output } from './generated/driber/v1/EscalationReason.js'
import type { DecideNextResult as WireDecideNext, DecideNextResult__Output as WireDecideNextOutput } from './generated/driber/v1/DecideNextResult.js'
import type { DecideRankResult as WireDecideRank, DecideRankResult__Output as WireDecideRankOutput } from './generated/driber/v1/DecideRankResult.js'
import type { DecideRequest, DecideRequest__Output } from './generated/driber/v1/DecideRequest.js'
import type { DecideResponse, DecideResponse__Output } from './generated/driber/v1/DecideResponse.js'
import type { DescribeRequest, DescribeRequest__Output } from './generated/driber/v1/DescribeRequest.js'
import type { DescribeResponse, DescribeResponse__Output } from './generated/driber/v1/DescribeResponse.js'
import type { Description__Output as WireDescriptionOutput } from './generated/driber/v1/Description.js'
import type { ImageResult__Output as WireImageResultOutput } from './generated/driber/v1/ImageResult.js'
import type { Intent__Output } from './generated/driber/v1/Intent.js'
import type { ListModelsResponse, ListModelsResponse__Output } from './generated/driber/v1/ListModelsResponse.js'
import type { ModelAnswer as WireModelAnswer, ModelAnswer__Output as WireModelAnswerOutput } from './generated/driber/v1/ModelAnswer.js'
import type { ModelInfo as WireModelInfo, ModelInfo__Output as WireModelInfoOutput } from './generated/driber/v1/ModelInfo.js'
import type { OutputMode__Output } from './generated/driber/v1/OutputMode.js'
import type { ParseFailureReason__Output } from './generated/driber/v1/ParseFailureReason.js'
import type { RankRequest, RankRequest__Output } from './generated/driber/v1/RankRequest.js'
import type { Restriction__Output } from './generated/driber/v1/Restriction.js'
import type { RetrieveRequest, RetrieveRequest__Output } from './generated/driber/v1/RetrieveRequest.js'
import type { RetrieveResponse, RetrieveResponse__Output } from './generated/driber/v1/RetrieveResponse.js'
import type { Scale__Output } from './generated/driber/v1/Scale.js'
import type { ShareRequest, ShareRequest__Output } from './generated/driber/v1/ShareRequest.js'
import type { ShareResponse, ShareResponse__Output } from './generated/driber/v1/ShareResponse.js'
import type { Turn, Turn__Output } from './generated/driber/v1/Turn.js'
import type { Usage__Output as WireUsageOutput } from './generated/driber/v1/Usage.js'

export type DecideMode = 'next' | 'rank'
type OutputMode = ModelInfo['output']
type AttemptOutcome = Attempt['outcome']

/**
 * An enum table, domain value -> proto name. Typed as a full `Record` so adding a value to the
 * domain without the proto (or the other way round) fails to compile.
 */
interface EnumTable<Domain extends string, Wire extends string> {
  readonly field: string
  readonly toWire: Readonly<Record<Domain, Wire>>
  readonly fromWire: ReadonlyMap<string, Domain>
}

const enumTable = <Domain extends string, Wire extends string>(field: string, toWire: Record<Domain, Wire>): EnumTable<Domain, Wire> => ({
  field,
  toWire,
  fromWire: new Map(Object.entries<Wire>(toWire).map(([domain, wire]) => [wire, domain as Domain])),
})

export const intentTable = enumTable<Intent, Exclude<Intent__Output, 'INTENT_UNSPECIFIED'>>('intents', {
  information_dissemination: 'INTENT_INFORMATION_DISSEMINATION',
  social_bonding: 'INTENT_SOCIAL_BONDING',
  humor_entertainment: 'INTENT_HUMOR_ENTERTAINMENT',
  visual_clarification: 'INTENT_VISUAL_CLARIFICATION',
  topic_transition: 'INTENT_TOPIC_TRANSITION',
  expression_of_emotion_opinion: 'INTENT_EXPRESSION_OF_EMOTION_OPINION',
})

export const restrictionTable = enumTable<Restriction, Exclude<Restriction__Output, 'RESTRICTION_UNSPECIFIED'>>('restrictions', {
  prefix: 'RESTRICTION_PREFIX',
  generic: 'RESTRICTION_GENERIC',
  specific: 'RESTRICTION_SPECIFIC',
  concise: 'RESTRICTION_CONCISE',
  detailed: 'RESTRICTION_DETAILED',
})

export const scaleTable = enumTable<Scale, Exclude<Scale__Output, 'SCALE_UNSPECIFIED'>>('scale', {
  tiny: 'SCALE_TINY',
  small: 'SCALE_SMALL',
  medium: 'SCALE_MEDIUM',
  large: 'SCALE_LARGE',
  xl: 'SCALE_XL',
})

export const parseFailureReasonTable = enumTable<ParseFailureReason, Exclude<ParseFailureReason__Output, 'PARSE_FAILURE_REASON_UNSPECIFIED'>>(
  'reason',
  {
    invalid_json: 'PARSE_FAILURE_REASON_INVALID_JSON',
    schema_violation: 'PARSE_FAILURE_REASON_SCHEMA_VIOLATION',
    refusal: 'PARSE_FAILURE_REASON_REFUSAL',
    truncated: 'PARSE_FAILURE_REASON_TRUNCATED',
    empty: 'PARSE_FAILURE_REASON_EMPTY',
  },
)

export const attemptOutcomeTable = enumTable<AttemptOutcome, Exclude<AttemptOutcome__Output, 'ATTEMPT_OUTCOME_UNSPECIFIED'>>('outcome', {
  ok: 'ATTEMPT_OUTCOME_OK',
  parse_failure: 'ATTEMPT_OUTCOME_PARSE_FAILURE',
  error: 'ATTEMPT_OUTCOME_ERROR',
  skipped: 'ATTEMPT_OUTCOME_SKIPPED',
  escalated: 'ATTEMPT_OUTCOME_ESCALATED',
})

export const escalationReasonTable = enumTable<EscalationReason, Exclude<EscalationReason__Output, 'ESCALATION_REASON_UNSPECIFIED'>>('escalation_reason', {
  low_confidence: 'ESCALATION_REASON_LOW_CONFIDENCE',
})

export const outputModeTable = enumTable<OutputMode, Exclude<OutputMode__Output, 'OUTPUT_MODE_UNSPECIFIED'>>('output', {
  json_schema: 'OUTPUT_MODE_JSON_SCHEMA',
  json_object: 'OUTPUT_MODE_JSON_OBJECT',
  text: 'OUTPUT_MODE_TEXT',
})

/** Every table, for the test that checks each proto enum value has a domain counterpart. */
export const enumTables = {
  Intent: intentTable,
  Restriction: restrictionTable,
  Scale: scaleTable,
  ParseFailureReason: parseFailureReasonTable,
  AttemptOutcome: attemptOutcomeTable,
  EscalationReason: escalationReasonTable,
  OutputMode: outputModeTable,
} as const

/**
 * Proto name (or, from a peer with a newer proto, a bare number) -> domain value. UNSPECIFIED and
 * unknown values are the caller's mistake on requests, and a server bug on responses.
 */
const enumFromWire = <Domain extends string>(table: EnumTable<Domain, string>, value: string | number, path: string): Domain => {
  const domain = typeof value === 'string' ? table.fromWire.get(value) : undefined
  if (domain === undefined) {
    throw new DriberError('INVALID_ARGUMENT', {
      message: `${path} must be one of ${[...table.fromWire.keys()].join(', ')}`,
      details: { field: path, value },
    })
  }
  return domain
}

/** Domain value -> proto name; a value the table lacks is a programming error. */
const enumToWire = <Domain extends string, Wire extends string>(table: EnumTable<Domain, Wire>, value: Domain): Wire => {
  const wire = table.toWire[value]
  if (wire === undefined) throw new DriberError('INTERNAL', { message: `No proto value for ${table.field} "${String(value)}"` })
  return wire
}

/** Copies a proto3 `optional` field only when the sender set it, so absent stays absent. */
const withOptional = <Target extends object, Key extends string, Value>(
  target: Target,
  key: Key,
  value: Value | undefined,
): Target & Partial<Record<Key, Value>> => {
  if (value !== undefined) (target as Record<string, unknown>)[key] = value
  return target as Target & Partial<Record<Key, Value>>
}

// ---------------------------------------------------------------- requests: wire -> domain (server)

const dialogueFromWire = (dialogue: Turn__Output[]): Dialogue => dialogue.map((turn) => ({ speaker: turn.speaker, text: turn.text }))

/** A repeated field cannot be absent: no names is HTTP's missing `participants` (HTTP refuses an empty list). */
const participantsFromWire = (participants: string[]): string[] | undefined => (participants.length === 0 ? undefined : [...participants])

const restrictionsFromWire = (restrictions: Array<Restriction__Output | number>): Restriction[] | undefined =>
  restrictions.length === 0 ? undefined : restrictions.map((value, index) => enumFromWire(restrictionTable, value, `restrictions[${index}]`))

/** Decide's request, and which mode it asks for (UNSPECIFIED means NEXT, as HTTP's default). */
export const decideRequestFromWire = (request: DecideRequest__Output): { input: DecideInput; mode: DecideMode } => {
  const mode: string | number = request.mode
  if (mode !== 'DECIDE_MODE_UNSPECIFIED' && mode !== 'DECIDE_MODE_NEXT' && mode !== 'DECIDE_MODE_RANK') {
    throw new DriberError('INVALID_ARGUMENT', { message: 'mode must be DECIDE_MODE_NEXT or DECIDE_MODE_RANK', details: { field: 'mode', value: mode } })
  }
  return { input: rankRequestFromWire(request), mode: mode === 'DECIDE_MODE_RANK' ? 'rank' : 'next' }
}

export const rankRequestFromWire = (request: RankRequest__Output | DecideRequest__Output): DecideInput => {
  const input: DecideInput = { dialogue: dialogueFromWire(request.dialogue) }
  withOptional(input, 'speaker', request.speaker)
  withOptional(input, 'cascade', request.cascade)
  withOptional(input, 'participants', participantsFromWire(request.participants))
  return withOptional(input, 'model', request.model)
}

export const describeRequestFromWire = (request: DescribeRequest__Output): DescribeInput => {
  const input: DescribeInput = { dialogue: dialogueFromWire(request.dialogue) }
  withOptional(input, 'speaker', request.speaker)
  withOptional(input, 'restrictions', restrictionsFromWire(request.restrictions))
  withOptional(input, 'n', request.n)
  return withOptional(input, 'model', request.model)
}

export const retrieveRequestFromWire = (request: RetrieveRequest__Output): RetrieveInput => {
  const input: RetrieveInput = { descriptions: [...request.descriptions] }
  withOptional(input, 'k', request.k)
  withOptional(input, 'index', request.index)
  // A proto map cannot be absent: no entries is HTTP's missing `filter`.
  if (Object.keys(request.filter).length > 0) input.filter = { ...request.filter }
  return withOptional(input, 'ef', request.ef)
}

export const shareRequestFromWire = (request: ShareRequest__Output): ShareInput => {
  const input: ShareInput = { dialogue: dialogueFromWire(request.dialogue) }
  withOptional(input, 'speaker', request.speaker)
  withOptional(input, 'participants', participantsFromWire(request.participants))
  withOptional(input, 'k', request.k)
  withOptional(input, 'model', request.model)
  withOptional(input, 'restrictions', restrictionsFromWire(request.restrictions))
  withOptional(input, 'n', request.n)
  withOptional(input, 'cascade', request.cascade)
  return withOptional(input, 'index', request.index)
}

// ---------------------------------------------------------------- results: domain -> wire (server)

const usageToWire = (usage: Usage): WireUsageOutput => ({
  input_tokens: usage.input_tokens,
  output_tokens: usage.output_tokens,
  total_tokens: usage.total_tokens,
})

const attemptToWire = (attempt: Attempt): WireAttempt => {
  const wire: WireAttempt = { model: attempt.model, outcome: enumToWire(attemptOutcomeTable, attempt.outcome), duration_ms: attempt.duration_ms }
  if (attempt.reason !== undefined) wire.reason = enumToWire(parseFailureReasonTable, attempt.reason)
  if (attempt.code !== undefined) wire.code = attempt.code
  if (attempt.escalation_reason !== undefined) wire.escalation_reason = enumToWire(escalationReasonTable, attempt.escalation_reason)
  if (attempt.confidence !== undefined) wire.confidence = attempt.confidence
  if (attempt.min_confidence !== undefined) wire.min_confidence = attempt.min_confidence
  return wire
}

export const decideNextToWire = (result: DecideNextResult): WireDecideNext => ({
  share: result.share,
  speaker: result.speaker,
  confidence: result.confidence,
  intents: result.intents.map((intent) => enumToWire(intentTable, intent)),
  trigger: result.trigger === null ? null : { turn: result.trigger.turn, text: result.trigger.text },
  rationale: result.rationale,
  model: result.model,
  attempts: result.attempts.map(attemptToWire),
  usage: usageToWire(result.usage),
})

const candidateToWire = (candidate: RankCandidate): RankCandidate => ({
  turn: candidate.turn,
  utterance: candidate.utterance,
  speaker: candidate.speaker,
  confidence: candidate.confidence,
  rationale: candidate.rationale,
})

export const decideRankToWire = (result: DecideRankResult): WireDecideRank => ({
  candidates: result.candidates.map(candidateToWire),
  model: result.model,
  attempts: result.attempts.map(attemptToWire),
  usage: usageToWire(result.usage),
})

export const decideResponseToWire = (result: { mode: 'next'; result: DecideNextResult } | { mode: 'rank'; result: DecideRankResult }): DecideResponse =>
  result.mode === 'next' ? { next: decideNextToWire(result.result) } : { rank: decideRankToWire(result.result) }

const descriptionToWire = (description: Description): Description => ({ text: description.text, salient: [...description.salient] })
const imageToWire = (image: ImageResult): ImageResult => ({ id: image.id, url: image.url, caption: image.caption, score: image.score })

export const describeResponseToWire = (result: DescribeResult): DescribeResponse => ({
  descriptions: result.descriptions.map(descriptionToWire),
  model: result.model,
  attempts: result.attempts.map(attemptToWire),
  usage: usageToWire(result.usage),
})

export const retrieveResponseToWire = (result: RetrieveResult): RetrieveResponse => ({
  results: result.results.map(imageToWire),
  index: result.index,
})

const modelAnswerToWire = (answer: ModelAnswer): WireModelAnswer => ({
  model: answer.model,
  attempts: answer.attempts.map(attemptToWire),
  usage: usageToWire(answer.usage),
})

export const shareResponseToWire = (result: ShareResult): ShareResponse => ({
  decision: decideNextToWire(result.decision),
  descriptions: result.descriptions.map(descriptionToWire),
  results: result.results.map(imageToWire),
  usage: usageToWire(result.usage),
  describe: result.describe === null ? null : modelAnswerToWire(result.describe),
})

const modelInfoToWire = (model: ModelInfo): WireModelInfo => {
  const wire: WireModelInfo = {
    id: model.id,
    provider: model.provider,
    scale: enumToWire(scaleTable, model.scale),
    output: enumToWire(outputModeTable, model.output),
    aliases: [...model.aliases],
    routes: model.routes.map((route) =>
      route.min_confidence === undefined ? { stage: route.stage, position: route.position } : { stage: route.stage, position: route.position, min_confidence: route.min_confidence },
    ),
  }
  if (typeof model.parameters === 'number') wire.parameter_count = model.parameters
  else if (typeof model.parameters === 'string') wire.parameter_label = model.parameters
  if (model.upstream_model !== undefined) wire.upstream_model = model.upstream_model
  if (model.base_url !== undefined) wire.base_url = model.base_url
  return wire
}

export const listModelsResponseToWire = (list: ModelList): ListModelsResponse => ({
  models: list.models.map(modelInfoToWire),
  embedders: list.embedders.map((embedder) => {
    const wire: { id: string; provider: string; dimension?: number; modalities: string[] } = {
      id: embedder.id,
      provider: embedder.provider,
      modalities: [...embedder.modalities],
    }
    if (embedder.dimension !== undefined) wire.dimension = embedder.dimension
    return wire
  }),
  aliases: { ...list.aliases },
  routes: Object.fromEntries(Object.entries(list.routes).map(([stage, models]) => [stage, { models: [...models] }])),
})

// ---------------------------------------------------------------- requests: domain -> wire (clients)

const dialogueToWire = (dialogue: Dialogue): Turn[] => dialogue.map((turn) => ({ speaker: turn.speaker, text: turn.text }))
const restrictionsToWire = (restrictions: Restriction[] | undefined): Array<Restriction__Output> =>
  (restrictions ?? []).map((restriction, index) => {
    const wire = restrictionTable.toWire[restriction]
    if (wire === undefined) {
      throw new DriberError('INVALID_ARGUMENT', {
        message: `restrictions[${index}] must be one of ${Object.keys(restrictionTable.toWire).join(', ')}`,
        details: { field: `restrictions[${index}]`, value: restriction },
      })
    }
    return wire
  })

export const decideRequestToWire = (input: DecideInput, mode: DecideMode = 'next'): DecideRequest => {
  const request: DecideRequest = { dialogue: dialogueToWire(input.dialogue), mode: mode === 'rank' ? 'DECIDE_MODE_RANK' : 'DECIDE_MODE_NEXT' }
  withOptional(request, 'speaker', input.speaker)
  withOptional(request, 'cascade', input.cascade)
  withOptional(request, 'participants', input.participants === undefined ? undefined : [...input.participants])
  return withOptional(request, 'model', input.model)
}

export const rankRequestToWire = (input: DecideInput): RankRequest => {
  const request: RankRequest = { dialogue: dialogueToWire(input.dialogue) }
  withOptional(request, 'speaker', input.speaker)
  withOptional(request, 'cascade', input.cascade)
  withOptional(request, 'participants', input.participants === undefined ? undefined : [...input.participants])
  return withOptional(request, 'model', input.model)
}

export const describeRequestToWire = (input: DescribeInput): DescribeRequest => {
  const request: DescribeRequest = { dialogue: dialogueToWire(input.dialogue), restrictions: restrictionsToWire(input.restrictions) }
  withOptional(request, 'speaker', input.speaker)
  withOptional(request, 'n', input.n)
  return withOptional(request, 'model', input.model)
}

export const retrieveRequestToWire = (input: RetrieveInput): RetrieveRequest => {
  const request: RetrieveRequest = { descriptions: [...input.descriptions] }
  withOptional(request, 'k', input.k)
  withOptional(request, 'index', input.index)
  if (input.filter !== undefined) request.filter = { ...input.filter }
  return withOptional(request, 'ef', input.ef)
}

export const shareRequestToWire = (input: ShareInput): ShareRequest => {
  const request: ShareRequest = { dialogue: dialogueToWire(input.dialogue), restrictions: restrictionsToWire(input.restrictions) }
  withOptional(request, 'speaker', input.speaker)
  withOptional(request, 'participants', input.participants === undefined ? undefined : [...input.participants])
  withOptional(request, 'k', input.k)
  withOptional(request, 'model', input.model)
  withOptional(request, 'n', input.n)
  withOptional(request, 'cascade', input.cascade)
  return withOptional(request, 'index', input.index)
}

// ---------------------------------------------------------------- results: wire -> domain (clients)

const usageFromWire = (usage: WireUsageOutput | null): Usage => ({
  input_tokens: usage?.input_tokens ?? 0,
  output_tokens: usage?.output_tokens ?? 0,
  total_tokens: usage?.total_tokens ?? 0,
})

const attemptFromWire = (attempt: WireAttemptOutput, index: number): Attempt => {
  const domain: Attempt = {
    model: attempt.model,
    outcome: enumFromWire(attemptOutcomeTable, attempt.outcome, `attempts[${index}].outcome`),
    duration_ms: attempt.duration_ms,
  }
  if (attempt.reason !== undefined) domain.reason = enumFromWire(parseFailureReasonTable, attempt.reason, `attempts[${index}].reason`)
  if (attempt.code !== undefined) domain.code = attempt.code as ErrorCode
  if (attempt.escalation_reason !== undefined) {
    domain.escalation_reason = enumFromWire(escalationReasonTable, attempt.escalation_reason, `attempts[${index}].escalation_reason`)
  }
  if (attempt.confidence !== undefined) domain.confidence = attempt.confidence
  if (attempt.min_confidence !== undefined) domain.min_confidence = attempt.min_confidence
  return domain
}

export const decideNextFromWire = (result: WireDecideNextOutput): DecideNextResult => ({
  share: result.share,
  speaker: result.speaker,
  confidence: result.confidence,
  intents: result.intents.map((intent, index) => enumFromWire(intentTable, intent, `intents[${index}]`)),
  trigger: result.trigger === null ? null : { turn: result.trigger.turn, text: result.trigger.text },
  rationale: result.rationale,
  model: result.model,
  attempts: result.attempts.map(attemptFromWire),
  usage: usageFromWire(result.usage),
})

export const decideRankFromWire = (result: WireDecideRankOutput): DecideRankResult => ({
  candidates: result.candidates.map(candidateToWire),
  model: result.model,
  attempts: result.attempts.map(attemptFromWire),
  usage: usageFromWire(result.usage),
})

/** Decide's oneof, unwrapped to the HTTP body shape of whichever mode answered. */
export const decideResponseFromWire = (response: DecideResponse__Output): DecideNextResult | DecideRankResult => {
  if (response.result === 'rank' && response.rank) return decideRankFromWire(response.rank)
  if (response.result === 'next' && response.next) return decideNextFromWire(response.next)
  throw new DriberError('INTERNAL', { message: 'Decide response carries no result' })
}

const descriptionFromWire = (description: WireDescriptionOutput): Description => ({ text: description.text, salient: [...description.salient] })
const imageFromWire = (image: WireImageResultOutput): ImageResult => ({ id: image.id, url: image.url, caption: image.caption, score: image.score })

export const describeResponseFromWire = (response: DescribeResponse__Output): DescribeResult => ({
  descriptions: response.descriptions.map(descriptionFromWire),
  model: response.model,
  attempts: response.attempts.map(attemptFromWire),
  usage: usageFromWire(response.usage),
})

export const retrieveResponseFromWire = (response: RetrieveResponse__Output): RetrieveResult => ({
  results: response.results.map(imageFromWire),
  index: response.index,
})

const modelAnswerFromWire = (answer: WireModelAnswerOutput): ModelAnswer => ({
  model: answer.model,
  attempts: answer.attempts.map(attemptFromWire),
  usage: usageFromWire(answer.usage),
})

export const shareResponseFromWire = (response: ShareResponse__Output): ShareResult => {
  if (response.decision === null) throw new DriberError('INTERNAL', { message: 'Share response carries no decision' })
  return {
    decision: decideNextFromWire(response.decision),
    descriptions: response.descriptions.map(descriptionFromWire),
    results: response.results.map(imageFromWire),
    usage: usageFromWire(response.usage),
    describe: response.describe === null ? null : modelAnswerFromWire(response.describe),
  }
}

const modelInfoFromWire = (model: WireModelInfoOutput, index: number): ModelInfo => {
  const domain: ModelInfo = {
    id: model.id,
    provider: model.provider,
    scale: enumFromWire(scaleTable, model.scale, `models[${index}].scale`),
    output: enumFromWire(outputModeTable, model.output, `models[${index}].output`),
    aliases: [...model.aliases],
    routes: model.routes.map((route) =>
      route.min_confidence === undefined ? { stage: route.stage, position: route.position } : { stage: route.stage, position: route.position, min_confidence: route.min_confidence },
    ),
  }
  if (model.parameters === 'parameter_count' && model.parameter_count !== undefined) domain.parameters = model.parameter_count
  if (model.parameters === 'parameter_label' && model.parameter_label !== undefined) domain.parameters = model.parameter_label
  if (model.upstream_model !== undefined) domain.upstream_model = model.upstream_model
  if (model.base_url !== undefined) domain.base_url = model.base_url
  return domain
}

export const listModelsResponseFromWire = (response: ListModelsResponse__Output): ModelList => ({
  models: response.models.map(modelInfoFromWire),
  embedders: response.embedders.map((embedder) => {
    const domain: ModelList['embedders'][number] = { id: embedder.id, provider: embedder.provider, modalities: [...embedder.modalities] }
    if (embedder.dimension !== undefined) domain.dimension = embedder.dimension
    return domain
  }),
  aliases: { ...response.aliases },
  routes: Object.fromEntries(Object.entries(response.routes).map(([stage, route]) => [stage, [...route.models]])),
})
