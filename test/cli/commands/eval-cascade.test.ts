/**
 * `driber eval --cascade` end to end: the embedded tier first, then a "large model" (the fake
 * upstream answering from the gold labels, as a much stronger model would), over a small
 * PhotoChat-format fixture. Every model is called once per item; the report recommends a threshold.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { cascadeItems, parseEvalCascadeArguments } from '../../../src/cli/commands/eval-cascade.js'
import { run } from '../../../src/cli/commands/eval.js'
import { projectRoot } from '../../../src/config.js'
import { readPhotoChat } from '../../../src/evaluation/photochat-dataset.js'
import { captureOutput } from '../../support/capture-output.js'
import { readPrompt, startFakeUpstream } from '../../support/fake-upstream.js'

const fixture = path.join(projectRoot, 'test', 'fixtures', 'embedded', 'photochat-mini.json')

t.test('parses options, with defaults and refusals', async (t) => {
  t.match(parseEvalCascadeArguments(['--data', 'x.json']), { data: 'x.json', prefixes: 'balanced', margin: 1, concurrency: 4, seed: 13 })
  const parsed = parseEvalCascadeArguments(['--data', 'x', '--models', 'a, b', '--thresholds', '0.6:0.8:0.1', '--margin', '2.5', '--prefixes', 'all'])
  t.match(parsed, { models: ['a', 'b'], thresholds: [0.6, 0.7, 0.8], margin: 2.5, prefixes: 'all' })
  t.throws(() => parseEvalCascadeArguments(['--data', 'x', '--models', 'only-one']), /at least two models/)
  t.throws(() => parseEvalCascadeArguments(['--data', 'x', '--thresholds', '0.9:0.1:0.1']), /FROM <= TO/)
  t.throws(() => parseEvalCascadeArguments(['--data', 'x', '--margin', '-1']), /--margin/)
  t.throws(() => parseEvalCascadeArguments([]), /--data is required/)
  const usage = await captureOutput(() => run(['--cascade']))
  t.equal(usage.code, 2)
  t.match(usage.stderr, /usage: driber eval --cascade/)
})

t.test('embedded tier then a label-answering large model: each model called once per item, a recommendation', async (t) => {
  const items = cascadeItems(readPhotoChat(fixture).slice(0, 6), 'balanced', 13)
  const gold = new Map(items.map((item) => [JSON.stringify(item.dialogue.map((turn) => turn.text)), item.label]))
  const upstream = await startFakeUpstream({
    responder: (request) => {
      const facts = readPrompt(request.body as Parameters<typeof readPrompt>[0])
      const share = gold.get(JSON.stringify(facts.turns.map((turn) => turn.text))) ?? false
      return { kind: 'json', value: { share, speaker: facts.speaker ?? 'A', confidence: 0.99, intents: [], trigger_turn: null, rationale: 'gold' } }
    },
  })
  t.teardown(() => upstream.close())
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-eval-cascade-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const registry = path.join(directory, 'registry.yaml')
  writeFileSync(
    registry,
    [
      'version: 1',
      'models:',
      '  - {id: driber-lite, provider: embedded, scale: tiny}',
      `  - {id: oracle, provider: openai, base_url: "${upstream.baseUrl}", scale: xl, output: json_schema}`,
      'embedders:',
      '  - {id: driber-lite-embed, provider: embedded}',
      'routes:',
      '  decide: [{model: driber-lite, min_confidence: 0.9}, oracle]',
      '  describe: [driber-lite]',
      '',
    ].join('\n'),
  )
  const out = path.join(directory, 'report')
  const result = await captureOutput(() => run(['--cascade', '--data', fixture, '--registry', registry, '--limit', '6', '--thresholds', '0.5:1:0.05', '--out', out]))
  t.equal(result.code, 0, result.stderr)
  t.equal(upstream.chatRequests.length, items.length, 'the large model answered each item once, whatever the thresholds')
  const report = JSON.parse(readFileSync(path.join(out, 'cascade-report.json'), 'utf8')) as {
    models: string[]
    items: number
    alone: Array<{ model: string; macro_f1: number }>
    rows: Array<{ threshold: number; escalated: number; macro_f1: number }>
    recommended: { threshold: number; macro_f1: number } | null
  }
  t.same(report.models, ['driber-lite', 'oracle'], 'the registry route is the cascade by default')
  t.equal(report.items, items.length)
  t.equal(report.alone[1]?.macro_f1, 100, 'the oracle is always right')
  t.equal(report.rows.at(-1)?.escalated, 1, 'threshold 1 escalates everything')
  t.equal(report.rows.at(-1)?.macro_f1, 100)
  t.ok(report.recommended !== null && report.recommended.macro_f1 >= 99, 'a threshold within a point of the oracle')
  t.equal(readFileSync(path.join(out, 'cascade-report.md'), 'utf8'), result.stdout)
  t.match(readFileSync(path.join(out, 'cascade-report.svg'), 'utf8'), /^<svg/)
  t.match(result.stdout, /# Cascade thresholds: driber-lite -> oracle/)
})
