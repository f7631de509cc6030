/**
 * Fits the embedded Decide model on PhotoChat-format data and writes the weights file.
 *
 *   npx tsx scripts/fit-embedded-decide.ts --data ../shared/data/photochat/dev.json \
 *     --out data/embedded/decide-weights.json [--seed 7]
 *
 * Deterministic: the same data, seed and vocabulary give the same file. Prints the held-out
 * (test split) figures that are also recorded inside the file.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { everyPrefix, readPhotoChat } from '../src/evaluation/photochat-dataset.js'
import { fitDecideWeights, type DecideSample } from '../src/providers/embedded/decide-fitting.js'
import { sharedGloveVocabulary } from '../src/providers/embedded/glove-vocabulary.js'
import { formatWeights } from '../src/providers/embedded/weights-format.js'

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string', default: 'data/embedded/decide-weights.json' },
    seed: { type: 'string', default: '7' },
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
process.stdout.write(`${JSON.stringify({ out: values.out, l2: weights.training.l2, threshold: weights.threshold, held_out: heldOut }, null, 2)}\n`)
