/**
 * Fits the embedded Decide model on PhotoChat-format data and writes the weights file.
 *
 *   npm run embedded:fit -- --data ../shared/data/photochat/dev.json \
 *     --data ../shared/data/photochat/dev_01.json --data ../shared/data/photochat/train_00.json \
 *     [--out data/embedded/decide-weights.json] [--seed 7] [--heldout-out FILE] [--recalibrate-rank]
 *
 * Labels are turn semantics (src/evaluation/photochat-dataset.ts): "should the asked speaker's
 * next turn (or the rest of their current one) include an image?". Dialogues are split by a seeded
 * hash of `<file name>:<dialogue id>` (ids repeat across PhotoChat shards), so a dialogue never
 * straddles train, calibration and test.
 *
 * Then the ranking head (src/providers/embedded/rank-model.ts) is fitted on the same split, and its
 * turn calibration (so ranking confidences are on Decide's footing). --recalibrate-rank keeps the
 * weights already in --out and redoes only that calibration and the figures.
 *
 * --heldout-out writes the test-split dialogues (never seen by the fit or its tuning) in PhotoChat
 * format, so `driber eval --data FILE` can score the shipped weights on data they were not fitted
 * on. Deterministic: the same data, seed and vocabulary give the same file. Prints the held-out
 * (test split) figures that are also recorded inside the file.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { binaryMacroScores } from '../src/evaluation/decide-metrics.js'
import { balancedSelection } from '../src/evaluation/evaluate-model.js'
import { everyPrefix, parsePhotoChat, rankingView, SEMANTICS, type NextTurnItem, type PhotoChatDialogue } from '../src/evaluation/photochat-dataset.js'
import { meanGroupScoresAtK } from '../src/evaluation/ranking-metrics.js'
import { assignSplit, fitDecideWeights, type DecideSample } from '../src/providers/embedded/decide-fitting.js'
import { createDecideModel, readDecideWeights } from '../src/providers/embedded/decide-model.js'
import { answerRank } from '../src/providers/embedded/embedded-chat-model.js'
import { sharedGloveVocabulary } from '../src/providers/embedded/glove-vocabulary.js'
import { fitRankTurnCalibration, fitRankWeights, type RankSample } from '../src/providers/embedded/rank-fitting.js'
import { createRankModel } from '../src/providers/embedded/rank-model.js'
import { formatWeights } from '../src/providers/embedded/weights-format.js'

const { values } = parseArgs({
  options: {
    data: { type: 'string', multiple: true },
    out: { type: 'string', default: 'data/embedded/decide-weights.json' },
    seed: { type: 'string', default: '7' },
    'heldout-out': { type: 'string' },
    // Keeps the weights in --out and refits only the ranking head's turn calibration, then re-scores.
    'recalibrate-rank': { type: 'boolean', default: false },
  },
})
const files = values.data ?? []
if (files.length === 0 || !/^\d+$/.test(values.seed)) {
  process.stderr.write('usage: fit-embedded-decide --data FILE [--data FILE ...] [--out FILE] [--seed N] [--heldout-out FILE]\n')
  process.exit(2)
}
const seed = Number(values.seed)
const sources = files.map((file) => {
  const text = readFileSync(file, 'utf8')
  return { file, name: path.basename(file), text, dialogues: parsePhotoChat(text, file) }
})
const groupOf = (source: string, id: string): string => `${source}:${id}`
const samples: DecideSample[] = sources.flatMap((source) =>
  source.dialogues.flatMap((dialogue) =>
    everyPrefix(dialogue, 'turn').map((item) => ({ dialogue: item.dialogue, speaker: item.speaker, label: item.label ? 1 : 0, group: groupOf(source.name, dialogue.id) })),
  ),
)
const recalibrateOnly = values['recalibrate-rank'] === true
const { weights, heldOut } = recalibrateOnly
  ? (() => {
      const existing = readDecideWeights(values.out, sharedGloveVocabulary().dimension)
      return { weights: existing, heldOut: existing.training.held_out }
    })()
  : fitDecideWeights(sharedGloveVocabulary(), samples, { seed, source: sources.map((source) => source.name).join(' + ') })
// The ranking head learns on whole dialogues from the next-turn model as it will run (rounded weights).
const rankSamples: RankSample[] = sources.flatMap((source) =>
  source.dialogues.flatMap((dialogue) => {
    const message = rankingView(dialogue, 'message')
    if (message.gold.length === 0) return []
    return [{ dialogue: message.dialogue, message: message.gold, turn: rankingView(dialogue, 'turn').gold, group: groupOf(source.name, dialogue.id) }]
  }),
)
const decideModel = createDecideModel(sharedGloveVocabulary(), weights)
if (!recalibrateOnly || weights.rank === undefined) weights.rank = fitRankWeights(decideModel, rankSamples, { seed })
// Not inside fitRankWeights: it reads the head as shipped, so `--recalibrate-rank` reproduces it exactly.
weights.rank.turnCalibration = fitRankTurnCalibration(decideModel, weights.rank, rankSamples, seed)

/**
 * The test split scored the way `driber eval --tasks decide,rank` scores it (default seed 13: same
 * prefixes, labels, balanced picks and metrics), with answers from the embedded tier's own answer
 * functions, so the figures in the weights file are the ones the command prints against the service.
 */
const scoreLikeDriberEval = (dialogues: PhotoChatDialogue[]): Record<string, number> => {
  const runtime = { vocabulary: sharedGloveVocabulary(), decide: createDecideModel(sharedGloveVocabulary(), weights), ...(weights.rank === undefined ? {} : { rank: createRankModel(weights.rank) }) }
  const figures: Record<string, number> = { dialogues: dialogues.length }
  const percent = (value: number): number => Math.round(value * 1000) / 10
  const answers = new Map<string, boolean>()
  for (const semantics of SEMANTICS) {
    const items = dialogues.map((dialogue) => everyPrefix(dialogue, semantics))
    // Keyed by position in the list: dialogue ids repeat across PhotoChat files.
    const answer = ([dialogue, index]: [number, number]): boolean => {
      const key = `${dialogue}#${index}`
      let share = answers.get(key)
      if (share === undefined) {
        const item = (items[dialogue] as NextTurnItem[])[index] as NextTurnItem
        share = runtime.decide.predict(item.dialogue, item.speaker).share
        answers.set(key, share)
      }
      return share
    }
    const labelOf = ([dialogue, index]: [number, number]): boolean => ((items[dialogue] as NextTurnItem[])[index] as NextTurnItem).label
    const balanced = balancedSelection(items, 13)
    const every = items.flatMap((list, dialogue) => list.map((_, index): [number, number] => [dialogue, index]))
    const balancedScores = binaryMacroScores(balanced.map(answer), balanced.map(labelOf))
    const everyScores = binaryMacroScores(every.map(answer), every.map(labelOf))
    figures[`${semantics}_balanced_macro_f1`] = percent(balancedScores.f1)
    figures[`${semantics}_every_prefix_macro_f1`] = percent(everyScores.f1)
    figures[`${semantics}_every_prefix_share_precision`] = percent(everyScores.share.precision)
    figures[`${semantics}_every_prefix_share_recall`] = percent(everyScores.share.recall)
    figures[`${semantics}_every_prefix_share_f1`] = percent(everyScores.share.f1)
  }
  const ranked = dialogues.filter((dialogue) => rankingView(dialogue).gold.length > 0)
  const rankings = ranked.map((dialogue) => {
    const { candidates } = answerRank(runtime, { stage: 'rank', dialogue: rankingView(dialogue).dialogue }) as { candidates: Array<{ turn: number; confidence: number }> }
    // The core's order: confidence, then the earlier position.
    return [...candidates].sort((left, right) => right.confidence - left.confidence || left.turn - right.turn).map((candidate) => candidate.turn)
  })
  for (const semantics of SEMANTICS) {
    const golds = ranked.map((dialogue) => rankingView(dialogue, semantics).gold)
    for (const k of [1, 3, 5]) figures[`${semantics}_rank_recall_at_${k}`] = percent(meanGroupScoresAtK(rankings, golds, k).recall)
  }
  return figures
}
const testDialogues = sources.flatMap((source) => source.dialogues.filter((dialogue) => assignSplit(groupOf(source.name, dialogue.id), seed) === 'test'))
weights.training.driber_eval_on_test_split = scoreLikeDriberEval(testDialogues)
writeFileSync(values.out, formatWeights(weights))
const heldOutFile = values['heldout-out']
if (heldOutFile !== undefined) {
  // The raw records, so the held-out file is PhotoChat format exactly as published.
  const records = sources.flatMap((source) => {
    const raw = JSON.parse(source.text) as unknown[]
    return raw.filter((_, index) => assignSplit(groupOf(source.name, (source.dialogues[index] as { id: string }).id), seed) === 'test')
  })
  writeFileSync(heldOutFile, `${JSON.stringify(records)}\n`)
}
process.stdout.write(`${JSON.stringify({ out: values.out, l2: weights.training.l2, lexical_l2: weights.training.lexical_l2, threshold: weights.threshold, held_out: heldOut, rank_held_out: weights.rank.training.held_out, driber_eval_on_test_split: weights.training.driber_eval_on_test_split }, null, 2)}\n`)
