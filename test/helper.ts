/**
 * Builds the whole app for a test, the way production does (`buildApp`), with a test config
 * (ports 0, silent logs, short backoffs) and a registry whose models and embedder all point at a
 * fresh fake OpenAI-compatible upstream. Everything is torn down with the test.
 */
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import type { Test } from 'tap'
import { buildApp, type App, type BuildAppOptions } from '../src/app.js'
import { testConfig, type Config, type ConfigData, type DeepPartial } from '../src/config.js'
import type { Scale } from '../src/core/types.js'
import type { RegistryData } from '../src/registry/registry-schema.js'
import { startFakeUpstream, type FakeUpstream, type FakeUpstreamOptions } from './support/fake-upstream.js'

/** The environment variable the test registry names for its key, and the key the fake expects nowhere. */
export const TEST_KEY_VARIABLE = 'DRIBER_TEST_UPSTREAM_KEY'
export const TEST_KEY_VALUE = 'sk-test-0123456789-never-shown'

export const TEST_GALLERY = fileURLToPath(new URL('./fixtures/http-gallery.jsonl', import.meta.url))

/** The registry schema's own scale type (kept as the schema states it, whatever TypeBox derives). */
const scale = (value: Scale): RegistryData['models'][number]['scale'] => value as RegistryData['models'][number]['scale']

/** Two chat models (primary and fallback) and one embedder, all served by the fake upstream. */
export const testRegistry = (baseUrl: string): RegistryData => ({
  version: 1,
  models: [
    {
      id: 'model-a',
      provider: 'openai',
      base_url: baseUrl,
      api_key_env: TEST_KEY_VARIABLE,
      upstream_model: 'fake-model-a',
      scale: scale('small'),
      output: 'json_schema',
      decoding: {},
      timeout_ms: 5_000,
      max_concurrency: 16,
      max_queue: 64,
      aliases: ['primary'],
    },
    {
      id: 'model-b',
      provider: 'openai',
      base_url: baseUrl,
      api_key_env: TEST_KEY_VARIABLE,
      upstream_model: 'fake-model-b',
      scale: scale('medium'),
      output: 'json_object',
      decoding: {},
      timeout_ms: 5_000,
      max_concurrency: 16,
      max_queue: 64,
    },
  ],
  embedders: [
    {
      id: 'fake-embed',
      provider: 'openai',
      base_url: baseUrl,
      api_key_env: TEST_KEY_VARIABLE,
      upstream_model: 'fake-embedding',
      batch_size: 16,
      timeout_ms: 5_000,
      max_concurrency: 2,
      modalities: ['text'],
    },
  ],
  aliases: {},
  routes: { decide: ['model-a', 'model-b'], describe: ['model-a', 'model-b'] },
})

/** Defaults every whole-app test shares; a test's own overrides are merged over them. */
export const testAppConfig = (overrides: DeepPartial<ConfigData> = {}): Config => {
  const base: DeepPartial<ConfigData> = {
    http: { host: '127.0.0.1', port: 0, docs: true },
    grpc: { host: '127.0.0.1', port: 0 },
    logging: { level: 'silent' },
    deadlines: { defaultRequestMs: 10_000, drainMs: 2_000, drainQuietMs: 100 },
    // Retries stay real but quick; a Retry-After above the cap moves on instead of waiting.
    resilience: { baseDelayMs: 1, maxDelayMs: 5, retryAfterCapMs: 50 },
    retrieval: { defaultIndex: 'test', indexes: [{ name: 'test', path: TEST_GALLERY, embedder: 'fake-embed', backend: 'memory' }] },
    metrics: { collectDefault: false },
    // A loaded CI machine compiling TypeScript can stall the event loop past the shedding
    // threshold; load shedding has its own tests, these are about behaviour.
    pressure: { enabled: false },
  }
  const merge = (left: Record<string, unknown>, right: Record<string, unknown>): Record<string, unknown> => {
    const out = { ...left }
    for (const [key, value] of Object.entries(right)) {
      const current = out[key]
      out[key] =
        value !== null && typeof value === 'object' && !Array.isArray(value) && current !== null && typeof current === 'object' && !Array.isArray(current)
          ? merge(current as Record<string, unknown>, value as Record<string, unknown>)
          : value
    }
    return out
  }
  return testConfig(merge(base, overrides) as DeepPartial<ConfigData>, { [TEST_KEY_VARIABLE]: TEST_KEY_VALUE })
}

export interface TestAppOptions {
  config?: DeepPartial<ConfigData>
  /** Replace the registry (given the fake's base URL). */
  registry?: (baseUrl: string) => RegistryData
  upstream?: FakeUpstreamOptions
  /** Listen on 127.0.0.1:0 (default true); false for `inject`-only tests. */
  listen?: boolean
  appOptions?: Omit<BuildAppOptions, 'registry'>
}

export interface TestApp {
  app: App
  upstream: FakeUpstream
  /** Upstream requests made while starting (index captions embedded at load); later counts start from here. */
  startupRequests: number
  /** `http://127.0.0.1:PORT` when listening, else ''. */
  url: string
  /** POSTs JSON over real HTTP and returns status, headers and parsed body. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<TestResponse>
  get(path: string, headers?: Record<string, string>): Promise<TestResponse>
}

export interface TestResponse {
  status: number
  headers: Headers
  // Tests read whatever shape the endpoint answers.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any
}

const toResponse = async (response: Response): Promise<TestResponse> => {
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // Not JSON (Swagger UI HTML): keep the text.
  }
  return { status: response.status, headers: response.headers, body }
}

/** Starts a fake upstream and the whole app against it; both are closed when `t` ends. */
export const buildTestApp = async (t: Test, options: TestAppOptions = {}): Promise<TestApp> => {
  const upstream = await startFakeUpstream(options.upstream)
  t.teardown(() => upstream.close())
  const app = await buildApp(testAppConfig(options.config), {
    logger: pino({ level: 'silent' }),
    ...options.appOptions,
    registry: (options.registry ?? testRegistry)(upstream.baseUrl),
  })
  // Closing the app first lets in-flight requests end before the upstream goes away.
  t.teardown(() => app.close({ drainMs: 0 }))
  let url = ''
  if (options.listen ?? true) {
    await app.http.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.http.server.address() as AddressInfo
    url = `http://127.0.0.1:${port}`
  }
  await app.ready()
  const startupRequests = upstream.requestCount
  const send = async (method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<TestResponse> => {
    if (url === '') {
      const injected = await app.http.inject({ method: method as 'GET' | 'POST', url: path, payload: body as string, headers })
      return toResponse(new Response(injected.body, { status: injected.statusCode, headers: injected.headers as Record<string, string> }))
    }
    return toResponse(
      await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
    )
  }
  return {
    app,
    upstream,
    startupRequests,
    url,
    post: (path, body, headers) => send('POST', path, body, headers),
    get: (path, headers) => send('GET', path, undefined, headers),
  }
}

/** A small dialogue most tests use. */
export const beachDialogue = [
  { speaker: 'Ana', text: 'We just got back from the beach!' },
  { speaker: 'Ben', text: 'Nice, how was the water?' },
  { speaker: 'Ana', text: 'Crystal clear, and we saw a sea turtle.' },
]
