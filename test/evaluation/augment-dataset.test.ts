import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { augmentDataset, existingIds } from '../../src/evaluation/augment-dataset.js'
import { parsePhotoChat } from '../../src/evaluation/photochat-dataset.js'
import { createFakeCore } from '../support/fake-evaluation-core.js'

const turn = (user_id: number, message: string, share_photo = false) => ({ message, share_photo, user_id })
const dialogues = parsePhotoChat(
  Array.from({ length: 12 }, (_, id) =>
    JSON.stringify({ dialogue_id: id, photo_url: `u${id}`, dialogue: [turn(0, 'hi'), turn(1, `my new bike number ${id}`), turn(1, 'look at this photo'), turn(1, '', true), turn(0, 'wow')] }),
  ).join('\n'),
)
const gallery = [
  { id: 'g-bike', url: 'u-bike', caption: 'Bike' },
  { id: 'g-photo', url: 'u-photo', caption: 'Photo frame' },
]

const readLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as { dialogue_id: string; share_turns: Array<{ turn: number; intents: string[] }>; image_ids: string[]; descriptions: unknown[] })

t.test('writes one annotated line per dialogue', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-augment-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const out = path.join(directory, 'out.jsonl')
  const summary = await augmentDataset(createFakeCore(gallery), dialogues.slice(0, 3), out, { concurrency: 2, k: 2, turns: 2 })
  t.equal(summary.written, 3)
  t.equal(summary.failed, 0)
  t.ok(summary.usage.total_tokens > 0)
  const lines = readLines(out)
  t.equal(lines.length, 3)
  const first = lines.find((line) => line.dialogue_id === '0')
  t.ok(first !== undefined)
  t.equal(first?.share_turns[0]?.turn, 2, 'the best-ranked turn comes first')
  t.same(first?.share_turns[0]?.intents, ['information_dissemination'])
  t.equal(first?.share_turns.length, 2)
  t.equal(first?.descriptions.length, 1)
  t.equal(first?.image_ids.length, 2)
})

t.test('an interrupted run resumes without duplicating lines, after a torn last line', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-augment-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const out = path.join(directory, 'out.jsonl')
  // Interrupt after 4 dialogues finish: the rest are not started.
  const stop = new AbortController()
  const first = await augmentDataset(createFakeCore(gallery), dialogues, out, {
    concurrency: 2,
    k: 1,
    signal: stop.signal,
    onProgress: (done) => {
      if (done >= 4) stop.abort()
    },
  })
  t.ok(first.written >= 4 && first.written < dialogues.length, `stopped part way (${first.written} written)`)
  t.equal(first.not_started, dialogues.length - first.written)
  // A process killed mid-write leaves a torn line.
  appendFileSync(out, '{"dialogue_id": "11", "share_tu')
  const calls: string[] = []
  const second = await augmentDataset(createFakeCore(gallery, calls), dialogues, out, { concurrency: 3, k: 1 })
  t.equal(second.already_done, first.written)
  t.equal(second.written, dialogues.length - first.written)
  t.equal(calls.filter((call) => call === 'rank').length, dialogues.length - first.written, 'finished dialogues are not called again')
  const ids = readLines(out).map((line) => line.dialogue_id)
  t.equal(ids.length, dialogues.length, 'every dialogue once')
  t.equal(new Set(ids).size, dialogues.length, 'no duplicates')
  // A third run has nothing to do.
  const third = await augmentDataset(createFakeCore(gallery), dialogues, out, { concurrency: 2, k: 1 })
  t.equal(third.written, 0)
  t.equal(third.already_done, dialogues.length)
})

t.test('existingIds keeps whole lines and cuts a corrupt tail', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-augment-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const out = path.join(directory, 'out.jsonl')
  t.equal(existingIds(out).size, 0, 'a missing file is an empty run')
  writeFileSync(out, '{"dialogue_id":"a"}\n{"dialogue_id":"b"}\nnot json\n{"dialogue_id":"c"}\n')
  t.same([...existingIds(out)], ['a', 'b'])
  t.equal(readFileSync(out, 'utf8'), '{"dialogue_id":"a"}\n{"dialogue_id":"b"}\n')
})

t.test('failed dialogues are counted and left for a re-run', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-augment-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const out = path.join(directory, 'out.jsonl')
  const broken = parsePhotoChat(JSON.stringify({ dialogue_id: 'x', dialogue: [turn(0, 'broken'), turn(1, 'ok')] }))
  const summary = await augmentDataset(createFakeCore(gallery), [...broken, ...dialogues.slice(0, 1)], out, { concurrency: 1, k: 1 })
  t.equal(summary.failed, 1)
  t.equal(summary.parse_failures, 1)
  t.same(summary.error_codes, { DRIBER_PARSE_FAILURE: 1 })
  t.same(readLines(out).map((line) => line.dialogue_id), ['0'])
})

t.test('dialogues longer than the turn limit are annotated on their last turns, with global indices', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-augment-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const out = path.join(directory, 'out.jsonl')
  const long = parsePhotoChat(
    JSON.stringify({ dialogue_id: 'long', dialogue: [...Array.from({ length: 8 }, (_, i) => turn(i % 2, `turn ${i}`)), turn(1, 'look at this photo'), turn(0, 'nice')] }),
  )
  const seen: number[] = []
  const core = createFakeCore(gallery)
  const limited = { ...core, rank: async (...args: Parameters<typeof core.rank>) => (seen.push(args[0].dialogue.length), core.rank(...args)) }
  const summary = await augmentDataset(limited, long, out, { concurrency: 1, k: 1, maxTurns: 4 })
  t.equal(summary.written, 1)
  t.same(seen, [4], 'the model never sees more than the limit')
  const [record] = readLines(out) as Array<{ share_turns: Array<{ turn: number }>; window_start?: number }>
  t.equal(record?.window_start, 6)
  t.equal(record?.share_turns[0]?.turn, 8, 'the photo cue turn, in whole-dialogue numbering')
})
