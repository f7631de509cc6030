/** `POST /v1/share`: decide, then describe and retrieve when the answer is yes. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MODEL_ERROR_STATUSES, errorResponses } from '../schemas/common-schemas.js'
import { ShareRequestSchema, ShareResponseSchema } from '../schemas/share-schemas.js'
import { callCore, type RouteOptions } from '../route-options.js'

export const shareRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  app.post(
    '/v1/share',
    {
      schema: {
        operationId: 'share',
        tags: ['stages'],
        summary: 'Decide, describe and retrieve in one call',
        body: ShareRequestSchema,
        response: { 200: ShareResponseSchema, ...errorResponses(MODEL_ERROR_STATUSES) },
      },
    },
    async (request, reply) => callCore(options, request, reply, (context) => options.core.share(request.body, context)),
  )
}
