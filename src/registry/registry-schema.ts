/**
 * The model registry file format (YAML). Keys are snake_case, as operators write them.
 * Secrets never appear here: a model names the environment variable that holds its key.
 */
import { Type, type Static } from 'typebox'
import { SCALES, type Scale } from '../core/types.js'

/**
 * Spelled out rather than mapped from SCALES: TypeBox derives `never` from a union built with
 * `.map`, which made `ModelEntry['scale']` unusable. The two checks below keep both lists equal.
 */
const ScaleSchema = Type.Union([Type.Literal('tiny'), Type.Literal('small'), Type.Literal('medium'), Type.Literal('large'), Type.Literal('xl')])
const everyScaleAccepted: ReadonlyArray<Static<typeof ScaleSchema>> = SCALES
const onlyScalesAccepted = (scale: Static<typeof ScaleSchema>): Scale => scale
void everyScaleAccepted
void onlyScalesAccepted

const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:/@-]*$' })

/** A route entry: a model id or alias, or (Decide and Rank) `{model, min_confidence}` for a cascade step. */
const CascadeEntry = Type.Union([
  Id,
  Type.Object({ model: Id, min_confidence: Type.Number({ minimum: 0, maximum: 1 }) }, { additionalProperties: false }),
])

const Decoding = Type.Object(
  {
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    top_p: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    max_tokens: Type.Optional(Type.Integer({ minimum: 1 })),
    seed: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
)

export const ModelEntrySchema = Type.Object(
  {
    id: Id,
    provider: Type.Union([Type.Literal('openai'), Type.Literal('embedded')]),
    /** OpenAI-compatible base URL, e.g. http://localhost:11434/v1 (Ollama) or https://api.openai.com/v1. */
    base_url: Type.Optional(Type.String({ minLength: 1 })),
    /** Name of the environment variable holding the API key; omit for keyless local servers. */
    api_key_env: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' })),
    /** The model name the upstream expects; defaults to `id`. */
    upstream_model: Type.Optional(Type.String({ minLength: 1 })),
    scale: ScaleSchema,
    /** Parameter count, e.g. 8000000000 or "8B". Informational. */
    parameters: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: '^[0-9.]+[KMBT]?$' })])),
    /** What structured output the backend supports. */
    output: Type.Union([Type.Literal('json_schema'), Type.Literal('json_object'), Type.Literal('text')], { default: 'json_object' }),
    /** Decoding per stage: Decide greedy by default, Describe may sample. */
    decoding: Type.Object(
      {
        decide: Type.Optional(Decoding),
        rank: Type.Optional(Decoding),
        describe: Type.Optional(Decoding),
      },
      { additionalProperties: false, default: {} },
    ),
    timeout_ms: Type.Integer({ minimum: 1, default: 30_000 }),
    /**
     * Longest silence allowed while waiting for response headers or between body bytes; catches an
     * upstream that accepts the connection and then says nothing. Capped by `timeout_ms`.
     */
    idle_timeout_ms: Type.Optional(Type.Integer({ minimum: 1 })),
    max_concurrency: Type.Integer({ minimum: 1, default: 64 }),
    /** Requests allowed to wait for a concurrency slot before new ones are refused. */
    max_queue: Type.Integer({ minimum: 0, default: 256 }),
    /** Extra HTTP headers sent upstream (e.g. api-version for Azure). Values must not be secrets. */
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    aliases: Type.Optional(Type.Array(Id)),
  },
  { additionalProperties: false },
)

export const EmbedderEntrySchema = Type.Object(
  {
    id: Id,
    provider: Type.Union([Type.Literal('openai'), Type.Literal('embedded')]),
    base_url: Type.Optional(Type.String({ minLength: 1 })),
    api_key_env: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' })),
    upstream_model: Type.Optional(Type.String({ minLength: 1 })),
    dimension: Type.Optional(Type.Integer({ minimum: 1 })),
    batch_size: Type.Integer({ minimum: 1, default: 64 }),
    timeout_ms: Type.Integer({ minimum: 1, default: 30_000 }),
    /** As for models: the longest silence allowed from the upstream, capped by `timeout_ms`. */
    idle_timeout_ms: Type.Optional(Type.Integer({ minimum: 1 })),
    max_concurrency: Type.Integer({ minimum: 1, default: 8 }),
    /** CLIP-style servers embed images too; `text` is enough for captions. */
    modalities: Type.Array(Type.Union([Type.Literal('text'), Type.Literal('image')]), { default: ['text'] }),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
)

export const RegistrySchema = Type.Object(
  {
    version: Type.Literal(1),
    models: Type.Array(ModelEntrySchema, { minItems: 1 }),
    embedders: Type.Array(EmbedderEntrySchema, { default: [] }),
    /** Extra names for models: alias -> model id. Per-model `aliases` are merged in. */
    aliases: Type.Record(Id, Id, { default: {} }),
    /**
     * Per stage, an ordered list of model ids or aliases: the first is primary, the rest fallbacks.
     * A Decide or Rank entry written `{model, min_confidence}` makes the route a cascade: that
     * model's valid answer is accepted only when its confidence reaches `min_confidence`, otherwise
     * the next model is asked (`escalated`, reason `low_confidence`).
     */
    routes: Type.Object(
      {
        decide: Type.Array(CascadeEntry, { minItems: 1 }),
        rank: Type.Optional(Type.Array(CascadeEntry, { minItems: 1 })),
        describe: Type.Array(Id, { minItems: 1 }),
      },
      { additionalProperties: false },
    ),
    /** How Share chains the stages. */
    share: Type.Optional(
      Type.Object(
        {
          /**
           * When Share's Decide answer came from an escalation, Describe asks the model that answered
           * Decide first (then the describe route), so the image is described by the model that was
           * sure enough to decide. Default false.
           */
          describe_follows_decide: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

export type ModelEntry = Static<typeof ModelEntrySchema>
export type EmbedderEntry = Static<typeof EmbedderEntrySchema>
export type RegistryData = Static<typeof RegistrySchema>
export type RouteEntry = Static<typeof CascadeEntry>

/** The model id or alias a route entry names. */
export const routeEntryName = (entry: RouteEntry): string => (typeof entry === 'string' ? entry : entry.model)
