/** `POST /v1/retrieve`: top-k images for descriptions. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MODEL_ERROR_STATUSES, errorResponses } from '../schemas/common-schemas.js'
import { RetrieveRequestSchema, RetrieveResponseSchema } from '../schemas/retrieve-schemas.js'
import { callCore, type RouteOptions } from '../route-options.js'

export const retrieveRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  app.post(
    '/v1/retrieve',
    {
      schema: {
        operationId: 'retrieve',
        tags: ['stages'],
        summary: 'Find images matching descriptions',
        body: RetrieveRequestSchema,
        response: { 200: RetrieveResponseSchema, ...errorResponses(MODEL_ERROR_STATUSES) },
      },
    },
    async (request, reply) => callCore(options, request, reply, (context) => options.core.retrieve(request.body, context)),
  )
}
