/**
 * Wire schemas shared by several endpoints. Field names are exactly those of `src/core/types.ts`;
 * every object is closed (`additionalProperties: false`) so unknown fields are rejected on the way
 * in and never leak on the way out (fast-json-stringify serialises only what is declared).
 *
 * Limits that depend on configuration (turns, characters, k, n) are enforced by the core, so HTTP
 * and gRPC report them with the same codes; the schemas carry only bounds that never change.
 */
import { Type, type Static } from 'typebox'
import { ESCALATION_REASONS, INTENTS, PARSE_FAILURE_REASONS, RESTRICTIONS } from '../../core/types.js'
import { ErrorCatalog } from '../../errors.js'

export const TurnSchema = Type.Object(
  {
    speaker: Type.String({ minLength: 1, description: 'Who sent it: a free name, kept verbatim in prompts.', examples: ['Ana'] }),
    text: Type.String({ description: 'What was written.', examples: ['We just got back from the beach!'] }),
  },
  {
    additionalProperties: false,
    description: "One message of a chat. Consecutive messages from one speaker form one turn (that speaker's turn).",
  },
)

/** The one example chat every request schema shows in the OpenAPI document. */
export const EXAMPLE_DIALOGUE = [
  { speaker: 'Ana', text: 'We just got back from the beach!' },
  { speaker: 'Ben', text: 'Nice, how was the water?' },
  { speaker: 'Ana', text: 'Crystal clear, and we saw a sea turtle.' },
]

export const DialogueSchema = Type.Array(TurnSchema, {
  minItems: 1,
  description:
    'The chat so far, one item per message, oldest first. Consecutive messages from one speaker form one turn. ' +
    'Positions in answers (`trigger.turn`, `candidates[].turn`) are 0-based positions in this list.',
  examples: [EXAMPLE_DIALOGUE],
})

export const SpeakerSchema = Type.String({
  minLength: 1,
  description:
    'Whose next turn is asked about (when the dialogue ends with their own message: the rest of their current turn). ' +
    'They need not have spoken yet; when `participants` is given, they must be one of them or a dialogue speaker.',
  examples: ['Ana'],
})

export const CascadeSchema = Type.Boolean({
  description:
    'Default true. false: take the route\'s first valid answer even where the registry makes the route a cascade (no escalation to a larger model on low confidence). Naming a `model` also turns the cascade off.',
})

export const ParticipantsSchema = Type.Array(Type.String({ minLength: 1 }), {
  minItems: 1,
  description:
    "The chat's members, including any who have not written yet (at most the configured maximum, names as long as speaker names; " +
    'duplicates ignored). With it, `speaker` must be a participant or a dialogue speaker, and without `speaker` the model may ' +
    'pick any participant. Without it, any `speaker` name is accepted.',
  examples: [['Ana', 'Ben', 'Cleo']],
})

export const ModelNameSchema = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'A model id, alias or scale (tiny, small, medium, large, xl) from the registry; omit for the default route.',
  examples: ['driber-lite', 'small'],
})

export const IndexNameSchema = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'Name of a configured image index; omit for the default index.',
  examples: ['photochat'],
})

export const KSchema = Type.Integer({ minimum: 1, description: 'How many images to return (at most the configured maximum).', examples: [5] })

export const NSchema = Type.Integer({ minimum: 1, description: 'How many descriptions to produce (at most the configured maximum).', examples: [1] })

export const IntentSchema = Type.Enum([...INTENTS], { description: 'Why a person shares an image.' })

export const RestrictionSchema = Type.Enum([...RESTRICTIONS], {
  description:
    '`prefix`: every description starts with "An image of"; `generic` or `specific` terms; `concise` or `detailed` descriptions.',
})

export const RestrictionsSchema = Type.Array(RestrictionSchema, {
  description: 'Restrictions on the descriptions; a repeated one counts once. `generic`/`specific` and `concise`/`detailed` exclude each other.',
  examples: [['prefix', 'concise']],
})

export const UsageSchema = Type.Object(
  {
    input_tokens: Type.Integer({ minimum: 0, description: 'Prompt tokens, summed over attempts.', examples: [412] }),
    output_tokens: Type.Integer({ minimum: 0, description: 'Completion tokens, summed over attempts.', examples: [58] }),
    total_tokens: Type.Integer({ minimum: 0, description: 'input_tokens + output_tokens.', examples: [470] }),
  },
  { additionalProperties: false, description: 'Tokens used across every attempt of the request (the embedded tier counts words).' },
)

export const AttemptSchema = Type.Object(
  {
    model: Type.String({ description: 'Registry id of the model called.' }),
    outcome: Type.Enum(['ok', 'parse_failure', 'error', 'skipped', 'escalated'], {
      description:
        '`ok`: accepted; `parse_failure`: unusable answer; `error`: the call failed; `skipped`: not called (circuit open, queue full); `escalated`: a valid answer below the cascade threshold, so the next model was asked.',
    }),
    reason: Type.Optional(Type.Enum([...PARSE_FAILURE_REASONS], { description: 'Why the answer failed to parse.' })),
    code: Type.Optional(Type.String({ description: 'The error code of a failed call.', examples: ['DRIBER_UPSTREAM_RATE_LIMITED'] })),
    duration_ms: Type.Number({ minimum: 0, description: 'How long the call took.', examples: [840] }),
    escalation_reason: Type.Optional(Type.Enum([...ESCALATION_REASONS], { description: 'Why an `escalated` answer was not accepted.' })),
    confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'The confidence of an `escalated` answer.', examples: [0.61] })),
    min_confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'The confidence the cascade required of that model.', examples: [0.8] })),
  },
  { additionalProperties: false, description: 'One call to one model: retries, re-asks and fallbacks each add one.' },
)

/** Fields every model-backed answer carries. */
export const modelAnswerFields = {
  model: Type.String({ description: 'Registry id of the model whose answer was accepted.', examples: ['driber-lite'] }),
  attempts: Type.Array(AttemptSchema, { description: 'Every model call made for this answer, in order (retries, re-asks, fallbacks).' }),
  usage: UsageSchema,
}

export const DescriptionSchema = Type.Object(
  {
    text: Type.String({ description: 'A description of the image to share.', examples: ['An image of a sea turtle swimming in clear water'] }),
    salient: Type.Array(Type.String({ minLength: 1 }), { description: 'The phrases of the dialogue the description rests on.', examples: [['sea turtle', 'clear water']] }),
  },
  { additionalProperties: false, description: 'One description of the image to share.' },
)

export const ImageResultSchema = Type.Object(
  {
    id: Type.String({ description: 'The image id in the index.', examples: ['turtle-0042'] }),
    url: Type.String({ description: 'Where the image is.', examples: ['https://example.org/images/turtle.jpg'] }),
    caption: Type.String({ description: 'The text the image is indexed by.', examples: ['Turtle, Water, Reef'] }),
    score: Type.Number({ description: 'Similarity of the image to the descriptions; higher is closer.', examples: [0.83] }),
  },
  { additionalProperties: false, description: 'One retrieved image.' },
)

const errorCodes = Object.values(ErrorCatalog).map((entry) => entry.code)

/** The one error body every status other than 2xx carries. */
export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ description: 'Stable error code from the catalog (see README).', examples: errorCodes.slice(0, 3) }),
        message: Type.String({ description: 'Human-readable; internal errors are not described.' }),
        details: Type.Optional(
          Type.Record(Type.String(), Type.Unknown(), {
            description: 'Structured detail: the offending field, a limit, the known models, the attempts made...',
          }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, $id: 'ErrorBody', title: 'ErrorBody', description: 'Every error: `{error: {code, message, details?}}`.' },
)
export type ErrorBody = Static<typeof ErrorBodySchema>

/** The statuses a model-backed endpoint can answer with besides 200, each with the shared error body. */
export const errorResponses = (statuses: readonly number[]): Record<number, typeof ErrorBodyReference> =>
  Object.fromEntries(statuses.map((status) => [status, ErrorBodyReference]))

/** A `$ref` to the shared schema, so the OpenAPI document lists the error body once. */
export const ErrorBodyReference = Type.Unsafe<ErrorBody>({ $ref: 'ErrorBody#' })

/** Statuses every endpoint that calls a model may answer. */
export const MODEL_ERROR_STATUSES = [400, 404, 413, 415, 429, 499, 500, 502, 503, 504] as const
