/**
 * driber with an instant model, for the side-by-side benchmark (`bench/peer.ts`): the whole HTTP
 * app and core as `dist/server.js` builds them from the anchor's config and registry, except that
 * the registry's OpenAI-compatible models answer at once, in process, with the mock's Decide
 * answer. No SDK, no upstream call: its CPU per request is what driber's own layer costs (routing,
 * validation, prompt, parsing, policies, metrics, logs), to set beside the reference servers of
 * `reference-gateway.ts` and driber itself in the same run.
 *
 * Usage (environment as for dist/server.js: DRIBER_CONFIG, DRIBER_REGISTRY, DRIBER_HTTP_PORT, ...):
 *   node instant-model-driber.mjs --answer decide-answer.json
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { ProviderFactory } from '../../src/providers/provider-factory.js'

const { values } = parseArgs({ options: { answer: { type: 'string' } } })
if (values.answer === undefined) {
  console.error('usage: instant-model-driber --answer FILE (the assistant content every call returns)')
  process.exit(2)
}
const content = readFileSync(values.answer, 'utf8')

const instantProvider: ProviderFactory = {
  name: 'openai',
  createChatModel: (entry) => ({
    id: entry.id,
    provider: 'openai',
    chat: async () => ({ content, finishReason: 'stop', refusal: null, usage: { input_tokens: 900, output_tokens: 40, total_tokens: 940 } }),
    close: async () => {},
  }),
  createEmbeddingModel: () => {
    throw new Error('the instant-model reference has no embedders of its own')
  },
}

const config = loadConfig()
const app = await buildApp(config, { providers: { openai: instantProvider } })
await app.http.listen({ host: config.http.host, port: config.http.port })
process.once('SIGTERM', () => void app.http.close().then(() => process.exit(0)))
