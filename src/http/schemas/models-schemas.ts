/** Wire schema of `GET /v1/models`: the registry as clients may see it (no keys, no key variable names). */
import { Type } from 'typebox'
import { SCALES } from '../../core/types.js'

export const ModelInfoSchema = Type.Object(
  {
    id: Type.String(),
    provider: Type.String({ examples: ['openai', 'embedded'] }),
    scale: Type.Enum([...SCALES]),
    parameters: Type.Optional(Type.Union([Type.Number(), Type.String()], { description: 'Parameter count, e.g. 8000000000 or "8B".' })),
    output: Type.Enum(['json_schema', 'json_object', 'text'], { description: 'The structured output the backend supports.' }),
    aliases: Type.Array(Type.String()),
    routes: Type.Array(
      Type.Object(
        { stage: Type.String(), position: Type.Integer({ minimum: 0, description: '0 = primary, then fallbacks in order.' }) },
        { additionalProperties: false },
      ),
    ),
    upstream_model: Type.Optional(Type.String()),
    base_url: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)

export const EmbedderInfoSchema = Type.Object(
  {
    id: Type.String(),
    provider: Type.String(),
    dimension: Type.Optional(Type.Integer({ minimum: 1 })),
    modalities: Type.Array(Type.String()),
  },
  { additionalProperties: false },
)

export const ModelListResponseSchema = Type.Object(
  {
    models: Type.Array(ModelInfoSchema),
    embedders: Type.Array(EmbedderInfoSchema),
    aliases: Type.Record(Type.String(), Type.String(), { description: 'Alias -> model id.' }),
    routes: Type.Record(Type.String(), Type.Array(Type.String()), { description: 'Stage -> model ids, primary first.' }),
  },
  { additionalProperties: false, description: 'The model registry without secrets.' },
)
