/**
 * JSON bodies must be UTF-8 (RFC 8259 §8.1). fastify's own parser decodes bytes leniently, so a
 * body with invalid UTF-8 would reach the core with U+FFFD where the client's bytes were, and the
 * model would see text nobody sent. This parser decodes strictly first and refuses such a body
 * with 400 `DRIBER_INVALID_JSON` (`details.reason: invalid_utf8`), then parses with fastify's own
 * JSON parser (prototype-poisoning protection and error codes unchanged).
 */
import type { FastifyInstance } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { DriberError } from '../errors.js'

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

export const strictJsonParser = fastifyPlugin(
  async (app: FastifyInstance) => {
    const parseJson = app.getDefaultJsonParser('error', 'error')
    app.removeContentTypeParser('application/json')
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      let text: string
      try {
        text = strictUtf8.decode(body as Buffer)
      } catch {
        done(new DriberError('INVALID_JSON', { message: 'The request body is not valid UTF-8', details: { reason: 'invalid_utf8' } }), undefined)
        return
      }
      parseJson(request, text, done)
    })
  },
  { name: 'driber-strict-json-parser' },
)
