/** `POST /v1/describe`: describe the image to share. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MODEL_ERROR_STATUSES, errorResponses } from '../schemas/common-schemas.js'
import { DescribeRequestSchema, DescribeResponseSchema } from '../schemas/describe-schemas.js'
import { callCore, type RouteOptions } from '../route-options.js'

export const describeRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  app.post(
    '/v1/describe',
    {
      schema: {
        operationId: 'describe',
        tags: ['stages'],
        summary: 'Describe the image the next speaker would share',
        body: DescribeRequestSchema,
        response: { 200: DescribeResponseSchema, ...errorResponses(MODEL_ERROR_STATUSES) },
      },
    },
    async (request, reply) => callCore(options, request, reply, (context) => options.core.describe(request.body, context)),
  )
}
