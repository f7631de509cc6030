/**
 * `driber index build` and `driber eval retrieve` end to end: the real command line in a child
 * process, with the default registry's offline embedder (driber-lite-embed).
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

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
