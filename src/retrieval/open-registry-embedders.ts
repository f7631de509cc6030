/**
 * Embedders for offline tools (`driber index build`, `driber eval retrieve`): the model registry
 * the service would load, with the same provider factories, without the rest of the app.
 */
import type { Config } from '../config.js'
import { builtInProviders } from '../providers/built-in-providers.js'
import { loadRegistry } from '../registry/load-registry.js'
import { ModelRegistry } from '../registry/model-registry.js'

export const openRegistryEmbedders = async (config: Config): Promise<ModelRegistry> => {
  const data = loadRegistry(config.registryPath, { secrets: config.secrets })
  return new ModelRegistry({ data, secrets: config.secrets, providers: await builtInProviders(data) })
}
