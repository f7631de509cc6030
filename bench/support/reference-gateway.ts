/**
 * Two reference servers for the side-by-side benchmark (`bench/peer.ts`): the same exchange as
 * driber's Decide (a JSON dialogue in, a ~3.9 KB chat request with a `json_schema` response format
 * to the upstream, the model's JSON answer out), with none of driber's work in between. They put
 * a floor under driber's CPU per request in the same run:
 *
 * - `undici`: fastify and one undici `Pool.request` per call (what the stack costs, no SDK);
 * - `sdk`: fastify and the `openai` SDK with driber's own client set-up (`OpenAIClientPool`: the
 *   lean fetch on a pooled dispatcher, no SDK retries or logging), called as `OpenAIChatModel`
 *   calls it (per-call signal, timeout, headers and fetch options).
 *
 * Usage (bench/peer.ts bundles it first): node reference-gateway.mjs --mode undici|sdk --port N --upstream http://127.0.0.1:M/v1
 */
import { parseArgs } from 'node:util'
import Fastify from 'fastify'
import { Pool } from 'undici'
import { OpenAIClientPool } from '../../src/providers/openai/openai-client-pool.js'

const { values } = parseArgs({ options: { mode: { type: 'string' }, port: { type: 'string' }, upstream: { type: 'string' } } })
const mode = values.mode
if ((mode !== 'undici' && mode !== 'sdk') || values.port === undefined || values.upstream === undefined) {
  console.error('usage: reference-gateway.ts --mode undici|sdk --port N --upstream http://host:port/v1')
  process.exit(2)
}
const upstream = values.upstream

interface Message {
  speaker: string
  text: string
}

// As large as driber's Decide prompt for the benchmark's dialogue, so both send the same bytes.
const INSTRUCTIONS = 'Judge whether the next turn of the conversation should include a photo. '.repeat(38)
const RESPONSE_FORMAT = {
  type: 'json_schema' as const,
  json_schema: {
    name: 'decision',
    strict: true,
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['share', 'speaker', 'confidence', 'intents', 'trigger_turn', 'rationale'],
      properties: {
        share: { type: 'boolean' },
        speaker: { type: 'string', enum: ['A', 'B'] },
        confidence: { type: 'number', minimum: 0, maximum: 1 },
        intents: { type: 'array', items: { type: 'string', enum: ['information_dissemination', 'social_bonding', 'humor_entertainment'] } },
        trigger_turn: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] },
        rationale: { type: 'string', maxLength: 300 },
      },
    },
  },
}

const chatBody = (dialogue: readonly Message[], speaker: string) => ({
  model: 'mock',
  messages: [
    { role: 'system' as const, content: 'You help a chat product decide when to share images. Answer with one JSON object.' },
    { role: 'user' as const, content: `${INSTRUCTIONS}\n${dialogue.map((message, index) => `[turn ${index}] ${JSON.stringify(message.speaker)}: ${JSON.stringify(message.text)}`).join('\n')}\nSpeaker: ${JSON.stringify(speaker)}` },
  ],
  response_format: RESPONSE_FORMAT,
})

type Completion = { choices: { message: { content: string | null } }[] }

const pool = new Pool(new URL(upstream).origin, { keepAliveTimeout: 30_000, connections: null, pipelining: 1 })
const lease = new OpenAIClientPool().acquire({ baseUrl: upstream, apiKey: undefined, idleTimeoutMs: 10_000 })
const chatPath = `${new URL(upstream).pathname.replace(/\/$/, '')}/chat/completions`

const complete = async (body: ReturnType<typeof chatBody>, requestId: string): Promise<Completion> => {
  if (mode === 'undici') {
    const response = await pool.request({ path: chatPath, method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': requestId }, body: JSON.stringify(body), headersTimeout: 10_000, bodyTimeout: 10_000 })
    return (await response.body.json()) as Completion
  }
  const attempt = new AbortController()
  return lease.client.chat.completions.create(body, {
    signal: attempt.signal,
    timeout: 10_000,
    maxRetries: 0,
    headers: { 'x-request-id': requestId },
    fetchOptions: lease.fetchOptions as unknown as Record<string, unknown>,
  }) as Promise<Completion>
}

const app = Fastify({ logger: false })
app.post<{ Body: { dialogue: Message[]; speaker: string } }>(
  '/v1/decide',
  {
    schema: {
      body: {
        type: 'object',
        required: ['dialogue', 'speaker'],
        properties: {
          dialogue: { type: 'array', minItems: 1, items: { type: 'object', required: ['speaker', 'text'], properties: { speaker: { type: 'string' }, text: { type: 'string' } } } },
          speaker: { type: 'string' },
          model: { type: 'string' },
        },
      },
    },
  },
  async (request) => {
    const completion = await complete(chatBody(request.body.dialogue, request.body.speaker), request.id)
    return JSON.parse(completion.choices[0]?.message.content ?? 'null') as unknown
  },
)
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)))
await app.listen({ host: '127.0.0.1', port: Number(values.port) })
