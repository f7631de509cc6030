/**
 * Opening the local image file of an index record for `GET /v1/images/{index}/{id}`. The path
 * comes from the index (recorded at build time), never from a request, so there is nothing to
 * traverse. Only the four image formats browsers show everywhere are served, identified by their
 * magic bytes (the extension only when the bytes say nothing): an index that names some other
 * file by mistake must not turn the service into a file server.
 */
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import type { LocalImageFile } from './image-index.js'

const EXTENSION_TYPES: Readonly<Record<string, string>> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
}

const startsWith = (head: Uint8Array, bytes: readonly number[], offset = 0): boolean =>
  head.length >= offset + bytes.length && bytes.every((byte, index) => head[offset + index] === byte)

const ascii = (text: string): number[] => [...text].map((character) => character.charCodeAt(0))

/** The image type named by a file's first bytes (at least 12 of them), or undefined. */
export const sniffImageType = (head: Uint8Array): string | undefined => {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'image/gif'
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'image/webp'
  return undefined
}

/** Whether the bytes are some other known format (then the extension is not trusted either). */
const looksLikeOtherContent = (head: Uint8Array): boolean => head.length > 0 && head.every((byte) => byte === 0x09 || byte === 0x0a || byte === 0x0d || (byte >= 0x20 && byte < 0x7f))

/**
 * Stats and identifies a local image. Undefined when the file is missing, not a regular file, or
 * not one of the served image types; the caller answers 404 for all of them.
 */
export const openLocalImageFile = async (file: string): Promise<LocalImageFile | undefined> => {
  let handle
  try {
    handle = await open(file, 'r')
  } catch {
    return undefined
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) return undefined
    const head = new Uint8Array(16)
    const { bytesRead } = await handle.read(head, 0, head.length, 0)
    const bytes = head.subarray(0, bytesRead)
    const contentType = sniffImageType(bytes) ?? (looksLikeOtherContent(bytes) ? undefined : EXTENSION_TYPES[path.extname(file).toLowerCase()])
    if (contentType === undefined) return undefined
    // Size and modification time change whenever the file does (as in nginx's ETag), and cost no read of the whole file.
    const etag = `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`
    return {
      contentType,
      bytes: stats.size,
      modified: stats.mtime,
      etag,
      open: (): Readable => createReadStream(file),
    }
  } finally {
    await handle.close()
  }
}
