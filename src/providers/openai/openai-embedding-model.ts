/**
 * A registry embedder served by an OpenAI-compatible `/v1/embeddings` endpoint. Texts go up in
 * batches of `batch_size`, at most `max_concurrency` batches at once; vectors come back in input
 * order, unit-normalised, so an index can score by dot product.
 */
import type OpenAI from 'openai'
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings'
import type { Usage } from '../../core/types.js'
import { DriberError } from '../../errors.js'
import type { EmbedderEntry } from '../../registry/registry-schema.js'
import type { EmbeddingModel, EmbedRequest, EmbedResponse } from '../provider.js'
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

export class OpenAIEmbeddingModel implements EmbeddingModel {
  readonly id: string
  readonly provider = 'openai'
  #dimension: number | undefined
  readonly #entry: EmbedderEntry
  readonly #lease: ClientLease
  readonly #client: OpenAI
  readonly #headers: Record<string, string>
  /** Built once: the SDK merges it into every request, so a per-call object would be pure garbage. */
  readonly #fetchOptions: Record<string, unknown>

  readonly fingerprint: string

  constructor(entry: EmbedderEntry, lease: ClientLease) {
    this.id = entry.id
    this.fingerprint = JSON.stringify([entry.base_url ?? '', entry.upstream_model ?? entry.id, entry.dimension ?? 0])
    this.#entry = entry
    this.#lease = lease
    this.#client = lease.client
    this.#dimension = entry.dimension
    this.#headers = { ...entry.headers }
    this.#fetchOptions = { dispatcher: lease.dispatcher }
  }

  get dimension(): number | undefined {
    return this.#dimension
  }

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    const batchSize = this.#entry.batch_size
    const batches: string[][] = []
    for (let start = 0; start < request.texts.length; start += batchSize) batches.push(request.texts.slice(start, start + batchSize))
    const vectors: Float32Array[] = new Array<Float32Array>(request.texts.length)
    const usage: Usage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 }
    if (batches.length === 0) return { vectors, usage }

    // The first failure stops the other batches: their results could not be used anyway.
    const stop = new AbortController()
    const signal = AbortSignal.any([request.signal, stop.signal])
    const timeoutMs = Math.min(request.timeoutMs ?? this.#entry.timeout_ms, this.#entry.timeout_ms)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < batches.length && !signal.aborted) {
        const index = next++
        const batch = batches[index] as string[]
        const response = await withAttempt({ model: this.id, timeoutMs, requestSignal: signal }, (attemptSignal, budgetMs) =>
          this.#client.embeddings.create(
            { model: this.#entry.upstream_model ?? this.#entry.id, input: batch, encoding_format: 'float' },
            {
              signal: attemptSignal,
              timeout: budgetMs,
              maxRetries: 0,
              headers: { ...this.#headers, 'x-request-id': request.requestId },
              fetchOptions: this.#fetchOptions,
            },
          ),
        )
        this.#collect(response, batch.length, index * batchSize, vectors)
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

  #collect(response: CreateEmbeddingResponse, expected: number, offset: number, into: Float32Array[]): void {
    const data = Array.isArray(response?.data) ? response.data : []
    if (data.length !== expected) {
      throw new DriberError('UPSTREAM_UNAVAILABLE', {
        message: `The embedding backend returned ${data.length} vectors for ${expected} texts`,
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
