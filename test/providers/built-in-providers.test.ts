import t from 'tap'
import { builtInProviders, type ProviderFactories } from '../../src/providers/built-in-providers.js'
import { openaiProvider } from '../../src/providers/openai/openai-provider.js'
import type { RegistryData } from '../../src/registry/registry-schema.js'

/** Only `models[].provider` and `embedders[].provider` matter here. */
const registry = (models: string[], embedders: string[]): RegistryData =>
  ({ models: models.map((provider) => ({ provider })), embedders: embedders.map((provider) => ({ provider })) }) as unknown as RegistryData

t.test('openai only, when no entry uses the embedded tier', async (t) => {
  const providers = await builtInProviders(registry(['openai'], ['openai']))
  t.equal(providers.openai, openaiProvider)
  t.equal(providers.embedded, undefined)
})

t.test('the embedded tier when a model or an embedder uses it', async (t) => {
  t.equal((await builtInProviders(registry(['embedded'], []))).embedded?.name, 'embedded')
  t.equal((await builtInProviders(registry(['openai'], ['embedded']))).embedded?.name, 'embedded')
})

t.test('overrides win over the built-in factories', async (t) => {
  const fake = { ...openaiProvider, name: 'embedded' } as NonNullable<ProviderFactories['embedded']>
  const otherOpenai = { ...openaiProvider } as NonNullable<ProviderFactories['openai']>
  const providers = await builtInProviders(registry(['embedded'], []), { embedded: fake, openai: otherOpenai })
  t.equal(providers.embedded, fake)
  t.equal(providers.openai, otherOpenai)
})
