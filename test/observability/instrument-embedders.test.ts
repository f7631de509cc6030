import t from 'tap'
import { DriberError } from '../../src/errors.js'
import { instrumentEmbedders } from '../../src/observability/instrument-embedders.js'
import { createMetrics } from '../../src/observability/metrics.js'
import type { EmbeddingModel, EmbedRequest } from '../../src/providers/provider.js'

/** Embeds each text as [length, 1] normalised; "fail" makes the backend unavailable. Learns its dimension on the first call. */
class LengthEmbedder implements EmbeddingModel {
  readonly id = 'length-embed'
  readonly provider = 'openai'
  dimension: number | undefined = undefined
  closed = false
  async embed(request: EmbedRequest) {
    if (request.texts.includes('fail')) throw new DriberError('UPSTREAM_UNAVAILABLE')
    this.dimension = 2
    const vectors = request.texts.map((text) => {
      const norm = Math.hypot(text.length, 1)
      return Float32Array.from([text.length / norm, 1 / norm])
    })
    const tokens = request.texts.join(' ').split(/\s+/).length
    return { vectors, usage: { input_tokens: tokens, output_tokens: 0, total_tokens: tokens } }
  }
  async close() {
    this.closed = true
  }
}

t.test('embedding calls are timed and their tokens counted per model, errors by code', async (t) => {
  const model = new LengthEmbedder()
  const metrics = createMetrics({ collectDefault: false })
  const source = instrumentEmbedders({ embedder: (id) => (id === model.id ? model : (() => { throw new DriberError('EMBEDDER_UNAVAILABLE') })()) }, metrics)
  const embedder = source.embedder('length-embed')
  t.equal(embedder, source.embedder('length-embed'), 'one wrapper per model')
  t.equal(embedder.dimension, undefined)

  const response = await embedder.embed({ texts: ['a red bike', 'cat'], signal: new AbortController().signal, requestId: 'r1' })
  t.equal(response.vectors.length, 2, 'results pass through')
  t.equal(embedder.dimension, 2, 'a dimension learnt on the first call shows through the wrapper')
  await t.rejects(embedder.embed({ texts: ['fail'], signal: new AbortController().signal, requestId: 'r2' }), { code: 'DRIBER_UPSTREAM_UNAVAILABLE' })
  t.throws(() => source.embedder('other'), { code: 'DRIBER_EMBEDDER_UNAVAILABLE' })
  await embedder.close?.()
  t.ok(model.closed, 'close reaches the model')

  const text = await metrics.render()
  t.match(text, /gen_ai_client_operation_duration_seconds_count\{gen_ai_operation_name="embeddings",gen_ai_provider_name="openai",gen_ai_request_model="length-embed",error_type=""\} 1/)
  t.match(text, /gen_ai_client_operation_duration_seconds_count\{gen_ai_operation_name="embeddings",gen_ai_provider_name="openai",gen_ai_request_model="length-embed",error_type="DRIBER_UPSTREAM_UNAVAILABLE"\} 1/)
  t.match(text, /gen_ai_client_token_usage_sum\{gen_ai_operation_name="embeddings",gen_ai_provider_name="openai",gen_ai_request_model="length-embed",gen_ai_token_type="input"\} 4/)
})
