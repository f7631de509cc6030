/**
 * Reading one image for the builder: a local file, or a URL fetched with a size cap, a timeout, a
 * content-type check and a bounded number of redirects. Every way an image can be unusable comes
 * back as a `Skip` with a stable reason the build summary counts; only the build being cancelled
 * throws. The bytes decide whether it is an image (sniff-image-type.ts), whatever the name or
 * header says.
 */
import { readFile, stat } from 'node:fs/promises'
import { Agent, request } from 'undici'
import { DriberError } from '../errors.js'
import type { ImageLocation } from './image-sources.js'
import { sniffImageType, type ImageMediaType } from './sniff-image-type.js'

/** Why an image was left out of an index; the build summary counts each. */
export const SKIP_REASONS = [
  'invalid_row',
  'duplicate_id',
  'duplicate_image',
  'missing',
  'unreadable',
  'too_large',
  'not_an_image',
  'http_status',
  'wrong_content_type',
  'too_many_redirects',
  'timeout',
  'fetch_failed',
  'embedder_rejected',
] as const
export type SkipReason = (typeof SKIP_REASONS)[number]

export interface Skip {
  ok: false
  reason: SkipReason
  detail: string
}

export interface LoadedImage {
  ok: true
  bytes: Buffer
  mediaType: ImageMediaType
}

export interface ImageLoadLimits {
  /** Largest image accepted, in bytes (files and downloads). */
  maxBytes: number
  /** Whole download budget per URL: connect, headers and body. */
  timeoutMs: number
  /** Redirects followed per URL. */
  maxRedirects: number
}

export const DEFAULT_IMAGE_LOAD_LIMITS: ImageLoadLimits = { maxBytes: 10 * 1024 * 1024, timeoutMs: 15_000, maxRedirects: 5 }

const skip = (reason: SkipReason, detail: string): Skip => ({ ok: false, reason, detail })

const fromBytes = (bytes: Buffer, where: string): LoadedImage | Skip => {
  const mediaType = sniffImageType(bytes)
  if (mediaType === undefined) return skip('not_an_image', `${where} is not a JPEG, PNG, GIF or WebP image`)
  return { ok: true, bytes, mediaType }
}

const loadFile = async (file: string, limits: ImageLoadLimits): Promise<LoadedImage | Skip> => {
  try {
    const info = await stat(file)
    if (!info.isFile()) return skip('unreadable', `${file} is not a regular file`)
    // Checked before reading, so a stray 4 GB video costs nothing.
    if (info.size > limits.maxBytes) return skip('too_large', `${file} has ${info.size} bytes, more than the ${limits.maxBytes} allowed`)
    return fromBytes(await readFile(file), file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return skip('missing', `${file} does not exist`)
    return skip('unreadable', `${file} cannot be read (${code ?? (error as Error).message})`)
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** Stops reading a body we do not want; undici reports the abort as an error nobody needs to hear. */
const discard = (body: NodeJS.ReadableStream & { destroy(): void }): void => {
  body.on('error', () => {})
  body.destroy()
}

/** Fetches an image by URL. Cancelling `signal` (the build) throws CANCELLED; everything else is a Skip. */
const loadUrl = async (url: string, limits: ImageLoadLimits, dispatcher: Agent, signal: AbortSignal): Promise<LoadedImage | Skip> => {
  const timer = AbortSignal.timeout(limits.timeoutMs)
  const combined = AbortSignal.any([signal, timer])
  let current = url
  try {
    for (let redirects = 0; ; redirects++) {
      const response = await request(current, { method: 'GET', dispatcher, signal: combined, headers: { accept: 'image/*' } })
      if (REDIRECTS.has(response.statusCode)) {
        await response.body.dump()
        const location = response.headers.location
        if (typeof location !== 'string') return skip('http_status', `${current} answered ${response.statusCode} without a Location`)
        if (redirects >= limits.maxRedirects) return skip('too_many_redirects', `${url} redirected more than ${limits.maxRedirects} times`)
        const next = new URL(location, current)
        if (next.protocol !== 'http:' && next.protocol !== 'https:') return skip('fetch_failed', `${current} redirected to a ${next.protocol} URL`)
        current = next.href
        continue
      }
      if (response.statusCode !== 200) {
        await response.body.dump()
        return skip('http_status', `${current} answered HTTP ${response.statusCode}`)
      }
      const contentType = String(response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
      // Servers that do not know say application/octet-stream; the bytes are checked either way.
      if (!contentType.startsWith('image/') && contentType !== 'application/octet-stream') {
        await response.body.dump()
        return skip('wrong_content_type', `${current} is ${contentType || 'of no content type'}, not an image`)
      }
      const declared = Number(response.headers['content-length'])
      if (Number.isFinite(declared) && declared > limits.maxBytes) {
        discard(response.body)
        return skip('too_large', `${current} declares ${declared} bytes, more than the ${limits.maxBytes} allowed`)
      }
      const chunks: Buffer[] = []
      let received = 0
      for await (const chunk of response.body) {
        received += (chunk as Buffer).length
        // A server may lie about the length or send none: the cap holds on the bytes themselves.
        if (received > limits.maxBytes) {
          discard(response.body)
          return skip('too_large', `${current} sent more than the ${limits.maxBytes} bytes allowed`)
        }
        chunks.push(chunk as Buffer)
      }
      return fromBytes(Buffer.concat(chunks), current)
    }
  } catch (error) {
    if (signal.aborted) throw new DriberError('CANCELLED', { message: 'The index build was cancelled' })
    if (timer.aborted) return skip('timeout', `${current} did not arrive within ${limits.timeoutMs} ms`)
    return skip('fetch_failed', `${current}: ${(error as Error).message}`)
  }
}

/** Loads images for one build; `close()` releases its connections. */
export class ImageLoader {
  readonly #limits: ImageLoadLimits
  readonly #dispatcher = new Agent({ connections: 16 })

  constructor(limits: ImageLoadLimits = DEFAULT_IMAGE_LOAD_LIMITS) {
    this.#limits = limits
  }

  load(location: ImageLocation, signal: AbortSignal): Promise<LoadedImage | Skip> {
    return location.kind === 'file' ? loadFile(location.path, this.#limits) : loadUrl(location.url, this.#limits, this.#dispatcher, signal)
  }

  async close(): Promise<void> {
    await this.#dispatcher.close()
  }
}
