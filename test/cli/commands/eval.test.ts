import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { parseEvalArguments, run } from '../../../src/cli/commands/eval.js'
import { projectRoot } from '../../../src/config.js'
import { captureOutput } from '../../support/capture-output.js'

const fixture = path.join(projectRoot, 'test', 'fixtures', 'embedded', 'photochat-mini.json')

t.test('parses options with defaults and rejects bad ones', async (t) => {
  const parsed = parseEvalArguments(['--data', 'x.json'])
  t.same(parsed, { data: 'x.json', tasks: ['decide', 'rank', 'describe', 'retrieve'], concurrency: 4, seed: 13, prefixes: 'all', semantics: ['turn', 'message'], restrictions: ['prefix'] })
  t.match(parseEvalArguments(['--data', 'x.json', '--semantics', 'message']), { semantics: ['message'] })
  t.match(parseEvalArguments(['--data', 'x.json', '--semantics', 'both']), { semantics: ['turn', 'message'] })
  t.throws(() => parseEvalArguments(['--data', 'x', '--semantics', 'photo']), /--semantics must be turn, message or both/)
  const full = parseEvalArguments(['--data', 'x.json', '--model', 'tiny', '--tasks', 'decide,rank', '--concurrency', '8', '--limit', '20', '--seed', '3', '--out', 'dir', '--prefixes', 'balanced', '--restrictions', 'prefix,generic'])
  t.match(full, { model: 'tiny', tasks: ['decide', 'rank'], concurrency: 8, limit: 20, seed: 3, out: 'dir', prefixes: 'balanced', restrictions: ['prefix', 'generic'] })
  t.equal(parseEvalArguments(['--help']), 'help')
  t.throws(() => parseEvalArguments([]), /--data is required/)
  t.throws(() => parseEvalArguments(['--data', 'x', '--tasks', 'decide,guess']), /unknown task "guess"/)
  t.throws(() => parseEvalArguments(['--data', 'x', '--concurrency', '0']), /positive integer/)
  t.throws(() => parseEvalArguments(['--data', 'x', '--restrictions', 'shiny']), /unknown restriction/)
  t.throws(() => parseEvalArguments(['--data', 'x', '--bogus']))
})

t.test('a usage error exits 2 without building anything', async (t) => {
  const result = await captureOutput(() => run(['--tasks', 'nope']))
  t.equal(result.code, 2)
  t.match(result.stderr, /usage: driber eval/)
})

t.test('evaluates the embedded tier end to end and writes both reports', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-eval-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const result = await captureOutput(() => run(['--data', fixture, '--model', 'driber-lite', '--limit', '6', '--concurrency', '2', '--out', directory]))
  t.equal(result.code, 0, result.stderr)
  t.match(result.stdout, /\| Decide, turn \(balanced\) \| macro F1 \| 12 \|/)
  t.match(result.stdout, /\| Decide, message \(balanced\) \| macro F1 \| 12 \|/)
  t.match(result.stdout, /\| Decide ranking, turn \| P@1 \/ R@1 \/ F1@1 \|/)
  t.match(result.stdout, /\| Retrieve \| MRR \|/)
  t.match(result.stderr, /decide: \d+\/\d+/, 'plain progress lines when not on a terminal')
  const report = JSON.parse(readFileSync(path.join(directory, 'eval-report.json'), 'utf8')) as { dialogues: number; answered_by: Record<string, number>; command: string; retrieve: { not_in_index: number } }
  t.equal(report.dialogues, 6)
  t.ok((report.answered_by['driber-lite'] ?? 0) > 0)
  t.match(report.command, /^driber eval --data /)
  t.equal(report.retrieve.not_in_index, 6, 'fixture photos are not in the shipped gallery: skipped and counted')
  t.equal(readFileSync(path.join(directory, 'eval-report.md'), 'utf8'), result.stdout)
})
