/**
 * Every operation of the HTTP API through the typed client, as an application would call them.
 * `npm run typecheck` checks it against the generated types, and test/client/driber-client.test.ts
 * runs it against the app, so it stays both correct and working.
 *
 *   npx tsx examples/typed-client.ts http://127.0.0.1:8080 [API_KEY]
 */
import { pathToFileURL } from 'node:url'
import { createDriberClient, DriberApiError, type DriberClient } from '../src/client/driber-client.js'

const dialogue = [
  { speaker: 'Ana', text: 'We just got back from the beach!' },
  { speaker: 'Ben', text: 'Nice, how was the water?' },
  { speaker: 'Ana', text: 'Crystal clear, and we saw a sea turtle.' },
]

/** One line per operation, in the order a chat product would meet them. */
export const runExample = async (driber: DriberClient, write: (line: string) => void): Promise<void> => {
  const { models, routes } = await driber.models()
  write(`models: ${models.map((model) => `${model.id} (${model.scale})`).join(', ')}; decide route: ${(routes.decide ?? []).join(' -> ')}`)

  const decision = await driber.decide({ dialogue, speaker: 'Ana' }, { requestId: 'example-decide', timeoutMs: 10_000 })
  write(`decide: share=${decision.share} confidence=${decision.confidence.toFixed(2)} trigger=${decision.trigger?.turn ?? 'none'} intents=${decision.intents.join(',')}`)

  const ranked = await driber.rank({ dialogue })
  write(`rank: ${ranked.candidates.map((candidate) => `turn ${candidate.turn} (${candidate.confidence.toFixed(2)})`).join(', ')}`)

  const described = await driber.describe({ dialogue, speaker: 'Ana', restrictions: ['prefix', 'concise'], n: 2 })
  write(`describe: ${described.descriptions.map((description) => description.text).join(' | ')}`)

  const retrieved = await driber.retrieve({ descriptions: described.descriptions.map((description) => description.text), k: 3 })
  write(`retrieve (${retrieved.index}): ${retrieved.results.map((image) => `${image.id} ${image.score.toFixed(2)} ${image.url}`).join(', ')}`)

  const shared = await driber.share({ dialogue, speaker: 'Ana', k: 3 })
  write(`share: share=${shared.decision.share} images=${shared.results.length} tokens=${shared.usage.total_tokens}`)

  try {
    await driber.retrieve({ descriptions: ['a sea turtle'], index: 'no-such-index' })
  } catch (error) {
    if (!(error instanceof DriberApiError)) throw error
    write(`error: ${error.status} ${error.code} (request ${error.requestId})`)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [baseUrl = 'http://127.0.0.1:8080', apiKey] = process.argv.slice(2)
  runExample(createDriberClient({ baseUrl, ...(apiKey === undefined ? {} : { apiKey }) }), (line) => process.stdout.write(`${line}\n`)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof DriberApiError ? `${error.code}: ${error.message}` : String(error)}\n`)
    process.exit(1)
  })
}
