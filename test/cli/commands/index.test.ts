/**
 * `driber index build` and `driber eval retrieve` end to end: the real command line in a child
 * process, with the default registry's offline embedder (driber-lite-embed).
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { PassThrough } from 'node:stream'
import t from 'tap'
import { imageProgressPrinter } from '../../../src/cli/commands/index.js'
import { startFakeUpstream } from '../../support/fake-upstream.js'
import { tinyPng } from '../../support/tiny-images.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))

const driber = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd: root, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr })
    })
  })

const directory = mkdtempSync(path.join(tmpdir(), 'driber-index-cli-'))
t.teardown(() => rmSync(directory, { recursive: true, force: true }))

t.test('index build writes a loadable index and eval retrieve scores it', async (t) => {
  const gallery = path.join(directory, 'gallery.jsonl')
  const rows = [
    { id: 'beach', url: 'https://img.test/beach.jpg', caption: 'Sand, Sea, Umbrella, Person', labels: ['sand', 'sea'] },
    { id: 'cake', url: 'https://img.test/cake.jpg', caption: 'Cake, Candle, Plate, Table', labels: ['cake'] },
    { id: 'dog', url: 'https://img.test/dog.jpg', caption: 'Dog, Grass, Ball', labels: ['dog'] },
    { id: 'dog-again', url: 'https://img.test/dog.jpg', caption: 'Dog on grass', labels: ['dog'] },
  ]
  writeFileSync(gallery, rows.map((row) => JSON.stringify(row)).join('\n'))
  const out = path.join(directory, 'index')
  const build = await driber(['index', 'build', '--input', gallery, '--out', out, '--embedder', 'driber-lite-embed', '--batch', '2', '--hnsw'])
  t.equal(build.code, 0, build.stderr)
  const summary = JSON.parse(build.stdout) as { count: number; embedder: string; duplicateUrls: number }
  t.match(summary, { count: 3, embedder: 'driber-lite-embed', duplicateUrls: 1 })
  t.match(build.stderr, /embed: 3\/3/, 'plain progress lines when stderr is not a terminal')
  t.ok(existsSync(path.join(out, 'hnsw.bin')))

  const queries = path.join(directory, 'queries.jsonl')
  writeFileSync(queries, [{ query: 'An image of a birthday cake with candles', gold_id: 'cake' }, { query: 'An image of a dog playing with a ball on the grass', gold_id: 'dog' }].map((row) => JSON.stringify(row)).join('\n'))
  const evaluation = await driber(['eval', 'retrieve', '--index', out, '--queries', queries])
  t.equal(evaluation.code, 0, evaluation.stderr)
  const scores = JSON.parse(evaluation.stdout) as Record<string, number | string>
  t.match(scores, { queries: 2, embedder: 'driber-lite-embed', backend: 'memory', recall_at_1: 1, recall_at_10: 1, mrr: 1 })

  writeFileSync(path.join(out, 'vectors.f32'), readFileSync(path.join(out, 'vectors.f32')).subarray(0, 10))
  const broken = await driber(['eval', 'retrieve', '--index', out, '--queries', queries])
  t.equal(broken.code, 1)
  t.match(broken.stderr, /DRIBER_INDEX_CORRUPT/)
})

t.test('usage errors exit 2 and say what is missing', async (t) => {
  const missing = await driber(['index', 'build', '--input', 'x.jsonl'])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /--out is required/)
  const unknown = await driber(['index', 'rebuild'])
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, /unknown subcommand "rebuild"/)
})

t.test('index build --images: a folder of photos through an image-capable registry embedder, with a summary', async (t) => {
  const upstream = await startFakeUpstream({ embeddingDimension: 32, wordVectors: true })
  t.teardown(() => upstream.close())
  const registry = path.join(directory, 'clip-registry.yaml')
  writeFileSync(
    registry,
    [
      'version: 1',
      'models:',
      '  - {id: lite, provider: embedded, scale: tiny}',
      'embedders:',
      `  - {id: clip, provider: openai, base_url: "${upstream.baseUrl}", modalities: [text, image], image_input: input_objects}`,
      'routes: {decide: [lite], describe: [lite]}',
    ].join('\n'),
  )
  const photos = path.join(directory, 'photos')
  mkdirSync(path.join(photos, 'trip'), { recursive: true })
  writeFileSync(path.join(photos, 'trip', 'dog.png'), tinyPng('dog'))
  writeFileSync(path.join(photos, 'cake.png'), tinyPng('cake'))
  writeFileSync(path.join(photos, 'broken.jpg'), 'not a picture')
  const out = path.join(directory, 'photo-index')
  const build = await driber(['index', 'build', '--images', photos, '--out', out, '--embedder', 'clip', '--registry', registry, '--batch', '1'])
  t.equal(build.code, 0, build.stderr)
  t.match(JSON.parse(build.stdout), { embedder: 'clip', modality: 'image', dimension: 32, count: 2, sources: 3, embedded: 2, resumed: 0, skipped: { not_an_image: 1, timeout: 0 } })
  t.match(build.stderr, /images: 3\/3 [0-9.]+ images\/s eta \S+ failures 1/, 'progress shows rate, time left and failures')
  t.match(build.stderr, /skipped 1: not_an_image 1 \(details in .*skipped\.jsonl\)/)
  t.match(build.stderr, /not_an_image: .*broken\.jpg is not a JPEG, PNG, GIF or WebP image/)
  t.equal(upstream.embeddingRequests.length, 2, 'one request per chunk of one image')

  const textOnly = await driber(['index', 'build', '--images', photos, '--out', path.join(directory, 'text-only'), '--embedder', 'driber-lite-embed'])
  t.equal(textOnly.code, 1)
  t.match(textOnly.stderr, /embeds text only; --images needs one with modalities: \[text, image\]/)
  const both = await driber(['index', 'build', '--images', photos, '--input', 'x.jsonl', '--out', out, '--embedder', 'clip'])
  t.equal(both.code, 2)
  t.match(both.stderr, /exactly one of --input .* or --images/)
})

t.test('the --images progress line: images per second and time left count this run only', async (t) => {
  let clock = 0
  const lines: string[] = []
  const stream = new PassThrough()
  stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()))
  const printer = imageProgressPrinter(stream, false, () => clock)
  printer.update({ phase: 'embed', done: 40, total: 100, skipped: 2 })
  clock = 10_000
  printer.update({ phase: 'embed', done: 60, total: 100, skipped: 3 })
  printer.stop()
  t.match(lines.at(-1), 'images: 60/100 2.0 images/s eta 20s failures 3', '20 images in 10 s after resuming at 40; 40 left')
})
