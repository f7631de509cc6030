/** Wire schemas of `POST /v1/describe`. */
import { Type, type Static } from 'typebox'
import { DescriptionSchema, DialogueSchema, EXAMPLE_DIALOGUE, modelAnswerFields, ModelNameSchema, NSchema, RestrictionsSchema } from './common-schemas.js'

export const DescribeRequestSchema = Type.Object(
  {
    dialogue: DialogueSchema,
    speaker: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Whose turn would include the image; they need not have spoken yet. When absent the model imagines it for whoever fits.',
        examples: ['Ana'],
      }),
    ),
    restrictions: Type.Optional(RestrictionsSchema),
    n: Type.Optional(NSchema),
    model: Type.Optional(ModelNameSchema),
  },
  {
    additionalProperties: false,
    description: 'Describe the image the next speaker would share.',
    examples: [
      {
        dialogue: EXAMPLE_DIALOGUE,
        speaker: 'Ana',
        restrictions: ['prefix', 'concise'],
        n: 1,
      },
    ],
  },
)
export type DescribeRequest = Static<typeof DescribeRequestSchema>

export const DescribeResponseSchema = Type.Object(
  {
    descriptions: Type.Array(DescriptionSchema, { description: 'Exactly `n` descriptions, distinct.' }),
    ...modelAnswerFields,
  },
  {
    additionalProperties: false,
    description: 'Descriptions of the image to share.',
    examples: [
      {
        descriptions: [{ text: 'An image of a sea turtle in clear water', salient: ['sea turtle', 'clear water'] }],
        model: 'driber-lite',
        attempts: [{ model: 'driber-lite', outcome: 'ok', duration_ms: 4 }],
        usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 },
      },
    ],
  },
)
