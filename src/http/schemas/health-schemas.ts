/** Wire schemas of the health endpoints. */
import { Type, type Static } from 'typebox'

export const LivenessResponseSchema = Type.Object(
  { status: Type.Literal('ok') },
  { additionalProperties: false, description: 'The process is running.' },
)

export const ReadinessResponseSchema = Type.Object(
  {
    status: Type.Enum(['ready', 'not_ready']),
    registry: Type.Boolean({ description: 'The model registry is loaded.' }),
    draining: Type.Boolean({ description: 'Shutdown has begun; new work goes elsewhere.' }),
    indexes: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          ready: Type.Boolean(),
          size: Type.Integer({ minimum: 0 }),
          error: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    models: Type.Array(
      Type.Object(
        {
          model: Type.String(),
          state: Type.Enum(['closed', 'half_open', 'open'], { description: 'Circuit breaker state.' }),
        },
        { additionalProperties: false },
      ),
      { description: 'Per-model circuit breaker state.' },
    ),
  },
  { additionalProperties: false, description: 'Whether this instance should receive traffic, with the reasons.' },
)
export type ReadinessResponse = Static<typeof ReadinessResponseSchema>
