/** Wire schemas of `GET /v1/images/{index}/{id}`: the image file of a local-image index record. */
import { Type, type Static } from 'typebox'

export const ImageParamsSchema = Type.Object(
  {
    index: Type.String({ minLength: 1, maxLength: 128, description: 'The image index the record belongs to.', examples: ['photos'] }),
    id: Type.String({ minLength: 1, maxLength: 1024, description: 'The record id, as Retrieve answered it.', examples: ['turtle-0042'] }),
  },
  { additionalProperties: false },
)
export type ImageParams = Static<typeof ImageParamsSchema>

const binary = { schema: { type: 'string', format: 'binary' } }

/** The 200 answer: the file's bytes under its own type (OpenAPI `content` per media type, no JSON body). */
export const ImageFileResponse = {
  description:
    'The image file. `Content-Type` comes from its magic bytes; `ETag` and `Last-Modified` allow conditional requests, answered 304 when the file did not change.',
  content: { 'image/jpeg': binary, 'image/png': binary, 'image/gif': binary, 'image/webp': binary },
}

export const NotModifiedResponse = { type: 'null', description: 'The file has not changed since the validator the client sent (`If-None-Match` or `If-Modified-Since`).' }
