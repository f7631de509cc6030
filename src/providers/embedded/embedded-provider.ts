/**
 * The `embedded` provider: driber's offline tier. No network, no key: Decide is a logistic model
 * over dialogue features fitted on PhotoChat, Describe is extractive, and the embedder averages
 * GloVe vectors. Models and vectors load once per process, on first use.
 */
import type { EmbedderEntry, ModelEntry } from '../../registry/registry-schema.js'
import type { ProviderFactory } from '../provider-factory.js'
import { EmbeddedChatModel } from './embedded-chat-model.js'
import { EmbeddedEmbeddingModel } from './embedded-embedding-model.js'
import { sharedEmbeddedRuntime, type EmbeddedRuntimeOptions } from './embedded-runtime.js'

/** A provider over explicit files (tests, evaluations of refitted weights). */
export const createEmbeddedProvider = (options: EmbeddedRuntimeOptions = {}): ProviderFactory => {
  const runtime = () => sharedEmbeddedRuntime(options)
  return {
    name: 'embedded',
    createChatModel: (entry: ModelEntry) => new EmbeddedChatModel(entry.id, runtime),
    createEmbeddingModel: (entry: EmbedderEntry) => new EmbeddedEmbeddingModel(entry.id, runtime),
  }
}

/** The process-wide embedded provider, over the committed weights and the cached vocabulary. */
export const embeddedProvider: ProviderFactory = createEmbeddedProvider()
