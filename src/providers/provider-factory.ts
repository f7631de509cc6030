/**
 * A provider, as the registry sees it: turns a validated registry entry into callable models.
 * One implementation per folder under `src/providers/` (`openai/`, `embedded/`).
 */
import type { SecretLookup } from '../config.js'
import type { EmbedderEntry, ModelEntry } from '../registry/registry-schema.js'
import type { ChatModel, EmbeddingModel } from './provider.js'

export interface ProviderFactory {
  readonly name: 'openai' | 'embedded'
  createChatModel(entry: ModelEntry, secrets: SecretLookup): ChatModel
  createEmbeddingModel(entry: EmbedderEntry, secrets: SecretLookup): EmbeddingModel
}
