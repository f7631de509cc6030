/**
 * A registry embedder served by an OpenAI-compatible `/v1/embeddings` endpoint. Texts go up in
 * batches of `batch_size`, at most `max_concurrency` batches at once; vectors come back in input
 * order, unit-normalised, so an index can score by dot product.
 *
 * Image-capable entries (`modalities: [text, image]`) also embed images, in the wire form their
 * `image_input` names (servers for CLIP-family models disagree on it):
 * - `openai_messages` (vLLM): `{messages: [{role: "user", content: [{type: "image_url",
 *   image_url: {url: "data:..."}}]}]}`, one image per call because vLLM embeds one conversation.
 * - `input_objects` (Jina-style): `{input: [{image: "<base64>"}, ...]}`; texts go as `{text}` too.
 * - `modality_field` (infinity-style): `{input: ["data:..."], modality: "image"}`.
 * Images travel as data (data URLs or base64), never as paths or links the server would have to
 * reach. Answers are the ordinary embeddings list in every form.
 */
import type OpenAI from 'openai'
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings'
import type { Usage } from '../../core/types.js'
import { DriberError } from '../../errors.js'
import type { EmbedderEntry } from '../../registry/registry-schema.js'
import type { EmbeddingModel, EmbedImagesRequest, EmbedRequest, EmbedResponse, ImageInput, Modality } from '../provider.js'
import { withAttempt } from './openai-attempt.js'
import type { ClientLease } from './openai-client-pool.js'
import { requestAbortError } from './openai-error-mapper.js'

/** Scales `vector` to unit length in place; a zero vector stays zero (it matches nothing rather than everything). */
export const normalise = (vector: Float32Array): Float32Array => {
  let sum = 0
  for (const value of vector) sum += value * value
  const norm = Math.sqrt(sum)
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) / norm
  return vector
}

/** An upstream call for one batch: given the attempt's signal and budget and the request's per-call options. */
type SendBatch<Item> = (batch: Item[], options: Record<string, unknown>) => Promise<CreateEmbeddingResponse>

const dataUrl = (image: ImageInput): string => `data:${image.mediaType};base64,${Buffer.from(image.bytes).toString('base64')}`

export class OpenAIEmbeddingModel implements EmbeddingModel {
  readonly id: string
  readonly provider = 'openai'
  readonly modalities: readonly Modality[]
  #dimension: number | undefined
  readonly #entry: EmbedderEntry
  readonly #lease: ClientLease
  readonly #client: OpenAI
  readonly #headers: Record<string, string>
  /** Built once: the SDK merges it into every request, so a per-call object would be pure garbage. */
  readonly #fetchOptions: Record<string, unknown>
  readonly #model: string

  readonly fingerprint: string

  constructor(entry: EmbedderEntry, lease: ClientLease) {
    this.id = entry.id
    this.fingerprint = JSON.stringify([entry.base_url ?? '', entry.upstream_model ?? entry.id, entry.dimension ?? 0])
    this.#entry = entry
    this.#lease = lease
    this.#client = lease.client
    this.#dimension = entry.dimension
    this.#headers = { ...entry.headers }
    this.#fetchOptions = lease.fetchOptions as unknown as Record<string, unknown>
    this.#model = entry.upstream_model ?? entry.id
    this.modalities = Object.freeze([...entry.modalities])
    // Only image-capable entries grow the method: callers test for it (see `embedsImages`).
    if (entry.modalities.includes('image') && entry.image_input !== undefined) {
      const form = entry.image_input
      this.embedImages = (request: EmbedImagesRequest) => this.#embedImages(form, request)
    }
  }

  embedImages?: (request: EmbedImagesRequest) => Promise<EmbedResponse>

  get dimension(): number | undefined {
    return this.#dimension
  }

  embed(request: EmbedRequest): Promise<EmbedResponse> {
    // Jina-style servers take texts as `{text}` objects beside `{image}` ones; the others take plain strings.
    const send: SendBatch<string> =
      this.#entry.image_input === 'input_objects'
        ? (batch, options) => this.#client.post<CreateEmbeddingResponse>('/embeddings', { ...options, body: { model: this.#model, input: batch.map((text) => ({ text })), encoding_format: 'float' } })
        : (batch, options) => this.#client.embeddings.create({ model: this.#model, input: batch, encoding_format: 'float' }, options)
    return this.#run(request.texts, this.#entry.batch_size, send, request, 'texts')
  }

  #embedImages(form: NonNullable<EmbedderEntry['image_input']>, request: EmbedImagesRequest): Promise<EmbedResponse> {
    const post = (body: Record<string, unknown>, options: Record<string, unknown>): Promise<CreateEmbeddingResponse> =>
      this.#client.post<CreateEmbeddingResponse>('/embeddings', { ...options, body: { model: this.#model, encoding_format: 'float', ...body } })
    switch (form) {
      case 'openai_messages':
        return this.#run(request.images, 1, (batch, options) => post({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl(batch[0] as ImageInput) } }] }] }, options), request, 'images')
      case 'input_objects':
        return this.#run(request.images, this.#entry.batch_size, (batch, options) => post({ input: batch.map((image) => ({ image: Buffer.from(image.bytes).toString('base64') })) }, options), request, 'images')
      case 'modality_field':
        return this.#run(request.images, this.#entry.batch_size, (batch, options) => post({ input: batch.map(dataUrl), modality: 'image' }, options), request, 'images')
    }
  }

  async #run<Item>(items: Item[], batchSize: number, send: SendBatch<Item>, request: { signal: AbortSignal; requestId: string; timeoutMs?: number }, noun: string): Promise<EmbedResponse> {
    const batches: Item[][] = []
    for (let start = 0; start < items.length; start += batchSize) batches.push(items.slice(start, start + batchSize))
    const vectors: Float32Array[] = new Array<Float32Array>(items.length)
    const usage: Usage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 }
    if (batches.length === 0) return { vectors, usage }

    // The first failure stops the other batches: their results could not be used anyway. One
    // controller, aborted by that failure or (with the request's reason) by the request's signal,
    // rather than an `AbortSignal.any` chain (see openai-attempt.ts).
    const stop = new AbortController()
    const signal = stop.signal
    const onRequestAbort = (): void => stop.abort(request.signal.reason)
    if (request.signal.aborted) onRequestAbort()
    else request.signal.addEventListener('abort', onRequestAbort, { once: true })
    const timeoutMs = Math.min(request.timeoutMs ?? this.#entry.timeout_ms, this.#entry.timeout_ms)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < batches.length && !signal.aborted) {
        const index = next++
        const batch = batches[index] as Item[]
        const response = await withAttempt({ model: this.id, timeoutMs, requestSignal: signal }, (attemptSignal, budgetMs) =>
          send(batch, {
            signal: attemptSignal,
            timeout: budgetMs,
            maxRetries: 0,
            headers: { ...this.#headers, 'x-request-id': request.requestId },
            fetchOptions: this.#fetchOptions,
          }),
        )
        this.#collect(response, batch.length, index * batchSize, vectors, noun)
        usage.input_tokens += response.usage?.prompt_tokens ?? 0
        usage.total_tokens += response.usage?.total_tokens ?? response.usage?.prompt_tokens ?? 0
      }
    }
    const workers = Array.from({ length: Math.min(this.#entry.max_concurrency, batches.length) }, () =>
      worker().catch((error: unknown) => {
        stop.abort()
        throw error
      }),
    )
    const settled = await Promise.allSettled(workers)
    request.signal.removeEventListener('abort', onRequestAbort)
    if (request.signal.aborted) {
      // The caller's reason (cancel or deadline) wins over whatever the batches saw.
      throw requestAbortError(request.signal.reason)
    }
    // Report the first real failure, not the aborts it caused in sibling batches.
    const failures = settled.filter((result): result is PromiseRejectedResult => result.status === 'rejected').map((result) => result.reason as unknown)
    const primary = failures.find((error) => !(error instanceof DriberError && error.kind === 'CANCELLED')) ?? failures[0]
    if (primary !== undefined) throw primary
    return { vectors, usage }
  }

  async close(): Promise<void> {
    await this.#lease.release()
  }

  #collect(response: CreateEmbeddingResponse, expected: number, offset: number, into: Float32Array[], noun: string): void {
    const data = Array.isArray(response?.data) ? response.data : []
    if (data.length !== expected) {
      throw new DriberError('UPSTREAM_UNAVAILABLE', {
        message: `The embedding backend returned ${data.length} vectors for ${expected} ${noun}`,
        details: { model: this.id },
      })
    }
    data.forEach((item, position) => {
      // Servers are allowed to reorder; `index` says which input each vector belongs to.
      const index = typeof item.index === 'number' ? item.index : position
      const raw = item.embedding
      if (!Array.isArray(raw) || index < 0 || index >= expected) {
        throw new DriberError('UPSTREAM_UNAVAILABLE', { message: 'The embedding backend returned a malformed vector', details: { model: this.id } })
      }
      if (this.#dimension === undefined) this.#dimension = raw.length
      if (raw.length !== this.#dimension) {
        throw new DriberError('INDEX_MISMATCH', {
          message: `Embedder "${this.id}" returned ${raw.length} dimensions; expected ${this.#dimension}`,
          details: { model: this.id, expected: this.#dimension, received: raw.length },
        })
      }
      into[offset + index] = normalise(Float32Array.from(raw))
    })
  }
}
