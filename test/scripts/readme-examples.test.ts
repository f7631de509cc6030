/**
 * The README's examples answer as printed: every marked example runs against the default service
 * (in-process, embedded tier), and each printed answer is what the service answers, durations and
 * token counts aside. Also the machinery behind `npm run readme:examples`.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { projectRoot } from '../../src/config.js'
import {
  answerDifference,
  normaliseAnswer,
  parseExamples,
  renderAnswer,
  rewriteAnswers,
  runExamples,
  shellCommands,
  startReadmeService,
} from '../../scripts/readme-examples.js'

const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8')

t.test('every README example answers as printed', async (t) => {
  const examples = parseExamples(readme)
  const service = await startReadmeService()
  t.teardown(() => service.close())
  const runs = await runExamples(examples, service)
  for (const [index, example] of examples.entries()) {
    if (example.answer === undefined) continue
    const difference = answerDifference(example.answer, runs[index]?.output)
    if (difference === undefined) t.pass(`${example.name} answers as printed`)
    else t.fail(`README example "${example.name}" prints a stale answer (refresh with \`npm run readme:examples\`):\n${difference}`)
  }
})

t.test('the README shows the cases a new user tries first, and no example escapes the check', async (t) => {
  const names = parseExamples(readme).map((example) => example.name)
  for (const name of ['decide-asks-to-see', 'decide-small-talk', 'decide-new-participant', 'describe-puppy', 'retrieve-puppy', 'share-puppy', 'grpc-share']) {
    t.ok(names.includes(name), `example ${name}`)
  }
  // Every request a reader can copy (curl, npm run call) sits inside a marked example.
  const outside = readme.replace(/<!--\s*example:[\s\S]*?<!-- \/example -->/g, '')
  t.same(outside.split('\n').filter((line) => /^\s*(curl |npm run call|npx driber call)/.test(line)), [], 'no unmarked request')
})

t.test('examples are found between their markers, with the shell block and the optional answer', async (t) => {
  const text = [
    'intro',
    '<!-- example: first -->',
    '```sh',
    'curl -s localhost:8080/healthz',
    '```',
    '```json',
    '{"status": "ok"}',
    '```',
    '<!-- /example -->',
    '<!-- example: second -->',
    '```sh',
    'curl -s localhost:8080/readyz',
    '```',
    '<!-- /example -->',
  ].join('\n')
  const [first, second] = parseExamples(text)
  t.match(first, { name: 'first', commands: 'curl -s localhost:8080/healthz\n', answer: '{"status": "ok"}\n' })
  t.equal(text.slice(first?.answerRange?.start, first?.answerRange?.end), '{"status": "ok"}\n', 'the answer range is the block content')
  t.match(second, { name: 'second', answer: undefined, answerRange: undefined })
  t.throws(() => parseExamples('<!-- example: open -->\n```sh\ncurl x\n```\n'), /no <!-- \/example -->/)
  t.throws(() => parseExamples('<!-- example: bare -->\ntext\n<!-- /example -->'), /no ```sh block/)
  t.throws(() => parseExamples(`${text}\n${text}`), /appears twice/)
})

t.test('shell text splits as sh would for the quoting the README uses', async (t) => {
  t.same(shellCommands(`curl -s localhost:8080/v1/decide -H 'content-type: application/json' -d '{\n  "a": "it is"\n}'`), [
    ['curl', '-s', 'localhost:8080/v1/decide', '-H', 'content-type: application/json', '-d', '{\n  "a": "it is"\n}'],
  ])
  t.same(shellCommands(`echo '{"x": 1}' > file.json\nnpm run call -- share --file file.json   # a comment\n`), [
    ['echo', '{"x": 1}', '>', 'file.json'],
    ['npm', 'run', 'call', '--', 'share', '--file', 'file.json'],
  ])
  t.same(shellCommands('a "b \\"c\\"" \\\n  d && e; f'), [['a', 'b "c"', 'd'], ['e'], ['f']])
  t.throws(() => shellCommands("echo 'open"), /unterminated/)
})

t.test('answers print on one line when they fit, one member per line otherwise', async (t) => {
  t.equal(renderAnswer({ a: 1, b: [1, 2], c: null }), '{"a": 1, "b": [1, 2], "c": null}')
  const long = { text: 'x'.repeat(60), list: ['y'.repeat(60)], short: { n: 1 } }
  t.equal(renderAnswer(long), `{\n  "text": "${'x'.repeat(60)}",\n  "list": ["${'y'.repeat(60)}"],\n  "short": {"n": 1}\n}`)
  t.same(JSON.parse(renderAnswer(long)), long, 'what is printed parses back to the answer')
})

t.test('durations and token counts are set aside; everything else must match', async (t) => {
  const answer = { share: true, confidence: 0.8123456789, attempts: [{ model: 'm', duration_ms: 3 }], usage: { input_tokens: 4, output_tokens: 5, total_tokens: 9 } }
  t.same(normaliseAnswer(answer), {
    share: true,
    confidence: 0.812346,
    attempts: [{ model: 'm', duration_ms: '(varies)' }],
    usage: { input_tokens: '(varies)', output_tokens: '(varies)', total_tokens: '(varies)' },
  })
  const printed = JSON.stringify({ ...answer, attempts: [{ model: 'm', duration_ms: 40 }], usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } })
  t.equal(answerDifference(printed, answer), undefined, 'other durations and counts are still the same answer')
  const difference = answerDifference(printed, { ...answer, share: false }) ?? ''
  t.match(difference, /^- .*"share": true/m)
  t.match(difference, /^\+ .*"share": false/m)
  t.notMatch(difference, /confidence/, 'only the differing lines')
  t.ok(answerDifference('not json', answer) !== undefined, 'an unparseable printed answer is stale')
})

t.test('a refresh rewrites stale answer blocks only', async (t) => {
  const text = [
    '<!-- example: fresh -->',
    '```sh',
    'curl -s localhost:8080/a',
    '```',
    '```json',
    '{"attempts": [{"duration_ms": 99}]}',
    '```',
    '<!-- /example -->',
    'between',
    '<!-- example: stale -->',
    '```sh',
    'curl -s localhost:8080/b',
    '```',
    '```json',
    '{"share": true}',
    '```',
    '<!-- /example -->',
    'after',
  ].join('\n')
  const examples = parseExamples(text)
  const runs = [
    { name: 'fresh', output: { attempts: [{ duration_ms: 1 }] } },
    { name: 'stale', output: { share: false } },
  ]
  const rewritten = rewriteAnswers(text, examples, runs)
  t.match(rewritten, '{"attempts": [{"duration_ms": 99}]}', 'the fresh block keeps its printed duration')
  t.match(rewritten, '```json\n{"share": false}\n```\n<!-- /example -->\nafter')
  t.notMatch(rewritten, '{"share": true}')
  t.match(rewriteAnswers(text, examples, runs, true), '{"attempts": [{"duration_ms": 1}]}', '--all reprints every block')
})
