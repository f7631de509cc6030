/**
 * The image file behind a Retrieve result of a local-image index (its url is
 * `/v1/images/{index}/{id}`). The record is found by index name and id only: the file path comes
 * from the index built by the operator, so a request can name no file of its own.
 */
import { DriberError } from '../errors.js'
import type { LocalImageFile } from '../retrieval/image-index.js'
import { resolveIndex } from './retrieve.js'
import type { StageDependencies } from './stage-support.js'

export interface LocalImageInput {
  index: string
  id: string
}

export type { LocalImageFile }

const requiredName = (value: unknown, field: string): string => {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 1024) {
    throw new DriberError('INVALID_ARGUMENT', { message: `${field} must be a non-empty string`, details: { field, reason: 'invalid_name' } })
  }
  return value
}

/** UNKNOWN_INDEX / INDEX_UNAVAILABLE from the index set; IMAGE_NOT_FOUND for an id without a servable local file. */
export const localImage = async (dependencies: StageDependencies, input: LocalImageInput): Promise<LocalImageFile> => {
  const name = requiredName(input.index, 'index')
  const id = requiredName(input.id, 'id')
  const index = resolveIndex(dependencies, name)
  const file = await index.localImage?.(id)
  if (file === undefined) {
    throw new DriberError('IMAGE_NOT_FOUND', {
      message: `Index ${index.name} has no local image with id "${id}" (no such id, the image has a web url instead, or its file is missing or not an image)`,
      details: { index: index.name, id },
    })
  }
  return file
}
