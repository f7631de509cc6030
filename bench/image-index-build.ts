/**
 * Image index build throughput: `buildImageIndex` over a folder of generated PNGs (written to a
 * temporary folder, removed afterwards), through the real OpenAI SDK against the fake upstream in
 * this process, for each image wire form. It measures driber's own pipeline (walking, reading,
 * sniffing, hashing, base64, HTTP, persisting, resumability bookkeeping), not a model: a real CLIP
 * server spends far longer per image than the fake, so read the numbers as the ceiling the builder
 * itself puts on a build.
 *
 *   tsx bench/image-index-build.ts [--count 1000] [--size 32] [--batch 64] [--embedder-batch 32]
 *                                  [--concurrency 8] [--out bench/results/image-index-build.json]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createOpenAIProvider } from '../src/providers/openai/openai-provider.js'
import { parseRegistry } from '../src/registry/load-registry.js'
import type { EmbedderEntry } from '../src/registry/registry-schema.js'
import { buildImageIndex } from '../src/retrieval/image-index-builder.js'
import { startFakeUpstream } from '../test/support/fake-upstream.js'
import { tinyPng } from '../test/support/tiny-images.js'
import { machineFacts } from './support/machine-facts.js'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    size: { type: 'string', default: '32' },
    batch: { type: 'string', default: '64' },
    'embedder-batch': { type: 'string', default: '32' },
    concurrency: { type: 'string', default: '8' },
    out: { type: 'string' },
  },
  strict: true,
})
const count = Number(values.count)
const size = Number(values.size)

const work = mkdtempSync(path.join(tmpdir(), 'driber-image-bench-'))
const folder = path.join(work, 'photos')
mkdirSync(folder)
let bytes = 0
for (let index = 0; index < count; index++) {
  const png = tinyPng(`subject ${index % 50}`, `seed ${index}`, size)
  bytes += png.length
  writeFileSync(path.join(folder, `image-${index}.png`), png)
}

const upstream = await startFakeUpstream({ embeddingDimension: 512, record: false })
const results: Array<Record<string, unknown>> = []
try {
  for (const form of ['modality_field', 'input_objects', 'openai_messages'] as const) {
    const data = parseRegistry({
      version: 1,
      models: [{ id: 'm', provider: 'embedded', scale: 'tiny' }],
      embedders: [
        { id: 'clip', provider: 'openai', base_url: upstream.baseUrl, modalities: ['text', 'image'], image_input: form, batch_size: Number(values['embedder-batch']), max_concurrency: Number(values.concurrency) },
      ],
      routes: { decide: ['m'], describe: ['m'] },
    })
    const embedder = createOpenAIProvider().createEmbeddingModel(data.embedders[0] as EmbedderEntry, () => undefined)
    const out = path.join(work, `index-${form}`)
    const started = performance.now()
    const result = await buildImageIndex({ input: folder, out, embedder, batchSize: Number(values.batch), resilience: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, retryAfterCapMs: 1000 } })
    const seconds = (performance.now() - started) / 1000
    await embedder.close?.()
    results.push({ form, images: result.manifest.count, seconds: Number(seconds.toFixed(3)), imagesPerSecond: Math.round(count / seconds) })
    process.stderr.write(`${form}: ${result.manifest.count} images in ${seconds.toFixed(2)} s, ${Math.round(count / seconds)} images/s\n`)
  }
} finally {
  await upstream.close()
  rmSync(work, { recursive: true, force: true })
}

const report = { benchmark: 'image-index-build', count, averageImageBytes: Math.round(bytes / count), batch: Number(values.batch), embedderBatch: Number(values['embedder-batch']), concurrency: Number(values.concurrency), results, machine: machineFacts() }
if (values.out !== undefined) writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`)
process.stdout.write(`${JSON.stringify(report)}\n`)
