/** Wire schemas of the health endpoints. */
import { Type, type Static } from 'typebox'

export const LivenessResponseSchema = Type.Object(
  { status: Type.Literal('ok', { description: 'Always `ok`: an answer means the process is alive.' }) },
  { additionalProperties: false, description: 'The process is running.' },
)

export const ReadinessResponseSchema = Type.Object(
  {
    status: Type.Enum(['ready', 'not_ready'], { description: '`ready` exactly when the status code is 200.' }),
    registry: Type.Boolean({ description: 'The model registry is loaded.' }),
    draining: Type.Boolean({ description: 'Shutdown has begun; new work goes elsewhere.' }),
    indexes: Type.Array(
      Type.Object(
        {
          name: Type.String({ description: 'Index name.' }),
          ready: Type.Boolean({ description: 'Loaded and searchable.' }),
          size: Type.Integer({ minimum: 0, description: 'Images in the index.' }),
          loaded: Type.Optional(
            Type.Boolean({ description: '`false` for an index that loads on its first search (`load: first_use`) and has not been searched yet; its size is then 0.' }),
          ),
          error: Type.Optional(Type.String({ description: 'Why it is not ready.' })),
        },
        { additionalProperties: false, description: 'One image index.' },
      ),
      { description: 'Every configured image index.' },
    ),
    models: Type.Array(
      Type.Object(
        {
          model: Type.String({ description: 'Registry id.' }),
          state: Type.Enum(['closed', 'half_open', 'open'], { description: 'Circuit breaker state.' }),
        },
        { additionalProperties: false, description: 'One model and its breaker.' },
      ),
      { description: 'Per-model circuit breaker state.' },
    ),
  },
  { additionalProperties: false, description: 'Whether this instance should receive traffic, with the reasons.' },
)
export type ReadinessResponse = Static<typeof ReadinessResponseSchema>
