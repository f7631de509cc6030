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
  const decide = report.decide
  if (decide === undefined || decide.every_prefix === null) throw new Error('decide report missing')
  // Every prefix whose next speaker has already spoken: dialogue 1 gives t=2..4, dialogue 2 t=2..3,
  // dialogue 3 only t=2 (its positive) -> 6 items, 3 positives.
  t.equal(decide.every_prefix.items, 6)
  t.equal(decide.every_prefix.share.support, 3)
  // Dialogue 3 always fails to parse: counted, and scored as wrong (its positive becomes a miss).
  t.equal(decide.failures.parse_failures, 1)
  t.equal(decide.every_prefix.parse_failures, 1)
  // Balanced: one positive and one negative per dialogue that has both (dialogue 3 has no negative).
  t.equal(decide.balanced.items, 4)
  t.equal(decide.baseline.balanced.items, 4)
  t.equal(decide.every_prefix.share.recall, 2 / 3)
  t.equal(decide.every_prefix.share.precision, 1)

  const rank = report.rank
  if (rank === undefined) throw new Error('rank report missing')
  t.equal(rank.at_k[0]?.items, 3)
  t.equal(rank.failures.parse_failures, 1)
  // Dialogues 1 and 2 rank their gold turn first; dialogue 3 failed: P@1 = 2/3.
  t.equal(rank.at_k[0]?.precision, 2 / 3)
  t.equal(rank.baseline.at_k.length, 3)

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
  t.match(markdown, /\| Decide \(balanced\) \| macro F1 \| 4 \|/)
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
  const balanced = await evaluateModel(createFakeCore(gallery, calls), dialogues, { ...options, tasks: ['decide'], prefixes: 'balanced' })
  t.equal(calls.length, 4)
  t.equal(balanced.decide?.every_prefix, null)
})
