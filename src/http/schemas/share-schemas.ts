/** Wire schemas of `POST /v1/share`: Decide, then Describe and Retrieve when the decision is yes. */
import { Type, type Static } from 'typebox'
import { CascadeSchema, DescriptionSchema, DialogueSchema, EXAMPLE_DIALOGUE, ImageResultSchema, IndexNameSchema, KSchema, modelAnswerFields, ModelNameSchema, NSchema, ParticipantsSchema, RestrictionsSchema, SpeakerSchema, UsageSchema } from './common-schemas.js'
import { DecideNextResponseSchema } from './decide-schemas.js'

export const ShareRequestSchema = Type.Object(
  {
    dialogue: DialogueSchema,
    speaker: Type.Optional(SpeakerSchema),
    participants: Type.Optional(ParticipantsSchema),
    k: Type.Optional(KSchema),
    model: Type.Optional(ModelNameSchema),
    restrictions: Type.Optional(RestrictionsSchema),
    n: Type.Optional(NSchema),
    index: Type.Optional(IndexNameSchema),
    cascade: Type.Optional(CascadeSchema),
  },
  {
    additionalProperties: false,
    description: 'The whole chain: decide, and when the answer is yes describe the image and retrieve matches.',
    examples: [
      {
        dialogue: EXAMPLE_DIALOGUE,
        speaker: 'Ana',
        k: 3,
      },
    ],
  },
)
export type ShareRequest = Static<typeof ShareRequestSchema>

export const ShareResponseSchema = Type.Object(
  {
    decision: DecideNextResponseSchema,
    descriptions: Type.Array(DescriptionSchema, { description: 'Empty when the decision is no.' }),
    results: Type.Array(ImageResultSchema, { description: 'Empty when the decision is no.' }),
    usage: Type.Object(UsageSchema.properties, {
      additionalProperties: false,
      description: 'Tokens of every model stage that ran (Decide, and Describe when the decision is yes), summed: what the request cost.',
    }),
    describe: Type.Union(
      [
        Type.Object(modelAnswerFields, {
          additionalProperties: false,
          description: "The Describe stage's model, attempts and tokens (Decide's are in `decision`).",
        }),
        Type.Null({ description: 'The decision is no: nothing was described.' }),
      ],
      { description: "The Describe stage's model, attempts and tokens, or null when the decision is no." },
    ),
  },
  { additionalProperties: false, description: 'The decision, and when it is yes the descriptions and images, with what each model stage cost.' },
)
