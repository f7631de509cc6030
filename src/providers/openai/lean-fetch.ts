/**
 * The `fetch` the `openai` SDK is given: a request on a pooled undici dispatcher (keep-alive per
 * origin) answered with a small Response that reads the body straight from undici's body stream.
 *
 * Why not undici's own `fetch`: under load it cost about a sixth of driber's CPU (web streams for a
 * JSON body the SDK reads whole with `.json()`, several AbortControllers and timers per call, a
 * Request and Response object graph). What the SDK uses of a response for non-streaming calls is
 * `status`, `ok`, `headers.get`/`entries`, `url`, `json()` and `text()`; `body` (a web stream, for
 * streaming calls) is built only when asked for.
 *
 * Behaviour kept from `fetch` on purpose: failures before the headers reject the fetch (the SDK
 * turns them into connection or timeout errors); failures while the body is read reject `json()` /
 * `text()` (a reset mid-body, a drip past the idle timeout), exactly where undici's fetch put them;
 * gzip, deflate and br bodies are decoded. Not kept: redirects are not followed (an
 * OpenAI-compatible base URL answers directly; a 3xx surfaces as its status).
 */
import { promisify } from 'node:util'
import { brotliDecompress, gunzip, inflate } from 'node:zlib'
import type { Dispatcher } from 'undici'

/** What a caller adds to the SDK's `fetchOptions` so the lean fetch knows where and how long to wait. */
export interface LeanFetchOptions {
  /** The pooled dispatcher for the URL's origin. */
  dispatcher: Dispatcher
  /** Longest silence allowed for the headers, and between body chunks. */
  idleTimeoutMs: number
}

type LeanRequestInit = Omit<RequestInit, 'dispatcher'> & Partial<LeanFetchOptions>

const decoders: Record<string, (buffer: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
}

/** The read-only part of `Headers` over undici's parsed header object (names already lower-case). */
class ResponseHeaders {
  readonly #raw: Record<string, string | string[] | undefined>

  constructor(raw: Record<string, string | string[] | undefined>) {
    this.#raw = raw
  }

  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()]
    if (value === undefined) return null
    return Array.isArray(value) ? value.join(', ') : value
  }

  has(name: string): boolean {
    return this.#raw[name.toLowerCase()] !== undefined
  }

  forEach(callback: (value: string, name: string, headers: ResponseHeaders) => void): void {
    for (const [name, value] of this.entries()) callback(value, name, this)
  }

  /** In arrival order, not sorted as `Headers` would: the SDK scans every response's entries, and nothing here depends on order. */
  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.#raw)) {
      const value = this.get(name)
      if (value !== null) yield [name, value]
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries()
  }
}

type Body = Dispatcher.ResponseData['body']

class LeanResponse {
  readonly status: number
  readonly statusText: string
  readonly ok: boolean
  readonly url: string
  readonly redirected = false
  readonly type = 'basic'
  readonly headers: ResponseHeaders
  readonly #body: Body
  readonly #encoding: string | undefined

  constructor(url: string, data: Dispatcher.ResponseData) {
    this.url = url
    this.status = data.statusCode
    this.statusText = data.statusText ?? ''
    this.ok = data.statusCode >= 200 && data.statusCode < 300
    this.headers = new ResponseHeaders(data.headers)
    this.#body = data.body
    const encoding = this.headers.get('content-encoding')?.trim().toLowerCase()
    this.#encoding = encoding === undefined || encoding === '' || encoding === 'identity' ? undefined : encoding
  }

  get body(): ReadableStream<Uint8Array> {
    return (this.#body as unknown as { body: ReadableStream<Uint8Array> }).body
  }

  get bodyUsed(): boolean {
    return this.#body.bodyUsed
  }

  async text(): Promise<string> {
    if (this.#encoding === undefined) return this.#body.text()
    return (await this.#decoded()).toString('utf8')
  }

  async json(): Promise<unknown> {
    // Parsing here rather than in undici keeps one error type (SyntaxError) for a body that is not JSON.
    return JSON.parse(await this.text())
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#encoding === undefined) return this.#body.arrayBuffer()
    const decoded = await this.#decoded()
    return decoded.buffer.slice(decoded.byteOffset, decoded.byteOffset + decoded.byteLength) as ArrayBuffer
  }

  async #decoded(): Promise<Buffer> {
    const raw = Buffer.from(await this.#body.arrayBuffer())
    const decode = decoders[this.#encoding as string]
    // An encoding we cannot decode is handed on as is; JSON parsing then fails as a bad body would.
    return decode === undefined ? raw : decode(raw)
  }
}

/** Origin and path of a URL, cached: the SDK calls the same few URLs (chat, embeddings) over and over. */
const targets = new Map<string, { origin: string; path: string }>()
const MAX_CACHED_TARGETS = 256

const targetOf = (url: string): { origin: string; path: string } => {
  let target = targets.get(url)
  if (target === undefined) {
    const parsed = new URL(url)
    target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` }
    if (targets.size >= MAX_CACHED_TARGETS) targets.clear()
    targets.set(url, target)
  }
  return target
}

/**
 * The UTF-8 bytes of a request body in a buffer of their own. undici would copy a string body with
 * `Buffer.from`, which puts bodies under 4 KiB (a decide call's is about 3.7 KiB) in slices of shared
 * 8 KiB slabs; undici keeps the body until the answer arrives, so with thousands of calls waiting on a
 * slow model each held on average 5.6 KiB of slab (heap snapshot, 2,000 calls in flight).
 */
const exactBytes = (text: string): Buffer => {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text))
  bytes.write(text)
  return bytes
}

/**
 * A `fetch` for the SDK. `init` must carry `dispatcher` and `idleTimeoutMs` (from the per-request
 * `fetchOptions`); the SDK supplies method, headers, body and its per-attempt signal.
 */
export const leanFetch = async (input: string | URL | Request, init: LeanRequestInit = {}): Promise<Response> => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  const { dispatcher, idleTimeoutMs } = init
  if (dispatcher === undefined || idleTimeoutMs === undefined) {
    throw new TypeError('leanFetch needs fetchOptions.dispatcher and fetchOptions.idleTimeoutMs')
  }
  const { origin, path } = targetOf(url)
  const data = await dispatcher.request({
    origin,
    path,
    method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: init.headers as Dispatcher.DispatchOptions['headers'],
    body: typeof init.body === 'string' ? exactBytes(init.body) : ((init.body ?? null) as Dispatcher.DispatchOptions['body']),
    signal: init.signal ?? null,
    headersTimeout: idleTimeoutMs,
    bodyTimeout: idleTimeoutMs,
  })
  // A body the SDK leaves unread (204, content-length 0) is empty and complete, so its socket is
  // already back in the pool.
  return new LeanResponse(url, data) as unknown as Response
}
