/** Wire schemas of `POST /v1/retrieve`. */
import { Type, type Static } from 'typebox'
import { ImageResultSchema, IndexNameSchema, KSchema, SearchBySchema } from './common-schemas.js'

export const RetrieveRequestSchema = Type.Object(
  {
    descriptions: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'Descriptions of the wanted image; scores are fused across them.',
      examples: [['An image of a sea turtle in clear water']],
    }),
    k: Type.Optional(KSchema),
    index: Type.Optional(IndexNameSchema),
    filter: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description:
          'Exact-match metadata filter, all of which must hold: `labels` (or `label`) keeps images whose labels include the value, `id` and `url` match the field; other keys are refused.',
        examples: [{ labels: 'turtle' }],
      }),
    ),
    ef: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: "HNSW search breadth for this request, up to the index's `maxEf` (its `efSearch` when absent); raised to `k` when smaller. Exact indexes ignore it.",
        examples: [256],
      }),
    ),
    by: Type.Optional(SearchBySchema),
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
