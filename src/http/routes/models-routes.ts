/** `GET /v1/models`: the model registry without secrets. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../schemas/common-schemas.js'
import { ModelListResponseSchema } from '../schemas/models-schemas.js'
import type { RouteOptions } from '../route-options.js'

export const modelsRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  app.get(
    '/v1/models',
    {
      schema: {
        operationId: 'listModels',
        tags: ['registry'],
        summary: 'List the models, embedders, aliases and routes of the registry',
        response: { 200: ModelListResponseSchema, ...errorResponses([500]) },
      },
    },
    async () => options.core.listModels(),
  )
}
