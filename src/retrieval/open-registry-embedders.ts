/**
 * Embedders for offline tools (`driber index build`, `driber eval retrieve`): the model registry
 * the service would load, without the rest of the app. The embedded provider is imported only
 * when the registry uses it, as in app.ts.
 */
import type { Config } from '../config.js'
import { openaiProvider } from '../providers/openai/openai-provider.js'
import type { ProviderFactory } from '../providers/provider-factory.js'
import { loadRegistry } from '../registry/load-registry.js'
import { ModelRegistry, type ProviderName } from '../registry/model-registry.js'

export const openRegistryEmbedders = async (config: Config): Promise<ModelRegistry> => {
  const data = loadRegistry(config.registryPath, { secrets: config.secrets })
  const providers: Partial<Record<ProviderName, ProviderFactory>> = { openai: openaiProvider }
  if ([...data.models, ...data.embedders].some((entry) => entry.provider === 'embedded')) {
    providers.embedded = (await import('../providers/embedded/embedded-provider.js')).embeddedProvider
  }
  return new ModelRegistry({ data, secrets: config.secrets, providers })
}
