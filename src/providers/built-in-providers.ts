/**
 * The provider factories driber ships, composed for one registry. The service (`app.ts`) and the
 * offline tools (`openRegistryEmbedders`) build their registries from the same map.
 */
import type { RegistryData } from '../registry/registry-schema.js'
import { openaiProvider } from './openai/openai-provider.js'
import type { ProviderFactory } from './provider-factory.js'

/** Provider factories by name, as `ModelRegistry` takes them. */
export type ProviderFactories = Partial<Record<ProviderFactory['name'], ProviderFactory>>

/**
 * `openai` always, with `overrides` on top (tests, other backends). The embedded tier is imported
 * only when an entry of `data` uses it and no override replaced it: its modules (lexicon, GloVe
 * reader, fitted models) are start-up cost that a registry without it should not pay.
 */
export const builtInProviders = async (data: RegistryData, overrides: ProviderFactories = {}): Promise<ProviderFactories> => {
  const providers: ProviderFactories = { openai: openaiProvider, ...overrides }
  const usesEmbedded = [...data.models, ...data.embedders].some((entry) => entry.provider === 'embedded')
  if (usesEmbedded && providers.embedded === undefined) {
    providers.embedded = (await import('./embedded/embedded-provider.js')).embeddedProvider
  }
  return providers
}
