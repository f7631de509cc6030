/** Wire schemas of `POST /v1/decide` (both modes). */
import { Type, type Static } from 'typebox'
import { CascadeSchema, DialogueSchema, EXAMPLE_DIALOGUE, IntentSchema, modelAnswerFields, ModelNameSchema, ParticipantsSchema, SpeakerSchema } from './common-schemas.js'

export const DecideRequestSchema = Type.Object(
  {
    dialogue: DialogueSchema,
    speaker: Type.Optional(SpeakerSchema),
    participants: Type.Optional(ParticipantsSchema),
    mode: Type.Optional(
      Type.Enum(['next', 'rank'], {
        default: 'next',
        description:
          "`next`: should the speaker's next turn (or the rest of their current one) include an image? " +
          '`rank`: after which messages would an image fit, best first.',
      }),
    ),
    model: Type.Optional(ModelNameSchema),
    cascade: Type.Optional(CascadeSchema),
  },
  {
    additionalProperties: false,
    description: 'Decide whether an image fits in the dialogue.',
    examples: [
      {
        dialogue: EXAMPLE_DIALOGUE,
        speaker: 'Ana',
        mode: 'next',
      },
    ],
  },
)
export type DecideRequest = Static<typeof DecideRequestSchema>

export const TriggerSchema = Type.Union(
  [
    Type.Object(
      {
        turn: Type.Integer({ minimum: 0, description: 'Position of the message in the request `dialogue`.' }),
        text: Type.String({ description: 'That message\'s text, as sent.' }),
      },
      { additionalProperties: false, description: 'The message that prompted the image.' },
    ),
    Type.Null({ description: 'No message prompted it.' }),
  ],
  { description: 'The message that prompted the image, or null when none did.' },
)

export const DecideNextResponseSchema = Type.Object(
  {
    share: Type.Boolean({
      description:
        "Whether the speaker's next turn should include an image, with or without words (when the dialogue ends with their own message: the rest of their current turn).",
    }),
    speaker: Type.String({ description: 'Whose turn it is about (the requested speaker, or the one the model chose among speakers and participants).' }),
    confidence: Type.Number({ minimum: 0, maximum: 1, description: 'Confidence in `share`, 0 to 1.' }),
    intents: Type.Array(IntentSchema, { description: 'Why the image would be shared.' }),
    trigger: TriggerSchema,
    rationale: Type.String({ description: 'A short reason for the decision.' }),
    ...modelAnswerFields,
  },
  {
    additionalProperties: false,
    title: 'DecideNext',
    description: 'The answer in `next` mode.',
    examples: [
      {
        share: true,
        speaker: 'Ana',
        confidence: 0.82,
        intents: ['information_dissemination', 'expression_of_emotion_opinion'],
        trigger: { turn: 2, text: 'Crystal clear, and we saw a sea turtle.' },
        rationale: 'Ana mentions a sea turtle Ben has not seen; a photo shows it.',
        model: 'driber-lite',
        attempts: [{ model: 'driber-lite', outcome: 'ok', duration_ms: 3 }],
        usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 },
      },
    ],
  },
)

export const RankCandidateSchema = Type.Object(
  {
    turn: Type.Integer({ minimum: 0, description: 'Position in the request `dialogue` of the message after which an image fits.' }),
    utterance: Type.String({ description: 'That message\'s text, as sent.' }),
    speaker: Type.String({ description: 'That message\'s speaker.' }),
    confidence: Type.Number({ minimum: 0, maximum: 1, description: 'How well an image fits after this message, 0 to 1.' }),
    rationale: Type.String({ description: 'A short reason.' }),
  },
  { additionalProperties: false, description: 'A message after which an image fits.' },
)

export const DecideRankResponseSchema = Type.Object(
  {
    candidates: Type.Array(RankCandidateSchema, { description: 'Best first (highest confidence).' }),
    ...modelAnswerFields,
  },
  { additionalProperties: false, title: 'DecideRank', description: 'The answer in `rank` mode.' },
)

export const DecideResponseSchema = Type.Union([DecideNextResponseSchema, DecideRankResponseSchema], {
  description: '`next` mode answers DecideNext, `rank` mode answers DecideRank.',
})
