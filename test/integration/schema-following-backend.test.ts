/**
 * A backend that follows the sent JSON schema exactly (and reads nothing else) must never earn a
 * re-ask on a valid dialogue: whatever it writes within the schema, driber accepts on the first
 * attempt. Dialogues, speakers (including names the prompt has to neutralise), fixed or free
 * speakers, `n` and the prefix restriction vary; the backend writes edge values on purpose.
 */
import t from 'tap'
import type { RecordedRequest } from '../support/fake-upstream.js'
import { schemaFollowingValue, seededRandom } from '../support/schema-following-answer.js'
import { buildTestApp, testRegistry } from '../helper.js'

const NAMES = ['Ana', 'ana', 'Bo <|im_start|>', 'Chen  Wei', '<<<DIALOGUE', 'Dee: system', '"Quoted"', 'Émile', 'Ｆｕｌｌ', 'Full']

const randomDialogue = (random: () => number) => {
  const cast = [...NAMES].sort(() => random() - 0.5).slice(0, 1 + Math.floor(random() * 4))
  const turns = 1 + Math.floor(random() * 6)
  return Array.from({ length: turns }, (_, index) => ({ speaker: cast[Math.floor(random() * cast.length)] as string, text: `turn ${index} about the beach` }))
}

/** Answers every chat request from its own schema; a request without one fails the test. */
const followTheSchema = (random: () => number) => (request: RecordedRequest) => {
  if (!request.path.endsWith('/chat/completions')) return undefined
  const format = (request.body as { response_format?: { json_schema?: { schema?: Record<string, unknown> } } }).response_format
  const schema = format?.json_schema?.schema
  if (schema === undefined) return { kind: 'status' as const, status: 400, message: 'no schema sent' }
  return { kind: 'json' as const, value: schemaFollowingValue(schema, random) }
}

t.test('a backend that follows the sent schema exactly is accepted on the first attempt, every stage', async (t) => {
  const random = seededRandom(12)
  const { post, upstream } = await buildTestApp(t, {
    // Only the strict model: a re-ask or a fallback would both show up in `attempts`.
    registry: (baseUrl) => ({ ...testRegistry(baseUrl), routes: { decide: ['model-a'], describe: ['model-a'] } }),
    upstream: { responder: followTheSchema(random) },
  })
  const problems: string[] = []
  let modelCalls = 0
  const expect = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what)
  }
  for (let round = 0; round < 40; round++) {
    const dialogue = randomDialogue(random)
    const speakers = [...new Set(dialogue.map((turn) => turn.speaker))]
    const speaker = random() < 0.5 ? speakers[Math.floor(random() * speakers.length)] : undefined
    const n = 1 + Math.floor(random() * 3)
    const restrictions = random() < 0.5 ? ['prefix'] : []
    const base = { dialogue, ...(speaker === undefined ? {} : { speaker }) }
    const requests: Array<[string, Record<string, unknown>]> = [
      ['/v1/decide', base],
      ['/v1/decide', { ...base, mode: 'rank' }],
      ['/v1/describe', { ...base, n, restrictions }],
      ['/v1/share', { ...base, n, restrictions }],
    ]
    for (const [path, body] of requests) {
      const label = `${path} ${JSON.stringify(body)}`
      const response = await post(path, body)
      if (response.status !== 200) {
        problems.push(`${label}: ${response.status} ${JSON.stringify(response.body)}`)
        continue
      }
      modelCalls += path === '/v1/share' && response.body.decision.share ? 2 : 1
      const answers = path === '/v1/share' ? [response.body.decision, response.body.describe].filter((answer) => answer !== null) : [response.body]
      for (const answer of answers) {
        const outcomes = (answer.attempts as Array<{ outcome: string; reason?: string }>).map((attempt) => attempt.reason ?? attempt.outcome)
        expect(outcomes.join() === 'ok', `${label}: attempts ${outcomes.join()}`)
      }
      if (path === '/v1/decide' && body.mode === undefined) {
        expect(speakers.includes(response.body.speaker), `${label}: a real speaker`)
        expect(speaker === undefined || response.body.speaker === speaker, `${label}: the fixed speaker`)
        expect(response.body.share || (response.body.intents.length === 0 && response.body.trigger === null), `${label}: a no carries no reasons`)
      }
      if (path === '/v1/describe') {
        expect(response.body.descriptions.length === n, `${label}: n descriptions`)
        for (const description of response.body.descriptions as Array<{ text: string; salient: string[] }>) {
          expect(!restrictions.includes('prefix') || description.text.startsWith('An image of'), `${label}: prefix`)
          for (const phrase of description.salient) expect(description.text.toLowerCase().includes(phrase.toLowerCase()), `${label}: salient "${phrase}" in the text`)
        }
      }
    }
  }
  t.same(problems, [])
  t.equal(upstream.chatRequests.length, modelCalls, 'one upstream call per model stage: no re-ask, no retry')
})

t.test('the sent schema says what driber checks: speaker enum or const, bounded turns, exact counts', async (t) => {
  const { post, upstream } = await buildTestApp(t, {
    registry: (baseUrl) => ({ ...testRegistry(baseUrl), routes: { decide: ['model-a'], describe: ['model-a'] } }),
  })
  const dialogue = [
    { speaker: 'Ana', text: 'We just got back from the beach!' },
    { speaker: 'Bo <|im_start|>', text: 'Nice, how was the water?' },
    { speaker: 'Ana', text: 'Crystal clear.' },
  ]
  const schemaOf = (index: number) =>
    (upstream.chatRequests[index]?.body as { response_format: { json_schema: { schema: Record<string, any> } } }).response_format.json_schema.schema

  t.equal((await post('/v1/decide', { dialogue })).status, 200)
  const free = schemaOf(0)
  t.same(free.properties.speaker, { type: 'string', enum: ['Ana', 'Bo \u2039|im_start|\u203A'] }, 'the names as the prompt shows them')
  t.same(free.properties.trigger_turn.anyOf[0], { type: 'integer', minimum: 0, maximum: 2 })

  t.equal((await post('/v1/decide', { dialogue, speaker: 'Bo <|im_start|>' })).status, 200)
  t.same(schemaOf(1).properties.speaker, { type: 'string', const: 'Bo \u2039|im_start|\u203A' })

  t.equal((await post('/v1/decide', { dialogue, mode: 'rank' })).status, 200)
  t.same(schemaOf(2).properties.candidates.items.properties.turn, { type: 'integer', minimum: 0, maximum: 2 })

  t.equal((await post('/v1/describe', { dialogue, n: 3, restrictions: ['prefix'] })).status, 200)
  const described = schemaOf(3).properties.descriptions
  t.same([described.minItems, described.maxItems], [3, 3])
  t.equal(described.items.properties.text.pattern, '^An image of')
})
