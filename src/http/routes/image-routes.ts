/**
 * `GET /v1/images/{index}/{id}`: the file of an index record built from a local image, the url
 * Retrieve answers for such records. The record is found by id; no part of the request becomes a
 * file path. Browsers, proxies and the client libraries revalidate with the ETag.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import type { LocalImageFile } from '../../core/local-image.js'
import { callCore, type RouteOptions } from '../route-options.js'
import { ErrorBodyReference, errorResponses } from '../schemas/common-schemas.js'
import { ImageFileResponse, ImageParamsSchema, NotModifiedResponse } from '../schemas/image-schemas.js'

/**
 * An hour of freshness, then revalidation by ETag (a rebuilt index may change a file under the
 * same id). `private`: the images are as protected as the API, so shared caches must not keep them.
 */
export const IMAGE_CACHE_CONTROL = 'private, max-age=3600'

/** RFC 9110: If-None-Match wins over If-Modified-Since; `*` or any listed tag (weak or strong) matches. */
const notModified = (request: FastifyRequest, file: LocalImageFile): boolean => {
  const tags = request.headers['if-none-match']
  if (tags !== undefined) {
    return tags === '*' || tags.split(',').some((tag) => tag.trim().replace(/^W\//, '') === file.etag)
  }
  const since = request.headers['if-modified-since']
  if (since === undefined) return false
  const time = Date.parse(since)
  // HTTP dates have whole seconds.
  return Number.isFinite(time) && Math.floor(file.modified.getTime() / 1000) <= Math.floor(time / 1000)
}

export const imageRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  app.get(
    '/v1/images/:index/:id',
    {
      schema: {
        operationId: 'getImage',
        tags: ['images'],
        summary: 'The image file of a local-image index record',
        description:
          'Served for records built from local files (a gallery row with `path`); Retrieve answers this path as their `url`. ' +
          'Records with a web url keep it and have no file here (`DRIBER_IMAGE_NOT_FOUND`).',
        params: ImageParamsSchema,
        response: { 200: ImageFileResponse, 304: NotModifiedResponse, ...errorResponses([400, 401, 404, 429, 503]), 500: ErrorBodyReference },
      },
    },
    async (request, reply) => {
      const file = await callCore(options, request, reply, () => options.core.localImage(request.params))
      reply
        .header('cache-control', IMAGE_CACHE_CONTROL)
        .header('etag', file.etag)
        .header('last-modified', file.modified.toUTCString())
        // The type is ours, from the bytes: browsers must not second-guess it.
        .header('x-content-type-options', 'nosniff')
      if (notModified(request, file)) return reply.code(304).send()
      // HEAD is fastify's automatic twin of this route: it keeps these headers and drains the stream.
      return reply.type(file.contentType).header('content-length', file.bytes).send(file.open())
    },
  )
}
