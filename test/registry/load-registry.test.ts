import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { DriberError } from '../../src/errors.js'
import { loadRegistry, parseRegistry, parseRegistryYaml } from '../../src/registry/load-registry.js'

const GOOD_YAML = `# a registry with two backends and an embedder
version: 1
models:
  - id: local-llama
    provider: openai
    base_url: http://localhost:11434/v1
    upstream_model: llama3.1:8b
    scale: small
    parameters: 8B
    output: json_object
    aliases: [llama]
  - id: gpt-4o-mini
    provider: openai
    base_url: https://api.openai.com/v1
    api_key_env: OPENAI_API_KEY
    scale: medium
    output: json_schema
    decoding:
      describe: { temperature: 0.7 }
embedders:
  - id: embed-small
    provider: openai
    base_url: https://api.openai.com/v1
    api_key_env: OPENAI_API_KEY
    upstream_model: text-embedding-3-small
    dimension: 1536
aliases:
  default: gpt-4o-mini
routes:
  decide: [default, llama]
  describe: [gpt-4o-mini]
`

const baseModels = () => [
  { id: 'a', provider: 'openai', base_url: 'http://127.0.0.1:1/v1', scale: 'small' },
  { id: 'b', provider: 'openai', base_url: 'http://127.0.0.1:1/v1', scale: 'large' },
]

/** The problems a REGISTRY_INVALID error lists. */
const problemsOf = (run: () => unknown): string[] => {
  try {
    run()
  } catch (error) {
    if (error instanceof DriberError && error.kind === 'REGISTRY_INVALID') return (error.details?.problems as string[]) ?? []
    throw error
  }
  throw new Error('expected REGISTRY_INVALID')
}

/** Asserts one problem is listed exactly (a string) or by prefix (a RegExp), showing all problems on failure. */
const lists = (t: Test, problems: string[], expected: string): void => {
  t.ok(problems.includes(expected), `lists: ${expected}`, { problems })
}

t.test('a good file loads with defaults filled in', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-registry-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const file = path.join(directory, 'registry.yaml')
  writeFileSync(file, GOOD_YAML)
  const data = loadRegistry(file, { secrets: (name) => (name === 'OPENAI_API_KEY' ? 'sk-test' : undefined) })
  t.equal(data.models.length, 2)
  t.equal(data.models[0]?.timeout_ms, 30_000, 'timeout default')
  t.equal(data.models[0]?.max_concurrency, 64, 'concurrency default')
  t.same(data.models[1]?.decoding, { describe: { temperature: 0.7 } })
  t.equal(data.embedders[0]?.batch_size, 64, 'embedder batch default')
  t.same(data.routes.decide, ['default', 'llama'])
  t.equal(data.routes.rank, undefined, 'rank route optional')
})

t.test('a missing file names the path', async (t) => {
  const problems = problemsOf(() => loadRegistry(path.join(tmpdir(), 'driber-no-such-registry.yaml')))
  t.match(problems[0], /driber-no-such-registry\.yaml: file not found/)
})

t.test('YAML syntax errors carry their line', async (t) => {
  const problems = problemsOf(() => parseRegistryYaml('version: 1\nmodels:\n  - id: a\n    scale: [small\n'))
  t.ok(problems.length > 0)
  t.match(problems[0], /^line \d+, column \d+: /)
  const duplicate = problemsOf(() => parseRegistryYaml('version: 1\nversion: 1\n'))
  t.match(duplicate[0], /^line 2, column 1: .*(unique|duplicate)/i, 'duplicate keys are errors, not silently last-wins')
})

t.test('schema problems are listed together, each with its path and line', async (t) => {
  const yaml = `version: 1
models:
  - id: a
    provider: openai
    base_url: http://127.0.0.1:1/v1
    scale: small
  - id: b
    provider: openai
    base_url: http://127.0.0.1:1/v1
    scale: small
  - id: c
    provider: openai
    base_url: http://127.0.0.1:1/v1
    scale: huge
    timeout_ms: 0
    colour: blue
routes:
  decide: [a]
`
  const problems = problemsOf(() => parseRegistryYaml(yaml, { source: 'registry.yaml' }))
  lists(t, problems, 'models[2].scale: must be one of tiny|small|medium|large|xl (line 14)')
  t.ok(problems.some((problem) => problem.startsWith('models[2].timeout_ms: must be >= 1')), 'bad number')
  t.ok(problems.some((problem) => problem.startsWith('models[2].colour: is not a known field')), 'unknown field')
  t.ok(problems.some((problem) => problem.startsWith('routes.describe: is required')), 'missing route')
})

t.test('the error is REGISTRY_INVALID with every problem in its message', async (t) => {
  try {
    parseRegistry({ version: 2, models: [], routes: { decide: ['a'], describe: ['a'] } })
    t.fail('should throw')
  } catch (error) {
    t.ok(error instanceof DriberError)
    const driberError = error as DriberError
    t.equal(driberError.code, 'DRIBER_REGISTRY_INVALID')
    const problems = driberError.details?.problems as string[]
    t.ok(problems.some((problem) => problem.startsWith('version:')), 'version')
    t.ok(problems.some((problem) => problem.startsWith('models:')), 'empty models')
    for (const problem of problems) t.ok(driberError.message.includes(problem), `message lists "${problem}"`)
  }
  t.same(problemsOf(() => parseRegistry('just text')), ['registry: must be a mapping with version, models and routes'])
})

t.test('ids must be unique', async (t) => {
  const problems = problemsOf(() =>
    parseRegistry({
      version: 1,
      models: [...baseModels(), { id: 'a', provider: 'openai', base_url: 'http://x/v1', scale: 'xl' }],
      embedders: [
        { id: 'e', provider: 'openai', base_url: 'http://x/v1' },
        { id: 'e', provider: 'openai', base_url: 'http://x/v1' },
      ],
      routes: { decide: ['a'], describe: ['a'] },
    }),
  )
  lists(t, problems, 'models[2].id: duplicate model id "a" (also models[0])')
  lists(t, problems, 'embedders[1].id: duplicate embedder id "e" (also embedders[0])')
})

t.test('aliases resolve to models and shadow no id or scale', async (t) => {
  const problems = problemsOf(() =>
    parseRegistry({
      version: 1,
      models: [
        { ...baseModels()[0], aliases: ['fast', 'b'] },
        { ...baseModels()[1], aliases: ['fast', 'medium'] },
      ],
      aliases: { ghost: 'nobody', 'bad name': 'a' },
      routes: { decide: ['a'], describe: ['a'] },
    }),
  )
  t.ok(problems.some((problem) => problem.startsWith('aliases.ghost: refers to unknown model "nobody"')))
  t.ok(problems.some((problem) => problem.startsWith('aliases["bad name"]: alias "bad name" must match')))
  lists(t, problems, 'models[0].aliases[1]: alias "b" collides with a model id')
  lists(t, problems, 'models[1].aliases[1]: alias "medium" collides with the scale of that name')
  lists(t, problems, 'models[1].aliases[0]: alias "fast" already names "a" (models[0].aliases[0])')
})

t.test('a model id cannot be a scale name', async (t) => {
  const problems = problemsOf(() =>
    parseRegistry({ version: 1, models: [{ id: 'small', provider: 'openai', base_url: 'http://x/v1', scale: 'small' }], routes: { decide: ['small'], describe: ['small'] } }),
  )
  lists(t, problems, 'models[0].id: "small" is a scale name and cannot be a model id')
})

t.test('routes reference known ids or aliases, once each', async (t) => {
  const problems = problemsOf(() =>
    parseRegistry({
      version: 1,
      models: baseModels(),
      aliases: { primary: 'a' },
      routes: { decide: ['primary', 'missing'], rank: ['a', 'primary'], describe: ['b'] },
    }),
  )
  lists(t, problems, 'routes.decide[1]: unknown model "missing"; models: a, b; aliases: primary')
  lists(t, problems, 'routes.rank[1]: model "a" appears twice in this route')
  t.equal(problems.length, 2, 'the valid route is not reported')
})

t.test('cascade entries: min_confidence in [0, 1], only on decide and rank, never on the last model', async (t) => {
  const good = parseRegistry({
    version: 1,
    models: baseModels(),
    routes: { decide: [{ model: 'a', min_confidence: 0.75 }, 'b'], describe: ['b'] },
    share: { describe_follows_decide: true },
  })
  t.same(good.routes.decide, [{ model: 'a', min_confidence: 0.75 }, 'b'])
  t.same(good.share, { describe_follows_decide: true })
  const problems = problemsOf(() =>
    parseRegistry({
      version: 1,
      models: baseModels(),
      routes: {
        decide: [{ model: 'a', min_confidence: 0.8 }, { model: 'b', min_confidence: 0.9 }],
        rank: [{ model: 'missing', min_confidence: 0.5 }, 'b'],
        describe: ['a'],
      },
    }),
  )
  lists(t, problems, 'routes.decide[1].min_confidence: the last model of a cascade always answers; remove min_confidence or add a model after it')
  lists(t, problems, 'routes.rank[0]: unknown model "missing"; models: a, b; aliases: (none)')
  const outOfRange = problemsOf(() => parseRegistry({ version: 1, models: baseModels(), routes: { decide: [{ model: 'a', min_confidence: 1.5 }, 'b'], describe: ['a'] } }))
  t.ok(outOfRange.some((problem) => problem.startsWith('routes.decide[0]')), `out of range is refused: ${outOfRange.join('; ')}`)
  const onDescribe = problemsOf(() => parseRegistry({ version: 1, models: baseModels(), routes: { decide: ['a'], describe: [{ model: 'a', min_confidence: 0.5 }, 'b'] } }))
  t.ok(onDescribe.some((problem) => problem.startsWith('routes.describe[0]')), `describe has no confidence to cascade on: ${onDescribe.join('; ')}`)
})

t.test('openai entries need a usable base_url', async (t) => {
  const problems = problemsOf(() =>
    parseRegistry({
      version: 1,
      models: [
        { id: 'a', provider: 'openai', scale: 'small' },
        { id: 'b', provider: 'openai', base_url: 'localhost:11434', scale: 'small' },
        { id: 'c', provider: 'embedded', scale: 'tiny' },
      ],
      embedders: [{ id: 'e', provider: 'openai' }],
      routes: { decide: ['a'], describe: ['c'] },
    }),
  )
  lists(t, problems, 'models[0].base_url: is required for provider openai')
  t.ok(problems.some((problem) => problem.startsWith('models[1].base_url: must be')))
  lists(t, problems, 'embedders[0].base_url: is required for provider openai')
  t.notOk(problems.some((problem) => problem.startsWith('models[2]')), 'embedded needs no URL')
})

t.test('a key variable that is not set fails start-up, naming the variable and never a value', async (t) => {
  const data = {
    version: 1,
    models: [{ id: 'a', provider: 'openai', base_url: 'https://api.openai.com/v1', api_key_env: 'DRIBER_TEST_KEY', scale: 'small' }],
    embedders: [{ id: 'e', provider: 'openai', base_url: 'https://api.openai.com/v1', api_key_env: 'DRIBER_EMBED_KEY' }],
    routes: { decide: ['a'], describe: ['a'] },
  }
  const problems = problemsOf(() => parseRegistry(data, { secrets: (name) => (name === 'DRIBER_EMBED_KEY' ? '' : undefined) }))
  t.ok(problems.some((problem) => problem.startsWith('models[0].api_key_env: environment variable DRIBER_TEST_KEY is not set')))
  t.ok(problems.some((problem) => problem.startsWith('embedders[0].api_key_env: environment variable DRIBER_EMBED_KEY is not set')), 'empty counts as unset')

  const secret = 'sk-live-should-never-appear'
  const loaded = parseRegistry(data, { secrets: () => secret })
  t.equal(loaded.models[0]?.api_key_env, 'DRIBER_TEST_KEY')
  t.notOk(JSON.stringify(loaded).includes(secret), 'the key value is not copied into the data')
  t.doesNotThrow(() => parseRegistry(data), 'without a secret lookup (tools, tests) keys are not checked')
})

t.test('the shipped example registry is valid, and names only the key variables it documents', async (t) => {
  const asked: string[] = []
  const data = loadRegistry('config/registry.example.yaml', {
    secrets: (name) => {
      asked.push(name)
      return 'set'
    },
  })
  t.ok(data.models.some((model) => model.base_url === 'http://localhost:11434/v1'), 'an Ollama example')
  t.ok(data.models.some((model) => model.base_url === 'https://api.openai.com/v1'), 'an OpenAI example')
  t.same([...new Set(asked)].sort(), ['OPENAI_API_KEY', 'VLLM_API_KEY'])
  const problems = problemsOf(() => loadRegistry('config/registry.example.yaml', { secrets: () => undefined }))
  t.ok(problems.some((problem) => /api_key_env: environment variable OPENAI_API_KEY is not set .*\(line \d+\)$/.test(problem)), 'unset keys are reported with their line')
})
