import t from 'tap'
import { evaluateModel } from '../../src/evaluation/evaluate-model.js'
import { parsePhotoChat } from '../../src/evaluation/photochat-dataset.js'
import { renderMarkdownReport } from '../../src/evaluation/render-report.js'
import { createFakeCore } from '../support/fake-evaluation-core.js'

const turn = (user_id: number, message: string, share_photo = false) => ({ message, share_photo, user_id })
const data = JSON.stringify([
  { dialogue_id: 1, photo_url: 'u1', photo_description: 'Objects in the photo: Dog, Beach', dialogue: [turn(0, 'hi'), turn(1, 'hello'), turn(0, 'we went to the beach with the dog'), turn(0, 'look at this photo'), turn(0, '', true), turn(1, 'cute')] },
  { dialogue_id: 2, photo_url: 'u2', photo_description: 'The photo has your dad Mark. Objects in the photo: Cake', dialogue: [turn(1, 'hey'), turn(0, 'I baked a cake'), turn(1, 'show me a picture'), turn(0, '', true)] },
  { dialogue_id: 3, photo_url: 'u3', photo_description: 'Objects in the photo: Car', dialogue: [turn(0, 'broken record'), turn(1, 'new car'), turn(1, '', true)] },
])
const gallery = [
  { id: 'g1', url: 'u1', caption: 'Dog, Beach' },
  { id: 'g2', url: 'u2', caption: 'Cake' },
  { id: 'g3', url: 'u3', caption: 'Car' },
  { id: 'g4', url: 'u4', caption: 'Teapot' },
]
const lemmatise = (text: string) => text.toLowerCase().match(/[a-z]+/g)?.map((word) => word.replace(/s$/, '')) ?? []

t.test('evaluates every task with item counts, baselines and failures scored as wrong', async (t) => {
  const dialogues = parsePhotoChat(data)
  t.same(dialogues[1]?.labels, ['Cake'], 'a named person before the object list is dropped')
  const progress: string[] = []
  const report = await evaluateModel(createFakeCore(gallery), dialogues, {
    tasks: ['decide', 'rank', 'describe', 'retrieve'],
    concurrency: 2,
    seed: 1,
    lemmatise,
    galleryUrls: new Set(gallery.map((image) => image.url)),
    onProgress: ({ task, done, total }) => {
      if (done === total) progress.push(task)
    },
  })
  t.same(progress, ['decide', 'rank', 'describe', 'retrieve'])
  t.same(report.semantics, ['turn', 'message'], 'both label sets by default, the product\'s first')
  const turnDecide = report.decide?.turn
  const messageDecide = report.decide?.message
  if (turnDecide?.every_prefix == null || messageDecide?.every_prefix == null) throw new Error('decide report missing')
  // Every prefix up to the photo, including those asking about someone who has not spoken yet:
  // dialogue 1 gives t=1..4, dialogue 2 t=1..3, dialogue 3 t=1..2 -> 9 items under both semantics.
  t.equal(messageDecide.every_prefix.items, 9)
  t.equal(turnDecide.every_prefix.items, 9)
  // Message labels: only the prefix right before each photo (3). Turn labels: every prefix inside
  // the sharer's run (dialogue 1: t=2..4, dialogue 2: t=3, dialogue 3: t=1..2 -> 6).
  t.equal(messageDecide.every_prefix.share.support, 3)
  t.equal(turnDecide.every_prefix.share.support, 6)
  // Dialogue 3 always fails to parse: counted once per call, and scored as wrong under each label set.
  t.equal(messageDecide.failures.parse_failures, 2)
  t.equal(messageDecide.every_prefix.parse_failures, 2)
  // The scripted core says yes only after "look at this photo" and "show me a picture".
  t.equal(messageDecide.every_prefix.share.recall, 2 / 3)
  t.equal(messageDecide.every_prefix.share.precision, 2 / 3, "dialogue 3's failed negative counts as a false yes")
  t.equal(turnDecide.every_prefix.share.recall, 2 / 6)
  t.equal(turnDecide.every_prefix.share.precision, 1)
  // Balanced: one positive and one negative per dialogue that has both (under turn semantics
  // dialogue 3 has no negative: its B speaks first and shares in that run).
  t.equal(messageDecide.balanced.items, 6)
  t.equal(turnDecide.balanced.items, 4)
  t.equal(turnDecide.baseline.balanced.items, 4)

  const rank = report.rank
  if (rank?.turn === undefined || rank.message === undefined) throw new Error('rank report missing')
  t.equal(rank.message.at_k[0]?.items, 3)
  t.equal(rank.message.failures.parse_failures, 1, 'one rank call per dialogue serves both label sets')
  // Dialogues 1 and 2 rank their gold turn first; dialogue 3 failed: P@1 = 2/3.
  t.equal(rank.message.at_k[0]?.precision, 2 / 3)
  t.equal(rank.turn.at_k[0]?.recall, 2 / 3)
  t.equal(rank.message.baseline.at_k.length, 3)

  const describe = report.describe
  if (describe === undefined) throw new Error('describe report missing')
  t.equal(describe.coverage.items, 3)
  t.ok(describe.distinct_1 > 0 && describe.distinct_1 <= 1)
  t.equal(describe.restrictions.join(','), 'prefix')

  const retrieve = report.retrieve
  if (retrieve === undefined) throw new Error('retrieve report missing')
  t.equal(retrieve.scores.items, 3)
  t.equal(retrieve.index_size, 4)
  t.ok(retrieve.baseline !== null)
  t.equal(report.answered_by['fake-model'] !== undefined, true)
  t.ok(report.usage.total_tokens > 0)

  const markdown = renderMarkdownReport(report, 'driber eval --data x.json')
  t.match(markdown, /\| Decide, turn \(balanced\) \| macro F1 \| 4 \|/)
  t.match(markdown, /\| Decide, message \(every prefix\) \| share P \/ R \/ F1 \| 3 \| 0.667 \/ 0.667 \/ 0.667 \|/)
  t.match(markdown, /\| Retrieve \| MRR \| 3 \|/)
  t.match(markdown, /parse failures 1/)
})

t.test('the same seed gives the same report; the balanced-only mode skips every-prefix calls', async (t) => {
  const dialogues = parsePhotoChat(data)
  const options = { tasks: ['decide'] as const, concurrency: 3, seed: 5, lemmatise }
  const first = await evaluateModel(createFakeCore(gallery), dialogues, { ...options, tasks: [...options.tasks] })
  const second = await evaluateModel(createFakeCore(gallery), dialogues, { ...options, tasks: [...options.tasks] })
  t.same(first.decide, second.decide)
  const calls: string[] = []
  const balanced = await evaluateModel(createFakeCore(gallery, calls), dialogues, { ...options, tasks: ['decide'], prefixes: 'balanced', semantics: ['message'] })
  t.equal(calls.length, 6)
  t.equal(balanced.decide?.message?.every_prefix, null)
  t.equal(balanced.decide?.turn, undefined, 'only the label set asked for')
  // Both label sets: the union of their balanced prefixes, each asked once (fewer than the 9 prefixes).
  const both: string[] = []
  await evaluateModel(createFakeCore(gallery, both), dialogues, { ...options, tasks: ['decide'], prefixes: 'balanced' })
  t.ok(both.length >= 6 && both.length <= 9)
})
