/**
 * Upstream embedding calls as OTel GenAI metrics (`gen_ai_operation_name="embeddings"`): wraps the
 * source retrieval gets its embedding models from, so every `embed` call is timed per model and
 * its input tokens counted, without the retrieval or provider code knowing about metrics.
 */
import { isDriberError } from '../errors.js'
import type { EmbeddingModel } from '../providers/provider.js'
import type { Metrics } from './metrics.js'

/** Where retrieval gets embedding models (the model registry implements it). */
export interface EmbedderSource {
  embedder(id: string): EmbeddingModel
}

const instrumentEmbedder = (model: EmbeddingModel, metrics: Metrics): EmbeddingModel => {
  const embed: EmbeddingModel['embed'] = async (request) => {
    const startedAt = process.hrtime.bigint()
    let errorType = ''
    try {
      const response = await model.embed(request)
      metrics.observeTokens('embeddings', model.provider, model.id, response.usage.input_tokens, response.usage.output_tokens)
      return response
    } catch (error) {
      // Providers throw catalog errors; anything else is an internal fault.
      errorType = isDriberError(error) ? error.code : 'DRIBER_INTERNAL'
      throw error
    } finally {
      metrics.observeUpstream('embeddings', model.provider, model.id, errorType, Number(process.hrtime.bigint() - startedAt) / 1e9)
    }
  }
  // A proxy keeps `dimension` live (it may be learnt on the first call) and `close` bound.
  return new Proxy(model, {
    get: (target, property) => {
      if (property === 'embed') return embed
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

/** `source` whose embedding models record every call; one wrapper per model, kept. */
export const instrumentEmbedders = (source: EmbedderSource, metrics: Metrics): EmbedderSource => {
  const wrapped = new WeakMap<EmbeddingModel, EmbeddingModel>()
  return {
    embedder(id) {
      const model = source.embedder(id)
      let instrumented = wrapped.get(model)
      if (instrumented === undefined) {
        instrumented = instrumentEmbedder(model, metrics)
        wrapped.set(model, instrumented)
      }
      return instrumented
    },
  }
}
