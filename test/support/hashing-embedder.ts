/**
 * A deterministic, offline `EmbeddingModel` for retrieval tests: each lower-cased word adds a
 * fixed pseudo-random direction (from a hash of the word), so texts sharing words are close and
 * the same text always gets the same vector. Records calls, and can be told to fail.
 */
import { createHash } from 'node:crypto'
import { DriberError } from '../../src/errors.js'
import type { EmbeddingModel, EmbedRequest, EmbedResponse } from '../../src/providers/provider.js'

export interface HashingEmbedderOptions {
  id?: string
  dimension?: number
  /** Throw UPSTREAM_UNAVAILABLE on this call (1-based) and every later one. */
  failFromCall?: number
}

export class HashingEmbedder implements EmbeddingModel {
  readonly id: string
  readonly provider = 'test'
  readonly dimension: number
  readonly calls: string[][] = []
  failFromCall: number | undefined

  constructor(options: HashingEmbedderOptions = {}) {
    this.id = options.id ?? 'hashing-embed'
    this.dimension = options.dimension ?? 32
    this.failFromCall = options.failFromCall
  }

  /** The vector this embedder gives a text (unit length). */
  vector(text: string): Float32Array {
    const vector = new Float32Array(this.dimension)
    const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? ['']
    for (const word of words) {
      const digest = createHash('sha256').update(word).digest()
      for (let column = 0; column < this.dimension; column++) vector[column] = (vector[column] as number) + ((digest[column % digest.length] as number) - 127.5) / 127.5
    }
    let sum = 0
    for (const component of vector) sum += component * component
    const norm = Math.sqrt(sum) || 1
    return vector.map((component) => component / norm)
  }

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    this.calls.push([...request.texts])
    if (this.failFromCall !== undefined && this.calls.length >= this.failFromCall) {
      throw new DriberError('UPSTREAM_UNAVAILABLE', { message: `injected failure on call ${this.calls.length}` })
    }
    return {
      vectors: request.texts.map((text) => this.vector(text)),
      usage: { input_tokens: request.texts.length, output_tokens: 0, total_tokens: request.texts.length },
    }
  }
}
