/** The provider factory's own guards, for entries that did not come through the registry loader. */
import t from 'tap'
import { createOpenAIProvider, openaiProvider } from '../../../src/providers/openai/openai-provider.js'
import { parseRegistry } from '../../../src/registry/load-registry.js'
import type { ModelEntry } from '../../../src/registry/registry-schema.js'

const entry = (extra: Record<string, unknown> = {}): ModelEntry =>
  parseRegistry({
    version: 1,
    models: [{ id: 'guarded', provider: 'openai', base_url: 'http://127.0.0.1:9/v1', scale: 'small', ...extra }],
    routes: { decide: ['guarded'], describe: ['guarded'] },
  }).models[0] as ModelEntry

t.test('the process-wide provider is named openai', async (t) => {
  t.equal(openaiProvider.name, 'openai')
})

t.test('an entry without base_url is refused', async (t) => {
  const { base_url: _unused, ...withoutUrl } = entry()
  t.throws(() => createOpenAIProvider().createChatModel(withoutUrl as ModelEntry, () => undefined), { code: 'DRIBER_REGISTRY_INVALID' })
})

t.test('a key variable that is unset is refused, naming the variable only', async (t) => {
  const provider = createOpenAIProvider()
  try {
    provider.createChatModel(entry({ api_key_env: 'GUARDED_KEY' }), (name) => (name === 'GUARDED_KEY' ? '' : undefined))
    t.fail('should throw')
  } catch (error) {
    t.match(error, { code: 'DRIBER_REGISTRY_INVALID', message: /GUARDED_KEY/ })
  }
  const model = provider.createChatModel(entry({ api_key_env: 'GUARDED_KEY' }), () => 'sk-set')
  t.teardown(() => model.close?.())
  t.equal(model.id, 'guarded')
  t.equal(model.provider, 'openai')
})
