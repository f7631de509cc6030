/** Wire schemas of `POST /v1/retrieve`. */
import { Type, type Static } from 'typebox'
import { ImageResultSchema, IndexNameSchema, KSchema } from './common-schemas.js'

export const RetrieveRequestSchema = Type.Object(
  {
    descriptions: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'Descriptions of the wanted image; scores are fused across them.',
      examples: [['An image of a sea turtle in clear water']],
    }),
    k: Type.Optional(KSchema),
    index: Type.Optional(IndexNameSchema),
  },
  { additionalProperties: false, description: 'Find images matching descriptions.' },
)
export type RetrieveRequest = Static<typeof RetrieveRequestSchema>

export const RetrieveResponseSchema = Type.Object(
  {
    results: Type.Array(ImageResultSchema, { description: 'Best first.' }),
    index: Type.String({ description: 'The index searched.' }),
  },
  { additionalProperties: false, description: 'Images matching the descriptions.' },
)
