import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { run } from '../../../src/cli/commands/augment.js'
import { projectRoot } from '../../../src/config.js'
import { captureOutput } from '../../support/capture-output.js'

const fixture = path.join(projectRoot, 'test', 'fixtures', 'embedded', 'photochat-mini.json')

t.test('usage errors exit 2', async (t) => {
  t.equal((await captureOutput(() => run(['--data', fixture]))).code, 2)
  t.equal((await captureOutput(() => run(['--data', fixture, '--out', 'x.jsonl', '--k', 'zero']))).code, 2)
  t.equal((await captureOutput(() => run(['--data', fixture, '--out', 'x.jsonl', '--restrictions', 'prefix,shiny']))).code, 2)
})

t.test('annotates with the embedded tier, then a second run adds only what is missing', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-augment-cli-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const out = path.join(directory, 'out.jsonl')
  const first = await captureOutput(() => run(['--data', fixture, '--out', out, '--limit', '3', '--k', '2']))
  t.equal(first.code, 0, first.stderr)
  t.match(JSON.parse(first.stdout), { dialogues: 3, written: 3, failed: 0, already_done: 0 })
  const second = await captureOutput(() => run(['--data', fixture, '--out', out, '--limit', '5', '--k', '2']))
  t.equal(second.code, 0, second.stderr)
  t.match(JSON.parse(second.stdout), { dialogues: 5, written: 2, already_done: 3 })
  const records = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { dialogue_id: string; model: string; image_ids: string[]; share_turns: unknown[]; descriptions: unknown[] })
  t.same(records.map((record) => record.dialogue_id).sort(), ['0', '1', '2', '3', '4'])
  for (const record of records) {
    t.equal(record.model, 'driber-lite')
    t.equal(record.image_ids.length, 2)
    t.ok(record.share_turns.length > 0 && record.descriptions.length === 1)
  }
})
