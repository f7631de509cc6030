/**
 * What the benchmarks send and how the server under test is configured: a few short dialogues,
 * a registry with one OpenAI-compatible model on the fake upstream, and a config with per-caller
 * limits off (one load generator from one address is the whole load; a rate limit would only
 * measure itself).
 */
import type { Dialogue } from '../../src/core/types.js'

/** Dialogues sent in turn; realistic lengths for a chat context window. */
export const benchDialogues: readonly Dialogue[] = [
  [
    { speaker: 'Ana', text: 'We just got back from the beach!' },
    { speaker: 'Ben', text: 'Nice, how was the water?' },
    { speaker: 'Ana', text: 'Crystal clear, and we saw a sea turtle.' },
  ],
  [
    { speaker: 'Kim', text: 'My sister baked a cake for my birthday.' },
    { speaker: 'Lee', text: 'What kind of cake was it?' },
  ],
  [
    { speaker: 'Sam', text: 'I adopted a puppy yesterday' },
    { speaker: 'Max', text: 'No way! What breed?' },
    { speaker: 'Sam', text: 'A golden retriever, he loves fetch' },
    { speaker: 'Max', text: 'I need to see him' },
  ],
]

/** The environment variable the bench registry names for its (fake) key. */
export const BENCH_KEY_VARIABLE = 'DRIBER_BENCH_UPSTREAM_KEY'
export const benchKeyEnvironment = { [BENCH_KEY_VARIABLE]: 'sk-bench-not-a-secret' }

export interface BenchRegistryOptions {
  baseUrl: string
  /** Per-model bulkhead: calls in flight at once, and calls allowed to wait for a slot. */
  maxConcurrency: number
  maxQueue: number
  timeoutMs?: number
}

/** One model on the fake upstream serving every stage, json_schema output (one call per request). */
export const benchRegistry = (options: BenchRegistryOptions): Record<string, unknown> => ({
  version: 1,
  models: [
    {
      id: 'bench-model',
      provider: 'openai',
      base_url: options.baseUrl,
      api_key_env: BENCH_KEY_VARIABLE,
      upstream_model: 'fake-bench',
      scale: 'small',
      output: 'json_schema',
      timeout_ms: options.timeoutMs ?? 30_000,
      max_concurrency: options.maxConcurrency,
      max_queue: options.maxQueue,
    },
  ],
  routes: { decide: ['bench-model'], rank: ['bench-model'], describe: ['bench-model'] },
})

/** Server config for decide benchmarks: production defaults except as noted. */
export const benchConfig = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  // Production log level: every request still writes its completion line (to a discarded stdout).
  logging: { level: 'info' },
  rateLimit: { enabled: false },
  // No image index: decide never touches one, and loading one would only add start-up time.
  retrieval: { indexes: [] },
  deadlines: { defaultRequestMs: 30_000, drainMs: 5_000 },
  ...extra,
})
