/**
 * Fits the embedded Describe lexicon on PhotoChat-format data and writes it.
 *
 *   npm run embedded:fit-describe -- --data ../shared/data/photochat/dev.json,../shared/data/photochat/dev_01.json,../shared/data/photochat/train_00.json \
 *     [--out data/embedded/describe-lexicon.json] [--seed 7] [--heldout-dir DIR]
 *
 * Dialogues are split by a seeded hash of the dialogue id (the Decide fit's split, seed 7): the
 * test split is never fitted on; its figures (gold-label coverage and Retrieve MRR on a gallery of
 * the test photos) are printed and recorded in the file. --heldout-dir writes that split so the
 * service can be scored on it from outside:
 *   DIR/dialogues.json  the test dialogues, PhotoChat format, unchanged
 *   DIR/gallery.jsonl   their photos as a gallery ({id, url, labels, caption = labels joined})
 *   DIR/config.json     a driber config whose default index is that gallery
 * then: DRIBER_CONFIG=DIR/config.json npm run driber -- eval --data DIR/dialogues.json --tasks describe,retrieve
 * Deterministic: the same data, seed and vocabulary give the same file.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { labelCoverage } from '../src/evaluation/description-metrics.js'
import { contextBeforeShare, firstShareIndex, toPhotoChatDialogue } from '../src/evaluation/photochat-dataset.js'
import { fitDescribeLexicon, retrievalMrr, type DescribeSample } from '../src/providers/embedded/describe-fitting.js'
import { createDescribeLexiconModel, formatDescribeLexicon } from '../src/providers/embedded/describe-lexicon.js'
import { describe } from '../src/providers/embedded/describer.js'
import { sharedGloveVocabulary } from '../src/providers/embedded/glove-vocabulary.js'
import { contentLemmas } from '../src/providers/embedded/sentence-embedder.js'

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string', default: 'data/embedded/describe-lexicon.json' },
    seed: { type: 'string', default: '7' },
    'heldout-dir': { type: 'string' },
  },
})
if (values.data === undefined || !/^\d+$/.test(values.seed)) {
  process.stderr.write('usage: fit-embedded-describe --data FILE[,FILE...] [--out FILE] [--seed N] [--heldout-dir DIR]\n')
  process.exit(2)
}
const seed = Number(values.seed)
const files = values.data.split(',').map((file) => file.trim()).filter((file) => file.length > 0)

interface Record {
  raw: { photo_description?: unknown; photo_url?: unknown; dialogue_id?: unknown }
  source: string
  sample: DescribeSample
}
const records: Record[] = []
for (const file of files) {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Array<Record['raw']>
  raw.forEach((record, index) => {
    const dialogue = toPhotoChatDialogue(record, String(index))
    const share = firstShareIndex(dialogue)
    const sample: DescribeSample = { group: dialogue.id, context: share > 0 ? contextBeforeShare(dialogue) : [], labels: dialogue.labels }
    const sharer = dialogue.turns[share]?.speaker
    if (sharer !== undefined) sample.sharer = sharer
    if (typeof record.photo_description === 'string') sample.photoDescription = record.photo_description
    records.push({ raw: record, source: path.basename(file, '.json'), sample })
  })
}

const vocabulary = sharedGloveVocabulary()
const samples = records.map((record) => record.sample)
const coverageOf = (descriptions: string[], scored: DescribeSample[]): number =>
  scored.reduce((sum, sample, index) => sum + labelCoverage(new Set(contentLemmas(descriptions[index] as string)), sample.labels, contentLemmas), 0) / Math.max(1, scored.length)
const { lexicon, splits } = fitDescribeLexicon(vocabulary, samples, {
  seed,
  source: files.map((file) => path.basename(file)).join(', '),
  // Both figures matter (find the photo, name what is in it): their harmonic mean, as F1 balances
  // precision and recall, so neither is bought with the other (naming every likely label raises
  // coverage and sinks MRR; naming none does the reverse).
  objective: (descriptions, scored) => {
    const mrr = retrievalMrr(vocabulary, descriptions, scored.map((sample) => sample.labels.join(', ')))
    const coverage = coverageOf(descriptions, scored)
    return { objective: mrr + coverage === 0 ? 0 : (2 * mrr * coverage) / (mrr + coverage), mrr, coverage }
  },
})

// The test split, scored the way `driber eval` scores the service: n = 1, prefix, the sharer as speaker.
const model = createDescribeLexiconModel(lexicon, vocabulary)
const isKnownWord = (word: string): boolean => vocabulary.rank(word) !== undefined
const test = splits.test.map((index) => records[index] as Record)
const scored = test.filter((record) => record.sample.labels.length > 0 && record.sample.context.length > 0)
const descriptions = scored.map(
  ({ sample }) => describe(sample.context, { restrictions: ['prefix'], n: 1, lexicon: model, isKnownWord, ...(sample.sharer === undefined ? {} : { speaker: sample.sharer }) })[0]?.text ?? '',
)
const coverage = coverageOf(descriptions, scored.map(({ sample }) => sample))
const heldOut = {
  test_dialogues: test.length,
  described: scored.length,
  gold_label_coverage: Math.round(coverage * 1000) / 1000,
  retrieve_mrr_test_gallery: Math.round(retrievalMrr(vocabulary, descriptions, scored.map(({ sample }) => sample.labels.join(', '))) * 1000) / 1000,
}
lexicon.training.held_out = heldOut
writeFileSync(values.out, formatDescribeLexicon(lexicon))

const directory = values['heldout-dir']
if (directory !== undefined) {
  mkdirSync(directory, { recursive: true })
  const dialoguesFile = path.resolve(directory, 'dialogues.json')
  const galleryFile = path.resolve(directory, 'gallery.jsonl')
  writeFileSync(dialoguesFile, `${JSON.stringify(test.map((record) => record.raw))}\n`)
  const gallery = test.flatMap(({ raw, source, sample }) =>
    typeof raw.photo_url === 'string' && sample.labels.length > 0
      ? [JSON.stringify({ id: `photochat-${source}-${String(raw.dialogue_id ?? sample.group)}`, url: raw.photo_url, labels: sample.labels, caption: sample.labels.join(', ') })]
      : [],
  )
  writeFileSync(galleryFile, `${gallery.join('\n')}\n`)
  const config = { retrieval: { defaultIndex: 'heldout', indexes: [{ name: 'heldout', path: galleryFile, embedder: 'driber-lite-embed', backend: 'memory' }] } }
  writeFileSync(path.resolve(directory, 'config.json'), `${JSON.stringify(config, null, 2)}\n`)
}
process.stdout.write(`${JSON.stringify({ out: values.out, settings: lexicon.settings, held_out: heldOut, heads: Object.keys(lexicon.heads).length, words: Object.keys(lexicon.words).length }, null, 2)}\n`)
