/**
 * `GET /healthz` (liveness: 200 while the process runs) and `GET /readyz` (readiness: 200 only when
 * this instance should receive traffic; 503 while starting, when an index failed, or when draining).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LivenessResponseSchema, ReadinessResponseSchema, type ReadinessResponse } from '../schemas/health-schemas.js'

export interface HealthRouteOptions {
  /** The current readiness report; cheap, called on every probe. */
  readiness(): ReadinessResponse
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRouteOptions> = async (app, options) => {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'liveness',
        tags: ['health'],
        summary: 'Liveness: the process is up',
        response: { 200: LivenessResponseSchema },
      },
    },
    async () => ({ status: 'ok' as const }),
  )
  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'readiness',
        tags: ['health'],
        summary: 'Readiness: registry and indexes loaded and not draining',
        response: { 200: ReadinessResponseSchema, 503: ReadinessResponseSchema },
      },
    },
    async (_request, reply) => {
      const report = options.readiness()
      return reply.status(report.status === 'ready' ? 200 : 503).send(report)
    },
  )
}
