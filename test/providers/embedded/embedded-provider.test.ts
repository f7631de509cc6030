import t from 'tap'
import { decideContract, describeContract, rankContract } from '../../../src/core/output-schemas.js'
import type { Dialogue, Restriction } from '../../../src/core/types.js'
import { INTENTS } from '../../../src/core/types.js'
import { embeddedProvider } from '../../../src/providers/embedded/embedded-provider.js'
import type { ChatRequest, StageTask } from '../../../src/providers/provider.js'
import type { EmbedderEntry, ModelEntry } from '../../../src/registry/registry-schema.js'

const entry = { id: 'driber-lite', provider: 'embedded', scale: 'tiny', output: 'json_schema', decoding: {}, timeout_ms: 5000, max_concurrency: 4, max_queue: 8 } as ModelEntry
const model = embeddedProvider.createChatModel(entry, () => undefined)

const dialogue: Dialogue = [
  { speaker: 'Ann', text: 'Guess what, we adopted a puppy yesterday!' },
  { speaker: 'Bob', text: 'No way! What breed is he?' },
  { speaker: 'Ann', text: 'A golden retriever called Max, he is so fluffy.' },
  { speaker: 'Bob', text: 'I would love to see him, do you have a picture?' },
  { speaker: 'Ann', text: 'Sure, let me show you, he is sleeping on the couch right now' },
]

const request = (task: StageTask, signal = new AbortController().signal): ChatRequest => ({
  stage: task.stage,
  task,
  // The prompt is deliberately unrelated: the embedded model must answer from the task.
  messages: [{ role: 'user', content: 'Ignore the dialogue and describe a spaceship.' }],
  output: { mode: 'json_schema', name: `driber_${task.stage}`, schema: {} },
  decoding: {},
  timeoutMs: 5000,
  signal,
  requestId: 'test',
})

t.test('decide answers valid driber_decide JSON from the structured task', async (t) => {
  const response = await model.chat(request({ stage: 'decide', dialogue, speaker: 'Ann' }))
  t.equal(response.finishReason, 'stop')
  t.equal(response.refusal, null)
  const checked = decideContract.check(JSON.parse(response.content))
  t.ok(checked.ok, checked.ok ? 'valid' : checked.problem)
  if (!checked.ok) return
  const answer = checked.value
  t.equal(answer.speaker, 'Ann', 'a given speaker is kept')
  t.ok(answer.confidence >= 0 && answer.confidence <= 1)
  t.ok(answer.intents.every((intent) => (INTENTS as readonly string[]).includes(intent)))
  if (answer.share) {
    t.ok(answer.intents.length > 0, 'a share names at least one intent')
    t.ok(answer.trigger_turn !== null && answer.trigger_turn >= 0 && answer.trigger_turn < dialogue.length, 'the trigger is a real turn')
  } else {
    t.same(answer.intents, [])
    t.equal(answer.trigger_turn, null)
  }
  t.ok(response.usage.input_tokens > 0, 'usage counts the words read')
  t.equal(response.usage.total_tokens, response.usage.input_tokens + response.usage.output_tokens)
})

t.test('an offer to show a photo scores higher than the opening small talk', async (t) => {
  const probability = async (turns: Dialogue, speaker: string): Promise<number> => {
    const answer = JSON.parse((await model.chat(request({ stage: 'decide', dialogue: turns, speaker }))).content) as { share: boolean; confidence: number }
    return answer.share ? answer.confidence : 1 - answer.confidence
  }
  const opening = await probability([{ speaker: 'Bob', text: 'hi, how are you?' }], 'Ann')
  const offer = await probability(dialogue, 'Ann')
  t.ok(offer > opening, `P(share) after the offer (${offer}) exceeds the opening's (${opening})`)
})

t.test('decide without a speaker picks one of the dialogue speakers', async (t) => {
  const answer = JSON.parse((await model.chat(request({ stage: 'decide', dialogue }))).content) as { speaker: string }
  t.ok(['Ann', 'Bob'].includes(answer.speaker))
})

t.test('decide without a speaker picks among the speakers the core allows, silent participants included', async (t) => {
  const candidates = ['Ann', 'Bob', 'Cleo']
  const answer = JSON.parse((await model.chat(request({ stage: 'decide', dialogue, speakers: candidates }))).content) as { speaker: string; share: boolean }
  t.ok(candidates.includes(answer.speaker))
  const silent = JSON.parse((await model.chat(request({ stage: 'decide', dialogue, speakers: ['Cleo'] }))).content) as { speaker: string; share: boolean }
  t.equal(silent.speaker, 'Cleo', 'a participant with no messages can be the answer')
  t.type(silent.share, 'boolean')
})

t.test('rank scores every turn with valid driber_rank JSON', async (t) => {
  const response = await model.chat(request({ stage: 'rank', dialogue }))
  const checked = rankContract.check(JSON.parse(response.content))
  t.ok(checked.ok, checked.ok ? 'valid' : checked.problem)
  if (!checked.ok) return
  t.same(
    checked.value.candidates.map((candidate) => candidate.turn),
    dialogue.map((_, index) => index),
  )
  t.ok(checked.value.candidates.every((candidate) => candidate.confidence >= 0 && candidate.confidence <= 1 && candidate.rationale.length > 0))
})

const describeWith = async (restrictions: Restriction[], n: number) => {
  const response = await model.chat(request({ stage: 'describe', dialogue, speaker: 'Ann', restrictions, n }))
  const checked = describeContract.check(JSON.parse(response.content))
  if (!checked.ok) throw new Error(checked.problem)
  return checked.value.descriptions
}

t.test('describe returns exactly n distinct descriptions that obey the restrictions', async (t) => {
  const prefixed = await describeWith(['prefix'], 3)
  t.equal(prefixed.length, 3)
  t.equal(new Set(prefixed.map((description) => description.text)).size, 3, 'distinct')
  t.ok(prefixed.every((description) => description.text.startsWith('An image of ')), 'prefix restriction')
  t.ok(prefixed.every((description) => description.salient.length > 0))

  const generic = await describeWith(['generic'], 2)
  t.ok(generic.every((description) => !description.text.startsWith('An image of')), 'no prefix unless asked')
  t.ok(generic.some((description) => /\bdog\b/.test(description.text)), 'golden retriever / puppy become "dog"')
  t.ok(generic.every((description) => !/Max|retriever/.test(description.text)), 'names and breeds are dropped')

  const specific = await describeWith(['specific'], 2)
  t.ok(specific.some((description) => /golden retriever/.test(description.text)), 'specific keeps modifiers')

  const concise = await describeWith(['concise'], 1)
  const detailed = await describeWith(['detailed'], 1)
  const words = (text: string) => text.split(/\s+/).length
  t.ok(words((detailed[0] as { text: string }).text) > words((concise[0] as { text: string }).text), 'detailed is longer than concise')

  const many = await describeWith(['prefix', 'concise'], 5)
  t.equal(new Set(many.map((description) => description.text)).size, 5, 'n = 5 still distinct')
})

t.test('describe with nothing to describe still answers', async (t) => {
  const response = await model.chat(request({ stage: 'describe', dialogue: [{ speaker: 'A', text: 'hi' }], restrictions: ['prefix'], n: 2 }))
  const checked = describeContract.check(JSON.parse(response.content))
  t.ok(checked.ok)
  if (checked.ok) t.equal(checked.value.descriptions.length, 2)
})

t.test('an aborted request is cancelled, not answered', async (t) => {
  const controller = new AbortController()
  controller.abort()
  await t.rejects(model.chat(request({ stage: 'decide', dialogue }, controller.signal)), { code: 'DRIBER_CANCELLED' })
})

t.test('the embedder ranks a caption sharing words above an unrelated one', async (t) => {
  const embedder = embeddedProvider.createEmbeddingModel({ id: 'driber-lite-embed', provider: 'embedded', batch_size: 8, timeout_ms: 1000, max_concurrency: 2, modalities: ['text'] } as EmbedderEntry, () => undefined)
  t.equal(embedder.id, 'driber-lite-embed')
  t.equal(embedder.dimension, 100)
  const { vectors, usage } = await embedder.embed({
    texts: ['An image of a dog playing on the beach', 'Dog, Beach, Sand', 'Plate, Salad, Platter', ''],
    signal: new AbortController().signal,
    requestId: 'test',
  })
  t.equal(vectors.length, 4)
  const [query, related, unrelated, empty] = vectors as [Float32Array, Float32Array, Float32Array, Float32Array]
  const dot = (left: Float32Array, right: Float32Array) => left.reduce((sum, value, i) => sum + value * (right[i] as number), 0)
  t.ok(Math.abs(dot(query, query) - 1) < 1e-5, 'unit length')
  t.equal(query.length, 100)
  t.ok(dot(query, related) > dot(query, unrelated) + 0.1, `related ${dot(query, related)} > unrelated ${dot(query, unrelated)}`)
  t.ok(empty.every((value) => value === 0), 'a text with no known word is the zero vector')
  t.ok(usage.input_tokens > 0)
})
