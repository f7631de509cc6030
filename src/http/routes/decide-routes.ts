/** `POST /v1/decide`: should an image be shared next (`next`), or after which turns (`rank`). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MODEL_ERROR_STATUSES, errorResponses } from '../schemas/common-schemas.js'
import { DecideRequestSchema, DecideResponseSchema } from '../schemas/decide-schemas.js'
import type { DecideNextResult, DecideRankResult } from '../../core/types.js'
import { callCore, type RouteOptions } from '../route-options.js'

export const decideRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  app.post(
    '/v1/decide',
    {
      schema: {
        operationId: 'decide',
        tags: ['stages'],
        summary: 'Decide whether an image fits in the dialogue',
        body: DecideRequestSchema,
        response: { 200: DecideResponseSchema, ...errorResponses(MODEL_ERROR_STATUSES) },
      },
    },
    async (request, reply) => {
      const { mode, ...input } = request.body
      return callCore(options, request, reply, (context): Promise<DecideNextResult | DecideRankResult> =>
        mode === 'rank' ? options.core.rank(input, context) : options.core.decide(input, context),
      )
    },
  )
}
