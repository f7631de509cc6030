import t, { type Test } from 'tap'
import { DriberError } from '../../src/errors.js'
import type { ProviderFactory } from '../../src/providers/provider-factory.js'
import type { ChatModel, EmbeddingModel } from '../../src/providers/provider.js'
import { createOpenAIProvider } from '../../src/providers/openai/openai-provider.js'
import { parseRegistry } from '../../src/registry/load-registry.js'
import { ModelRegistry } from '../../src/registry/model-registry.js'
import type { RegistryData } from '../../src/registry/registry-schema.js'
import { startFakeUpstream } from '../support/fake-upstream.js'

const SECRET = 'sk-very-secret-value'

const registryData = (): RegistryData =>
  parseRegistry({
    version: 1,
    models: [
      { id: 'tiny-local', provider: 'embedded', scale: 'tiny', output: 'json_schema' },
      {
        id: 'llama-8b',
        provider: 'openai',
        base_url: 'http://user:hunter2@localhost:11434/v1?token=abc',
        upstream_model: 'llama3.1:8b',
        scale: 'small',
        parameters: '8B',
        aliases: ['llama'],
        decoding: { decide: { temperature: 0.2, seed: 7 }, describe: { temperature: 0.9, top_p: 0.95 } },
      },
      { id: 'qwen-7b', provider: 'openai', base_url: 'http://localhost:8000/v1', scale: 'small' },
      { id: 'gpt-big', provider: 'openai', base_url: 'https://api.openai.com/v1', api_key_env: 'OPENAI_API_KEY', scale: 'large', output: 'json_schema' },
      { id: 'mistral-7b', provider: 'openai', base_url: 'http://localhost:8001/v1', scale: 'small', timeout_ms: 1234, max_concurrency: 3, max_queue: 9 },
    ],
    embedders: [
      { id: 'embed-openai', provider: 'openai', base_url: 'https://api.openai.com/v1', api_key_env: 'OPENAI_API_KEY', dimension: 1536 },
      { id: 'embed-local', provider: 'embedded' },
    ],
    aliases: { smart: 'gpt-big' },
    routes: { decide: ['smart', 'mistral-7b', 'llama'], describe: ['llama', 'tiny-local'] },
  })

/** A factory that builds inert models and remembers what it built and closed, to test the registry alone. */
const recordingFactory = (name: 'openai' | 'embedded') => {
  const built: string[] = []
  const closed: string[] = []
  const secretsSeen: Array<string | undefined> = []
  const factory: ProviderFactory = {
    name,
    createChatModel(entry, secrets) {
      built.push(entry.id)
      secretsSeen.push(entry.api_key_env === undefined ? undefined : secrets(entry.api_key_env))
      const model: ChatModel = {
        id: entry.id,
        provider: name,
        chat: () => Promise.reject(new Error('not called in registry tests')),
        close: async () => {
          closed.push(entry.id)
        },
      }
      return model
    },
    createEmbeddingModel(entry) {
      built.push(entry.id)
      const model: EmbeddingModel = {
        id: entry.id,
        provider: name,
        dimension: entry.dimension ?? 3,
        embed: () => Promise.reject(new Error('not called in registry tests')),
        close: async () => {
          closed.push(entry.id)
        },
      }
      return model
    },
  }
  return { factory, built, closed, secretsSeen }
}

const setup = (t: Test) => {
  const openai = recordingFactory('openai')
  const embedded = recordingFactory('embedded')
  const registry = new ModelRegistry({
    data: registryData(),
    secrets: (name) => (name === 'OPENAI_API_KEY' ? SECRET : undefined),
    providers: { openai: openai.factory, embedded: embedded.factory },
  })
  t.teardown(() => registry.close())
  return { registry, openai, embedded }
}

const unknownModel = (run: () => unknown): DriberError => {
  try {
    run()
  } catch (error) {
    if (error instanceof DriberError && error.kind === 'UNKNOWN_MODEL') return error
    throw error
  }
  throw new Error('expected UNKNOWN_MODEL')
}

t.test('the default route resolves aliases, in order', async (t) => {
  const { registry } = setup(t)
  t.same(
    registry.route('decide').map((model) => model.id),
    ['gpt-big', 'mistral-7b', 'llama-8b'],
  )
  t.same(
    registry.route('describe').map((model) => model.id),
    ['llama-8b', 'tiny-local'],
  )
})

t.test('rank falls back to the decide route', async (t) => {
  const { registry } = setup(t)
  t.same(
    registry.route('rank').map((model) => model.id),
    ['gpt-big', 'mistral-7b', 'llama-8b'],
  )
  const own = new ModelRegistry({
    data: parseRegistry({
      version: 1,
      models: [
        { id: 'a', provider: 'embedded', scale: 'tiny' },
        { id: 'b', provider: 'embedded', scale: 'tiny' },
      ],
      routes: { decide: ['a'], rank: ['b', 'a'], describe: ['a'] },
    }),
    secrets: () => undefined,
    providers: { embedded: recordingFactory('embedded').factory },
  })
  t.teardown(() => own.close())
  t.same(
    own.route('rank').map((model) => model.id),
    ['b', 'a'],
    'an explicit rank route wins',
  )
})

t.test('a requested id or alias gives exactly that model, even outside the route', async (t) => {
  const { registry } = setup(t)
  t.same(
    registry.route('decide', 'qwen-7b').map((model) => model.id),
    ['qwen-7b'],
  )
  t.same(
    registry.route('describe', 'smart').map((model) => model.id),
    ['gpt-big'],
  )
  t.same(
    registry.route('decide', 'llama').map((model) => model.id),
    ['llama-8b'],
    'per-model alias',
  )
})

t.test('a requested scale gives that scale in route order, then registry order', async (t) => {
  const { registry } = setup(t)
  t.same(
    registry.route('decide', 'small').map((model) => model.id),
    ['mistral-7b', 'llama-8b', 'qwen-7b'],
  )
  t.same(
    registry.route('describe', 'small').map((model) => model.id),
    ['llama-8b', 'qwen-7b', 'mistral-7b'],
  )
  t.same(
    registry.route('describe', 'large').map((model) => model.id),
    ['gpt-big'],
  )
})

t.test('unknown names fail with what exists', async (t) => {
  const { registry } = setup(t)
  const error = unknownModel(() => registry.route('decide', 'gpt-5'))
  t.equal(error.code, 'DRIBER_UNKNOWN_MODEL')
  t.equal(error.httpStatus, 404)
  t.same(error.details, {
    requested: 'gpt-5',
    models: ['tiny-local', 'llama-8b', 'qwen-7b', 'gpt-big', 'mistral-7b'],
    aliases: ['smart', 'llama'],
    scales: ['tiny', 'small', 'large'],
  })
  const emptyScale = unknownModel(() => registry.route('describe', 'xl'))
  t.match(emptyScale.message, /scale "xl"/)
  t.same(emptyScale.details?.scales, ['tiny', 'small', 'large'], 'only scales that have models are offered')
})

t.test('routed models carry per-stage decoding and the entry limits', async (t) => {
  const { registry } = setup(t)
  const [big, mistral, llama] = registry.route('decide')
  t.same(big?.decoding, { temperature: 0 }, 'decide is greedy by default')
  t.same(llama?.decoding, { temperature: 0.2, seed: 7 }, 'the entry overrides')
  t.same(registry.route('rank', 'llama')[0]?.decoding, { temperature: 0.2, seed: 7 }, 'rank without its own settings uses decide settings')
  t.same(registry.route('describe', 'llama')[0]?.decoding, { temperature: 0.9, top_p: 0.95 }, 'describe may sample')
  t.same(registry.route('describe', 'smart')[0]?.decoding, {}, 'describe leaves sampling to the upstream by default')
  t.equal(mistral?.timeoutMs, 1234)
  t.equal(mistral?.maxConcurrency, 3)
  t.equal(mistral?.maxQueue, 9)
  t.equal(big?.output, 'json_schema')
  t.equal(mistral?.output, 'json_object', 'output default')
  t.equal(llama?.provider, 'openai')
  t.equal(llama?.scale, 'small')
})

t.test('each model is built once, lazily, with the secret lookup, and closed once', async (t) => {
  const { registry, openai, embedded } = setup(t)
  t.same(openai.built, [], 'nothing built before use')
  const first = registry.route('decide')
  const again = registry.route('decide')
  t.equal(first, again, 'route arrays are cached, not rebuilt per request')
  registry.route('rank')
  registry.route('decide', 'smart')
  t.same(openai.built.sort(), ['gpt-big', 'llama-8b', 'mistral-7b'])
  t.equal(registry.route('decide', 'smart')[0]?.chat, first[0]?.chat, 'the same ChatModel serves every route')
  t.ok(openai.secretsSeen.includes(SECRET), 'the factory resolves the key through the lookup')
  t.equal(registry.embedder('embed-local'), registry.embedder('embed-local'))
  t.same(embedded.built, ['embed-local'])

  await registry.close()
  t.same(openai.closed.sort(), ['gpt-big', 'llama-8b', 'mistral-7b'])
  t.same(embedded.closed, ['embed-local'])
  await registry.close()
  t.equal(openai.closed.length, 3, 'closing twice closes nothing twice')
  t.throws(() => registry.route('describe'), { code: 'DRIBER_SHUTTING_DOWN' }, 'no new models after close')
})

t.test('unknown embedders list the configured ones', async (t) => {
  const { registry } = setup(t)
  t.throws(() => registry.embedder('clip'), {
    code: 'DRIBER_EMBEDDER_UNAVAILABLE',
    details: { requested: 'clip', embedders: ['embed-openai', 'embed-local'] },
  })
})

t.test('a provider missing from the build is a start-up error', async (t) => {
  t.throws(
    () => new ModelRegistry({ data: registryData(), secrets: () => undefined, providers: { openai: recordingFactory('openai').factory } }),
    { code: 'DRIBER_REGISTRY_INVALID', details: { problems: ['provider "embedded" is used by the registry but not available in this build'] } },
  )
})

t.test('list() shows the registry without secrets', async (t) => {
  const { registry } = setup(t)
  registry.route('decide')
  const list = registry.list()
  const text = JSON.stringify(list)
  t.notOk(text.includes(SECRET), 'no key value')
  t.notOk(text.includes('OPENAI_API_KEY'), 'no key variable name')
  t.notOk(text.includes('api_key_env'), 'no key field')
  t.notOk(text.includes('hunter2'), 'no credentials from URLs')
  t.notOk(text.includes('token=abc'), 'no query strings from URLs')
  const llama = list.models.find((model) => model.id === 'llama-8b')
  t.same(llama, {
    id: 'llama-8b',
    provider: 'openai',
    scale: 'small',
    parameters: '8B',
    output: 'json_object',
    aliases: ['llama'],
    routes: [
      { stage: 'decide', position: 2 },
      { stage: 'rank', position: 2 },
      { stage: 'describe', position: 0 },
    ],
    upstream_model: 'llama3.1:8b',
    base_url: 'http://localhost:11434/v1',
  })
  t.same(
    list.models.find((model) => model.id === 'qwen-7b')?.routes,
    [],
    'a model outside every route is listed with no routes',
  )
  t.same(list.aliases, { smart: 'gpt-big', llama: 'llama-8b' })
  t.same(list.routes, {
    decide: ['gpt-big', 'mistral-7b', 'llama-8b'],
    rank: ['gpt-big', 'mistral-7b', 'llama-8b'],
    describe: ['llama-8b', 'tiny-local'],
  })
  t.same(list.embedders, [
    { id: 'embed-openai', provider: 'openai', modalities: ['text'], dimension: 1536 },
    { id: 'embed-local', provider: 'embedded', modalities: ['text'] },
  ])
})

t.test('with the real OpenAI provider, a routed model calls its upstream with its key and settings', async (t) => {
  const upstream = await startFakeUpstream()
  t.teardown(() => upstream.close())
  const registry = new ModelRegistry({
    data: parseRegistry({
      version: 1,
      models: [{ id: 'remote', provider: 'openai', base_url: upstream.baseUrl, api_key_env: 'REMOTE_KEY', upstream_model: 'served-name', scale: 'medium', output: 'json_object' }],
      routes: { decide: ['remote'], describe: ['remote'] },
    }),
    secrets: (name) => (name === 'REMOTE_KEY' ? 'sk-remote' : undefined),
    providers: { openai: createOpenAIProvider() },
  })
  t.teardown(() => registry.close())
  const [routed] = registry.route('decide', 'medium')
  const response = await routed!.chat.chat({
    stage: 'decide',
    task: { stage: 'decide', dialogue: [] },
    messages: [{ role: 'user', content: '[turn 0] "Ann": "hello"' }],
    output: { mode: routed!.output, name: 'driber_decide', schema: {} },
    decoding: routed!.decoding,
    timeoutMs: routed!.timeoutMs,
    signal: new AbortController().signal,
    requestId: 'req-routed',
  })
  t.equal(JSON.parse(response.content).speaker, 'Ann')
  const [sent] = upstream.chatRequests
  t.equal(sent?.headers.authorization, 'Bearer sk-remote')
  t.same(sent?.body, {
    model: 'served-name',
    messages: [{ role: 'user', content: '[turn 0] "Ann": "hello"' }],
    temperature: 0,
    response_format: { type: 'json_object' },
  })
  await registry.close()
  await upstream.waitForIdle()
  t.equal(upstream.openConnections, 0, 'closing the registry closes upstream connections')
})

t.test('a cascade route: thresholds by model, rank inheriting decide, the listing and Share option', async (t) => {
  const registry = new ModelRegistry({
    data: parseRegistry({
      version: 1,
      models: [
        { id: 'lite', provider: 'embedded', scale: 'tiny', aliases: ['local'] },
        { id: 'mid', provider: 'embedded', scale: 'medium' },
        { id: 'big', provider: 'embedded', scale: 'large' },
      ],
      routes: { decide: [{ model: 'local', min_confidence: 0.8 }, { model: 'mid', min_confidence: 0.7 }, 'big'], describe: ['lite'] },
      share: { describe_follows_decide: true },
    }),
    secrets: () => undefined,
    providers: { embedded: recordingFactory('embedded').factory },
  })
  t.teardown(() => registry.close())
  t.same(
    registry.route('decide').map((model) => model.id),
    ['lite', 'mid', 'big'],
    'cascade entries route like plain ones (aliases resolved)',
  )
  t.same([...(registry.cascade('decide') ?? [])], [
    ['lite', 0.8],
    ['mid', 0.7],
  ])
  t.same([...(registry.cascade('rank') ?? [])], [...(registry.cascade('decide') ?? [])], 'rank without its own route cascades like decide')
  t.equal(registry.cascade('describe'), undefined)
  t.equal(registry.describeFollowsDecide, true)
  const lite = registry.list().models.find((model) => model.id === 'lite')
  t.same(lite?.routes, [
    { stage: 'decide', position: 0, min_confidence: 0.8 },
    { stage: 'rank', position: 0, min_confidence: 0.8 },
    { stage: 'describe', position: 0 },
  ])
  t.same(registry.list().routes.decide, ['lite', 'mid', 'big'])
})

t.test('a plain route has no cascade, and Share does not follow by default', async (t) => {
  const { registry } = setup(t)
  t.equal(registry.cascade('decide'), undefined)
  t.equal(registry.describeFollowsDecide, false)
})
