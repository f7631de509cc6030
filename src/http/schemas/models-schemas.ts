/** Wire schema of `GET /v1/models`: the registry as clients may see it (no keys, no key variable names). */
import { Type } from 'typebox'
import { SCALES } from '../../core/types.js'

export const ModelInfoSchema = Type.Object(
  {
    id: Type.String({ description: 'Registry id: what answers name in `model`.', examples: ['driber-lite'] }),
    provider: Type.String({ description: 'Backend kind.', examples: ['openai', 'embedded'] }),
    scale: Type.Enum([...SCALES], { description: 'Size class a request may ask for instead of an id.' }),
    parameters: Type.Optional(Type.Union([Type.Number(), Type.String()], { description: 'Parameter count, e.g. 8000000000 or "8B".' })),
    output: Type.Enum(['json_schema', 'json_object', 'text'], { description: 'The structured output the backend supports.' }),
    aliases: Type.Array(Type.String(), { description: 'Other names a request may use for this model.' }),
    routes: Type.Array(
      Type.Object(
        {
          stage: Type.String({ description: 'decide, rank or describe.' }),
          position: Type.Integer({ minimum: 0, description: '0 = primary, then fallbacks in order.' }),
          min_confidence: Type.Optional(
            Type.Number({ minimum: 0, maximum: 1, description: 'Set when the route is a cascade: answers of this model below it go to the next model.' }),
          ),
        },
        { additionalProperties: false, description: 'A route position.' },
      ),
      { description: 'The stage routes this model is on, and where.' },
    ),
    upstream_model: Type.Optional(Type.String({ description: 'The name the backend knows the model by.' })),
    base_url: Type.Optional(Type.String({ description: 'The backend address, without credentials or query.' })),
  },
  { additionalProperties: false, description: 'One chat model of the registry.' },
)

export const EmbedderInfoSchema = Type.Object(
  {
    id: Type.String({ description: 'Registry id of the embedder.', examples: ['driber-lite-embed'] }),
    provider: Type.String({ description: 'Backend kind.' }),
    dimension: Type.Optional(Type.Integer({ minimum: 1, description: 'Vector length, when known.' })),
    modalities: Type.Array(Type.String(), { description: 'What it embeds: text, and for CLIP-style servers images.' }),
  },
  { additionalProperties: false, description: 'One embedder of the registry.' },
)

export const ModelListResponseSchema = Type.Object(
  {
    models: Type.Array(ModelInfoSchema, { description: 'Chat models, in registry order.' }),
    embedders: Type.Array(EmbedderInfoSchema, { description: 'Embedding models used by image indexes.' }),
    aliases: Type.Record(Type.String(), Type.String(), { description: 'Alias -> model id.' }),
    routes: Type.Record(Type.String(), Type.Array(Type.String()), { description: 'Stage -> model ids, primary first.' }),
  },
  { additionalProperties: false, description: 'The model registry without secrets.' },
)
