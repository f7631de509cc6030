/**
 * `driber index build --images` end to end below the CLI: real files on disk, real URLs on a
 * loopback server, the real OpenAI SDK against the fake upstream's image embeddings. Every way an
 * image can be unusable is skipped with its reason; an interrupted build resumes without embedding
 * anything twice.
 */
import { once } from 'node:events'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { createOpenAIProvider } from '../../src/providers/openai/openai-provider.js'
import type { EmbeddingModel } from '../../src/providers/provider.js'
import { parseRegistry } from '../../src/registry/load-registry.js'
import type { EmbedderEntry } from '../../src/registry/registry-schema.js'
import { buildImageIndex, SKIPPED_FILE, type BuildImageIndexOptions, type ImageBuildProgress } from '../../src/retrieval/image-index-builder.js'
import { CAPTION_VECTORS_FILE, readIndexDirectory } from '../../src/retrieval/index-directory.js'
import { WORK_DIRECTORY } from '../../src/retrieval/index-builder.js'
import { startFakeUpstream, type FakeUpstream, type RecordedRequest } from '../support/fake-upstream.js'
import { tinyGif, tinyJpeg, tinyPng, tinyWebp } from '../support/tiny-images.js'

const RESILIENCE = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, retryAfterCapMs: 1000 }

const temporaryDirectory = (t: Test): string => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-images-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  return directory
}

const clipEmbedder = async (t: Test, extra: Record<string, unknown> = {}): Promise<{ upstream: FakeUpstream; embedder: EmbeddingModel }> => {
  const upstream = await startFakeUpstream({ embeddingDimension: 64, wordVectors: true })
  t.teardown(() => upstream.close())
  const data = parseRegistry({
    version: 1,
    models: [{ id: 'm', provider: 'embedded', scale: 'tiny' }],
    embedders: [{ id: 'clip', provider: 'openai', base_url: upstream.baseUrl, modalities: ['text', 'image'], image_input: 'modality_field', batch_size: 4, ...extra }],
    routes: { decide: ['m'], describe: ['m'] },
  })
  const embedder = createOpenAIProvider().createEmbeddingModel(data.embedders[0] as EmbedderEntry, () => undefined)
  t.teardown(() => embedder.close?.())
  return { upstream, embedder }
}

/** Images sent to the fake in image-embedding requests (modality_field: data URLs). */
const imagesSent = (requests: RecordedRequest[]): string[] =>
  requests.filter((request) => (request.body as { modality?: string }).modality === 'image').flatMap((request) => (request.body as { input: string[] }).input)

const write = (file: string, bytes: Buffer | string): void => {
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, bytes)
}

const build = (options: Omit<BuildImageIndexOptions, 'resilience' | 'batchSize'> & Partial<Pick<BuildImageIndexOptions, 'batchSize'>>) =>
  buildImageIndex({ batchSize: 3, resilience: RESILIENCE, ...options })

t.test('a folder becomes an image index: recursive, recognised by bytes, bad files skipped with reasons', async (t) => {
  const { upstream, embedder } = await clipEmbedder(t)
  const directory = temporaryDirectory(t)
  const photos = path.join(directory, 'photos')
  write(path.join(photos, 'beach', 'dog.png'), tinyPng('dog', 'dog-1'))
  write(path.join(photos, 'beach', 'same-dog.png'), tinyPng('dog', 'dog-1'))
  write(path.join(photos, 'city', 'bicycle.jpg'), tinyJpeg('bike'))
  write(path.join(photos, 'party.gif'), tinyGif('party'))
  write(path.join(photos, 'sunset.webp'), tinyWebp('sunset'))
  write(path.join(photos, 'scan.bin'), tinyPng('cake', 'cake-1'))
  write(path.join(photos, 'not-really.jpg'), '<html>404 not found</html>')
  write(path.join(photos, 'huge.png'), Buffer.concat([tinyPng('whale'), Buffer.alloc(20_000)]))
  write(path.join(photos, 'notes.txt'), 'shot on holiday')
  write(path.join(photos, '.thumbnails', 'dog.png'), tinyPng('dog', 'thumb'))

  const out = path.join(directory, 'index')
  const progress: ImageBuildProgress[] = []
  const result = await build({ input: photos, out, embedder, limits: { maxBytes: 10_000 }, onProgress: (event) => progress.push(event) })

  const loaded = readIndexDirectory(out, { expectedEmbedder: 'clip' })
  t.equal(loaded.manifest.modality, 'image', 'the manifest says the vectors are images')
  t.equal(loaded.manifest.embedder, 'clip')
  t.equal(loaded.manifest.dimension, 64)
  t.same(loaded.records.map((record) => record.id).sort(), ['beach/dog.png', 'city/bicycle.jpg', 'party.gif', 'scan.bin', 'sunset.webp'])
  const dog = loaded.records.find((record) => record.id === 'beach/dog.png')
  t.equal(dog?.path, path.join(photos, 'beach', 'dog.png'), 'local files record their absolute path')
  t.match(dog?.url, /^file:\/\//)
  t.equal(loaded.captionVectors, undefined, 'no captions, no caption vectors')
  t.same(result.skipped.duplicate_image, 1)
  t.same(result.skipped.not_an_image, 1)
  t.same(result.skipped.too_large, 1)
  t.equal(result.ignored, 1, 'notes.txt is not an image and not a failure')
  t.equal(result.embedded, 5)
  t.same(
    result.skippedImages.map((item) => [item.reason, path.basename(item.source)]).sort(),
    [['duplicate_image', 'same-dog.png'], ['not_an_image', 'not-really.jpg'], ['too_large', 'huge.png']].sort((a, b) => (a[0] as string).localeCompare(b[0] as string)),
  )
  t.equal(readFileSync(path.join(out, SKIPPED_FILE), 'utf8').trim().split('\n').length, 3, 'skips are listed beside the index')
  t.equal(imagesSent(upstream.requests).length, 5, 'only usable, distinct images reach the embedder')
  t.ok(imagesSent(upstream.requests).some((url) => url.startsWith('data:image/gif;base64,')), 'media types come from the bytes')
  t.ok(progress.at(-1)?.phase === 'write')
  t.ok(progress.some((event) => event.phase === 'embed' && event.done === event.total && event.skipped === 3), 'progress counts failures')
  t.notOk(existsSync(path.join(out, WORK_DIRECTORY)), 'work files removed after success')
})

/** A loopback image host with every failure a URL list meets. */
const startImageHost = async (t: Test): Promise<{ base: string; server: Server; state: { flakyHangs: boolean } }> => {
  const state = { flakyHangs: true }
  const big = Buffer.concat([tinyPng('whale'), Buffer.alloc(20_000)])
  const server = createServer((request, response) => {
    switch (request.url) {
      case '/dog.png':
        response.writeHead(200, { 'content-type': 'image/png' }).end(tinyPng('dog', 'remote-dog'))
        return
      case '/cat':
        response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tinyPng('cat', 'remote-cat'))
        return
      case '/moved':
        response.writeHead(302, { location: '/cat' }).end()
        return
      case '/loop':
        response.writeHead(302, { location: '/loop' }).end()
        return
      case '/page.png':
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html>a login page</html>')
        return
      case '/declared-huge.png':
        response.writeHead(200, { 'content-type': 'image/png', 'content-length': String(big.length) }).end(big)
        return
      case '/streamed-huge.png':
        // No content-length: the cap must hold on the bytes as they arrive.
        response.writeHead(200, { 'content-type': 'image/png' })
        response.write(big.subarray(0, 8000))
        response.end(big.subarray(8000))
        return
      case '/slow.png':
        return // never answers
      case '/flaky.png':
        if (state.flakyHangs) return
        response.writeHead(200, { 'content-type': 'image/png' }).end(tinyPng('lighthouse'))
        return
      default:
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, state }
}

t.test('a JSONL list of files and URLs: captions and labels kept, every failure skipped with its reason', async (t) => {
  const { upstream, embedder } = await clipEmbedder(t)
  const { base } = await startImageHost(t)
  const directory = temporaryDirectory(t)
  write(path.join(directory, 'library', 'cake.png'), tinyPng('birthday cake', 'cake-1'))
  const list = path.join(directory, 'images.jsonl')
  write(
    list,
    [
      { id: 'cake', path: 'library/cake.png', caption: 'a birthday cake with candles', labels: ['cake', 'party'] },
      { id: 'gone', path: 'library/gone.png' },
      { id: 'dog', url: `${base}/dog.png`, caption: 'a dog on the beach', labels: ['dog'] },
      { id: 'cat', url: `${base}/moved`, labels: ['cat'] },
      { id: 'missing', url: `${base}/missing.png` },
      { id: 'slow', url: `${base}/slow.png` },
      { id: 'declared', url: `${base}/declared-huge.png` },
      { id: 'streamed', url: `${base}/streamed-huge.png` },
      { id: 'html', url: `${base}/page.png` },
      { id: 'loop', url: `${base}/loop` },
      { id: 'dog', url: `${base}/dog.png?again` },
      { id: 'ftp', url: 'ftp://example.org/a.png' },
    ]
      .map((row) => JSON.stringify(row))
      .join('\n') + '\nnot json\n',
  )
  const out = path.join(directory, 'index')
  const result = await build({ input: list, out, embedder, batchSize: 4, limits: { maxBytes: 10_000, timeoutMs: 300, maxRedirects: 3 } })

  const loaded = readIndexDirectory(out)
  t.same(loaded.records.map((record) => record.id), ['cake', 'dog', 'cat'])
  t.same(loaded.records[0], { id: 'cake', url: loaded.records[0]?.url, caption: 'a birthday cake with candles', labels: ['cake', 'party'], path: path.join(directory, 'library', 'cake.png') })
  t.same(loaded.records[1], { id: 'dog', url: `${base}/dog.png`, caption: 'a dog on the beach', labels: ['dog'] }, 'URL images keep their URL and have no path')
  t.equal(loaded.records[2]?.url, `${base}/moved`, 'the listed URL is kept, not where it redirected')
  t.same(
    Object.fromEntries(Object.entries(result.skipped).filter(([, count]) => count > 0)),
    { invalid_row: 2, duplicate_id: 1, missing: 1, too_large: 2, http_status: 1, wrong_content_type: 1, too_many_redirects: 1, timeout: 1 },
  )
  t.equal(result.sources, 13, "twelve rows and a line that is not JSON")
  const reasonOf = (id: string) => result.skippedImages.find((item) => item.id === id)
  t.match(reasonOf('gone'), { reason: 'missing', detail: /gone\.png does not exist/ })
  t.match(reasonOf('missing'), { reason: 'http_status', detail: /HTTP 404/ })
  t.match(reasonOf('slow'), { reason: 'timeout' })
  t.match(reasonOf('html'), { reason: 'wrong_content_type', detail: /text\/html/ })
  t.match(reasonOf('loop'), { reason: 'too_many_redirects' })
  t.same(
    result.skippedImages.filter((item) => item.reason === 'invalid_row').map((item) => item.detail),
    ['"url" must be http or https (use "path" for local files): ftp://example.org/a.png', 'not valid JSON'],
  )
  t.same(loaded.manifest.images?.skipped, { invalid_row: 2, duplicate_id: 1, missing: 1, too_large: 2, http_status: 1, wrong_content_type: 1, too_many_redirects: 1, timeout: 1 }, 'the manifest keeps the counts')

  // Captions become caption vectors, row-aligned; an image without one has a zero row.
  t.ok(loaded.manifest.files[CAPTION_VECTORS_FILE] !== undefined)
  const captions = loaded.captionVectors as Float32Array
  const row = (index: number) => [...captions.subarray(index * 64, (index + 1) * 64)]
  t.ok(row(0).some((value) => value !== 0) && row(1).some((value) => value !== 0), 'captioned images have caption vectors')
  t.ok(row(2).every((value) => value === 0), 'the cat has no caption')
  const texts = upstream.embeddingRequests.filter((request) => (request.body as { modality?: string }).modality === undefined).flatMap((request) => (request.body as { input: string[] }).input)
  t.same(texts, ['a birthday cake with candles', 'a dog on the beach'], 'captions were embedded as text by the same model')
})

t.test('an interrupted build resumes: same index as an uninterrupted one, nothing embedded twice', async (t) => {
  const { upstream, embedder } = await clipEmbedder(t)
  const directory = temporaryDirectory(t)
  const photos = path.join(directory, 'photos')
  const labels = ['dog', 'cat', 'bicycle', 'cake', 'beach', 'mountain', 'sushi', 'guitar', 'tulip', 'train']
  labels.forEach((label, index) => write(path.join(photos, `${String(index).padStart(2, '0')}-${label}.png`), tinyPng(label)))

  const out = path.join(directory, 'interrupted')
  const interrupt = new AbortController()
  await t.rejects(
    build({ input: photos, out, embedder, signal: interrupt.signal, onProgress: (event) => event.done >= 6 && interrupt.abort() }),
    { code: 'DRIBER_CANCELLED' },
  )
  t.notOk(existsSync(path.join(out, 'manifest.json')), 'no manifest until the build finishes')
  const firstRun = imagesSent(upstream.requests)
  t.equal(firstRun.length, 6, 'two chunks of three were embedded before the interruption')
  // A half-written chunk after the last logged one must be discarded, not reused.
  writeFileSync(path.join(out, WORK_DIRECTORY, 'image-vectors.f32'), Buffer.alloc(100, 7), { flag: 'a' })
  writeFileSync(path.join(out, WORK_DIRECTORY, 'images.jsonl'), '{"key":"half a li', { flag: 'a' })

  const notices: string[] = []
  const resumed = await build({ input: photos, out, embedder, onNotice: (message) => notices.push(message) })
  t.equal(resumed.resumed, 6)
  t.equal(resumed.embedded, 4)
  t.match(notices.join('\n'), /resuming: 6 of 10 images already handled/)
  const secondRun = imagesSent(upstream.requests).slice(firstRun.length)
  t.equal(secondRun.length, 4, 'only the four images not yet embedded were sent')
  t.equal(new Set([...firstRun, ...secondRun]).size, 10, 'no image was sent twice')

  const fresh = path.join(directory, 'fresh')
  await build({ input: photos, out: fresh, embedder })
  const a = readIndexDirectory(out)
  const b = readIndexDirectory(fresh)
  t.same(a.records, b.records.map((record) => ({ ...record })), 'same records, same order')
  t.same([...a.vectors], [...b.vectors], 'same vectors')
})

t.test('a resumed build tries again the downloads that timed out, and only those', async (t) => {
  const { upstream, embedder } = await clipEmbedder(t)
  const { base, state } = await startImageHost(t)
  const directory = temporaryDirectory(t)
  write(path.join(directory, 'dog.png'), tinyPng('dog'))
  write(path.join(directory, 'cat.png'), tinyPng('cat'))
  const list = path.join(directory, 'list.jsonl')
  write(list, [{ id: 'lighthouse', url: `${base}/flaky.png` }, { id: 'dog', path: 'dog.png' }, { id: 'gone', path: 'gone.png' }, { id: 'cat', path: 'cat.png' }].map((row) => JSON.stringify(row)).join('\n'))
  const out = path.join(directory, 'index')
  const interrupt = new AbortController()
  const limits = { timeoutMs: 200 }
  await t.rejects(build({ input: list, out, embedder, batchSize: 1, limits, signal: interrupt.signal, onProgress: (event) => event.done >= 3 && interrupt.abort() }), { code: 'DRIBER_CANCELLED' })
  t.equal(imagesSent(upstream.requests).length, 1, 'the dog was embedded; the lighthouse timed out, the missing file was skipped')

  state.flakyHangs = false
  const result = await build({ input: list, out, embedder, batchSize: 1, limits })
  t.equal(result.resumed, 2, 'the dog and the missing file are not handled again')
  t.same(Object.fromEntries(Object.entries(result.skipped).filter(([, count]) => count > 0)), { missing: 1 }, 'the timeout is gone from the summary')
  t.same(readIndexDirectory(out).records.map((record) => record.id).sort(), ['cat', 'dog', 'lighthouse'])
  t.equal(imagesSent(upstream.requests).length, 3, 'each picture embedded once')
})

t.test('embedder failures: transient ones are retried, a refused image is skipped alone, a persistent outage stops the build resumably', async (t) => {
  const { upstream, embedder } = await clipEmbedder(t)
  const directory = temporaryDirectory(t)
  const photos = path.join(directory, 'photos')
  const poison = tinyPng('static', 'undecodable')
  write(path.join(photos, 'a.png'), tinyPng('dog'))
  write(path.join(photos, 'b.png'), poison)
  write(path.join(photos, 'c.png'), tinyPng('cat'))

  upstream.script({ kind: 'status', status: 503, message: 'warming up' })
  upstream.setResponder((request) =>
    JSON.stringify(request.body).includes(poison.toString('base64')) ? { kind: 'status', status: 400, message: 'cannot decode image' } : undefined,
  )
  const notices: string[] = []
  const result = await build({ input: photos, out: path.join(directory, 'index'), embedder, onNotice: (message) => notices.push(message) })
  t.match(notices.join('\n'), /failed \(DRIBER_UPSTREAM_UNAVAILABLE\); retry 1 of 2/)
  t.equal(result.skipped.embedder_rejected, 1)
  t.same(readIndexDirectory(path.join(directory, 'index')).records.map((record) => record.id), ['a.png', 'c.png'])

  upstream.setResponder(() => ({ kind: 'status', status: 500 }))
  const out = path.join(directory, 'down')
  await t.rejects(build({ input: photos, out, embedder }), { code: 'DRIBER_UPSTREAM_UNAVAILABLE' })
  t.ok(existsSync(path.join(out, WORK_DIRECTORY)), 'work files survive for the rerun')
})

t.test('a text-only embedder cannot build an image index', async (t) => {
  const upstream = await startFakeUpstream()
  t.teardown(() => upstream.close())
  const data = parseRegistry({
    version: 1,
    models: [{ id: 'm', provider: 'embedded', scale: 'tiny' }],
    embedders: [{ id: 'text-embed', provider: 'openai', base_url: upstream.baseUrl }],
    routes: { decide: ['m'], describe: ['m'] },
  })
  const embedder = createOpenAIProvider().createEmbeddingModel(data.embedders[0] as EmbedderEntry, () => undefined)
  t.teardown(() => embedder.close?.())
  const directory = temporaryDirectory(t)
  write(path.join(directory, 'photos', 'a.png'), tinyPng('dog'))
  await t.rejects(build({ input: path.join(directory, 'photos'), out: path.join(directory, 'index'), embedder }), {
    code: 'DRIBER_INVALID_ARGUMENT',
    message: /embeds text only/,
  })
  await t.rejects(build({ input: path.join(directory, 'nowhere'), out: path.join(directory, 'index'), embedder }), { code: 'DRIBER_INVALID_ARGUMENT' })
  t.equal(upstream.requestCount, 0)
})

t.test('a folder without images, or whose images are all unusable, is an error rather than an empty index', async (t) => {
  const { upstream, embedder } = await clipEmbedder(t)
  const directory = temporaryDirectory(t)
  write(path.join(directory, 'empty', 'notes.txt'), 'nothing here')
  await t.rejects(build({ input: path.join(directory, 'empty'), out: path.join(directory, 'index'), embedder }), { code: 'DRIBER_INVALID_ARGUMENT', message: /holds no images \(only 1 other file\)/ })
  write(path.join(directory, 'broken', 'a.jpg'), 'not a picture')
  write(path.join(directory, 'broken', 'b.png'), 'nor this')
  await t.rejects(build({ input: path.join(directory, 'broken'), out: path.join(directory, 'index'), embedder }), {
    code: 'DRIBER_INVALID_ARGUMENT',
    message: /None of the 2 images could be indexed \(not_an_image 2\)/,
  })
  t.notOk(existsSync(path.join(directory, 'index', 'manifest.json')))
  t.equal(readFileSync(path.join(directory, 'index', SKIPPED_FILE), 'utf8').trim().split('\n').length, 2, 'the reasons are listed')
  t.equal(upstream.requestCount, 0)
})
