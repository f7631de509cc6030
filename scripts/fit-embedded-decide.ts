/**
 * Fits the embedded Decide model on PhotoChat-format data and writes the weights file.
 *
 *   npx tsx scripts/fit-embedded-decide.ts --data ../shared/data/photochat/dev.json \
 *     --out data/embedded/decide-weights.json [--seed 7] [--heldout-out FILE]
 *
 * --heldout-out writes the test-split dialogues (never seen by the fit) in PhotoChat format, so
 * `driber eval --data FILE` can score the shipped weights on data they were not fitted on.
 * Deterministic: the same data, seed and vocabulary give the same file. Prints the held-out
 * (test split) figures that are also recorded inside the file.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { everyPrefix, readPhotoChat } from '../src/evaluation/photochat-dataset.js'
import { assignSplit, fitDecideWeights, type DecideSample } from '../src/providers/embedded/decide-fitting.js'
import { sharedGloveVocabulary } from '../src/providers/embedded/glove-vocabulary.js'
import { formatWeights } from '../src/providers/embedded/weights-format.js'

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string', default: 'data/embedded/decide-weights.json' },
    seed: { type: 'string', default: '7' },
    'heldout-out': { type: 'string' },
  },
})
if (values.data === undefined) {
  process.stderr.write('usage: fit-embedded-decide --data FILE [--out FILE] [--seed N]\n')
  process.exit(2)
}
const dialogues = readPhotoChat(values.data)
const samples: DecideSample[] = dialogues.flatMap((dialogue) =>
  everyPrefix(dialogue).map((item) => ({ dialogue: item.dialogue, speaker: item.speaker, label: item.label ? 1 : 0, group: dialogue.id })),
)
const { weights, heldOut } = fitDecideWeights(sharedGloveVocabulary(), samples, { seed: Number(values.seed), source: path.basename(values.data) })
writeFileSync(values.out, formatWeights(weights))
const heldOutFile = values['heldout-out']
if (heldOutFile !== undefined) {
  // Re-read the raw records so the held-out file is byte-for-byte PhotoChat format.
  const raw = JSON.parse(readFileSync(values.data, 'utf8')) as Array<{ dialogue_id?: unknown }>
  const testIds = new Set(dialogues.filter((dialogue) => assignSplit(dialogue.id, Number(values.seed)) === 'test').map((dialogue) => dialogue.id))
  writeFileSync(heldOutFile, `${JSON.stringify(raw.filter((record, index) => testIds.has(String(record.dialogue_id ?? index))))}\n`)
}
process.stdout.write(`${JSON.stringify({ out: values.out, l2: weights.training.l2, threshold: weights.threshold, held_out: heldOut }, null, 2)}\n`)
