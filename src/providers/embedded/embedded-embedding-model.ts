/**
 * The embedded embedder: rarity-weighted mean GloVe vectors (see sentence-embedder.ts), 100-d,
 * unit length. Usage counts words, not tokens.
 */
import { DriberError } from '../../errors.js'
import type { EmbeddingModel, EmbedRequest, EmbedResponse } from '../provider.js'
import type { EmbeddedRuntime } from './embedded-runtime.js'
import { embedSentence } from './sentence-embedder.js'

/** The embedded tier's `EmbeddingModel`: 100-d unit vectors, one per text, in input order. */
export class EmbeddedEmbeddingModel implements EmbeddingModel {
  readonly provider = 'embedded'
  readonly dimension = 100

  constructor(
    readonly id: string,
    private readonly runtime: () => EmbeddedRuntime,
  ) {}

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    if (request.signal.aborted) throw new DriberError('CANCELLED')
    let vocabulary
    try {
      vocabulary = this.runtime().vocabulary
    } catch (error) {
      throw error instanceof DriberError ? error : new DriberError('EMBEDDER_UNAVAILABLE', { message: `The embedded embedder "${this.id}" could not load its vectors`, cause: error })
    }
    const vectors: Float32Array[] = []
    let words = 0
    for (const text of request.texts) {
      vectors.push(embedSentence(vocabulary, text))
      words += text.split(/\s+/).filter((word) => word.length > 0).length
    }
    return { vectors, usage: { input_tokens: words, output_tokens: 0, total_tokens: words } }
  }
}
