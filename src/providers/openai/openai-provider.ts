/**
 * The `openai` provider: registry entries pointing at any OpenAI-compatible server (OpenAI, Azure,
 * vLLM, Ollama, llama.cpp, LiteLLM) become chat and embedding models sharing pooled connections.
 */
import type { SecretLookup } from '../../config.js'
import { DriberError } from '../../errors.js'
import type { EmbedderEntry, ModelEntry } from '../../registry/registry-schema.js'
import type { ProviderFactory } from '../provider-factory.js'
import { OpenAIChatModel } from './openai-chat-model.js'
import { OpenAIClientPool, type ClientLease } from './openai-client-pool.js'
import { OpenAIEmbeddingModel } from './openai-embedding-model.js'

const lease = (pool: OpenAIClientPool, entry: ModelEntry | EmbedderEntry, secrets: SecretLookup): ClientLease => {
  if (entry.base_url === undefined) {
    // The registry loader rejects this; guard for hand-built entries.
    throw new DriberError('REGISTRY_INVALID', { message: `"${entry.id}" uses provider openai without base_url`, details: { problems: [`${entry.id}: base_url is required`] } })
  }
  const apiKey = entry.api_key_env === undefined ? undefined : secrets(entry.api_key_env)
  if (entry.api_key_env !== undefined && (apiKey === undefined || apiKey === '')) {
    throw new DriberError('REGISTRY_INVALID', {
      message: `Environment variable ${entry.api_key_env} (the key for "${entry.id}") is not set`,
      details: { problems: [`${entry.id}: environment variable ${entry.api_key_env} is not set`] },
    })
  }
  // An idle gap can never be allowed to outlast the whole attempt.
  const idleTimeoutMs = Math.min(entry.idle_timeout_ms ?? entry.timeout_ms, entry.timeout_ms)
  return pool.acquire({ baseUrl: entry.base_url, apiKey, idleTimeoutMs })
}

/** A provider with its own connection pool (tests use one each; the service uses `openaiProvider`). */
export const createOpenAIProvider = (pool: OpenAIClientPool = new OpenAIClientPool()): ProviderFactory => ({
  name: 'openai',
  createChatModel: (entry: ModelEntry, secrets: SecretLookup) => new OpenAIChatModel(entry, lease(pool, entry, secrets)),
  createEmbeddingModel: (entry: EmbedderEntry, secrets: SecretLookup) => new OpenAIEmbeddingModel(entry, lease(pool, entry, secrets)),
})

/** The process-wide OpenAI-compatible provider; models release their connections when closed. */
export const openaiProvider: ProviderFactory = createOpenAIProvider()
