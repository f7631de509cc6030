/**
 * Fits the ranking head (rank-model.ts) on whole dialogues, after the next-turn model: the same
 * seeded dialogue split as the Decide fit, a listwise objective (each dialogue's positions compete
 * for its photo, as they do in a ranking), the L2 penalties chosen on the calibration split by that
 * loss, Platt scaling there (so confidences read as probabilities), and Recall@K reported on the untouched test split under both label
 * semantics. Deterministic for a given input and seed.
 */
import type { Dialogue } from '../../core/types.js'
import { assignSplit } from './decide-fitting.js'
import type { DecideModel } from './decide-model.js'
import { fitListwise, fitPlatt, scoreSparseLogistic, type SparseLogisticModel, type SparseRow } from './logistic-regression.js'
import { createRankModel, RANK_FEATURES, RANK_SLOTS, rankFeatures, turnProbabilities, visitRankTerms, type RankWeights } from './rank-model.js'

/** One dialogue with its photos removed, and for each photo the positions that count as a hit. */
export interface RankSample {
  dialogue: Dialogue
  /** Message semantics: the message right before each photo (what the head learns). */
  message: number[][]
  /** Turn semantics: any position of the sharer's turn (reported only). */
  turn: number[][]
  group: string
}

export interface FitRankOptions {
  seed: number
  l2Grid?: number[]
  lexicalL2Grid?: number[]
  minTermCount?: number
}

const round = (value: number, digits = 6): number => {
  const factor = 10 ** digits
  const rounded = Math.round(value * factor) / factor
  return Object.is(rounded, -0) ? 0 : rounded
}

/** Mean share of each dialogue's photos found in the top K (a photo is found when any of its positions is). */
const recallAtK = (rankings: number[][], golds: number[][][], k: number): number => {
  let sum = 0
  rankings.forEach((ranking, index) => {
    const top = new Set(ranking.slice(0, k))
    const gold = golds[index] as number[][]
    sum += gold.length === 0 ? 0 : gold.filter((group) => group.some((position) => top.has(position))).length / gold.length
  })
  return rankings.length === 0 ? 0 : sum / rankings.length
}

export const fitRankWeights = (decide: DecideModel, samples: RankSample[], options: FitRankOptions): RankWeights => {
  const l2Grid = options.l2Grid ?? [0.1, 1, 10]
  const lexicalL2Grid = options.lexicalL2Grid ?? [10, 30, 100]
  const minTermCount = options.minTermCount ?? 5
  const split = samples.map((sample) => assignSplit(sample.group, options.seed))
  const turnScores = samples.map((sample) => turnProbabilities(decide, sample.dialogue).map((best) => best.probability))

  // Vocabulary from the training split only, as in the Decide fit.
  const counts = RANK_SLOTS.map(() => new Map<string, number>())
  samples.forEach((sample, index) => {
    if (split[index] !== 'train') return
    sample.dialogue.forEach((_, position) =>
      visitRankTerms(sample.dialogue, position, (slot, term) => {
        const slotCounts = counts[slot] as Map<string, number>
        slotCounts.set(term, (slotCounts.get(term) ?? 0) + 1)
      }),
    )
  })
  let next = 0
  const terms = counts.map(
    (slotCounts) =>
      new Map(
        [...slotCounts]
          .filter(([, count]) => count >= minTermCount)
          .map(([term]) => term)
          .sort()
          .map((term) => [term, next++] as const),
      ),
  )
  const rowsOf = (index: number): Array<{ row: SparseRow; label: number }> => {
    const sample = samples[index] as RankSample
    const golden = new Set(sample.message.flat())
    return sample.dialogue.map((_, position) => {
      const found: number[] = []
      visitRankTerms(sample.dialogue, position, (slot, term) => {
        const at = (terms[slot] as Map<string, number>).get(term)
        if (at !== undefined) found.push(at)
      })
      const turn = turnScores[index] as number[]
      return { row: { dense: rankFeatures(sample.dialogue, position, turn[position] as number, turn[position + 1] ?? 0), terms: Int32Array.from(found) }, label: golden.has(position) ? 1 : 0 }
    })
  }
  const groupsFor = (name: string) =>
    samples.flatMap((_, index) => {
      if (split[index] !== name) return []
      const rows = rowsOf(index)
      return [{ rows: rows.map(({ row }) => row), labels: rows.map(({ label }) => label) }]
    })
  const trainGroups = groupsFor('train')
  const calibrationGroups = groupsFor('calibration')
  const train = trainGroups.flatMap((group) => group.rows.map((row, i) => ({ row, label: group.labels[i] as number })))
  const calibration = calibrationGroups.flatMap((group) => group.rows.map((row, i) => ({ row, label: group.labels[i] as number })))
  // Listwise: the mean -log share of a dialogue's softmax on its photo positions (what Recall@1 rewards).
  const listwiseLoss = (model: SparseLogisticModel, groups: typeof calibrationGroups): number => {
    let sum = 0
    for (const group of groups) {
      const scores = group.rows.map((row) => scoreSparseLogistic(model, row))
      const maximum = Math.max(...scores)
      const total = scores.reduce((acc, score) => acc + Math.exp(score - maximum), 0)
      const positive = scores.reduce((acc, score, i) => acc + (group.labels[i] === 1 ? Math.exp(score - maximum) : 0), 0)
      sum -= Math.log(Math.max(positive, 1e-300) / total)
    }
    return groups.length === 0 ? 0 : sum / groups.length
  }
  let best: { l2: number; lexicalL2: number; loss: number; model: SparseLogisticModel } | undefined
  const grid: Array<{ l2: number; lexical_l2: number; calibration_listwise_loss: number }> = []
  for (const l2 of l2Grid) {
    for (const lexicalL2 of lexicalL2Grid) {
      const model = fitListwise(trainGroups, RANK_FEATURES.length, next, { l2Dense: l2, l2Sparse: lexicalL2 })
      const loss = listwiseLoss(model, calibrationGroups)
      grid.push({ l2, lexical_l2: lexicalL2, calibration_listwise_loss: round(loss) })
      if (best === undefined || loss < best.loss) best = { l2, lexicalL2, loss, model }
    }
  }
  if (best === undefined) throw new Error('empty L2 grid')
  const fitted = best.model
  const platt = fitPlatt(
    calibration.map(({ row }) => scoreSparseLogistic(fitted, row)),
    calibration.map(({ label }) => label),
  )
  const weights: RankWeights = {
    weights: [...fitted.dense].map((value) => round(value)),
    bias: round(fitted.bias),
    lexical: Object.fromEntries(
      RANK_SLOTS.map((slot, slotIndex) => [slot, Object.fromEntries([...(terms[slotIndex] as Map<string, number>)].map(([term, at]) => [term, round(fitted.sparse[at] as number, 4)]))]),
    ) as RankWeights['lexical'],
    calibration: { a: round(platt.a), b: round(platt.b) },
    training: {},
  }
  // Held out: rank the test dialogues exactly as the service will (rounded weights, best first, ties to the earlier position).
  const model = createRankModel(weights)
  const testIndices = samples.flatMap((_, index) => (split[index] === 'test' ? [index] : []))
  const rankings = testIndices.map((index) => {
    const sample = samples[index] as RankSample
    const scores = sample.dialogue.map((_, position) => model.probability(sample.dialogue, position, turnScores[index] as number[]))
    return scores
      .map((score, position) => ({ score: Math.round(score * 10_000) / 10_000, position }))
      .sort((left, right) => right.score - left.score || left.position - right.position)
      .map(({ position }) => position)
  })
  const heldOut: Record<string, number> = { test_dialogues: testIndices.length }
  for (const semantics of ['turn', 'message'] as const) {
    const golds = testIndices.map((index) => (samples[index] as RankSample)[semantics])
    for (const k of [1, 3, 5]) heldOut[`${semantics}_recall_at_${k}`] = round(recallAtK(rankings, golds, k), 4)
  }
  weights.training = {
    features: [...RANK_FEATURES],
    label: 'position p of a dialogue without its photos; 1 when a photo came right after message p',
    splits: { train: train.length, calibration: calibration.length },
    l2: best.l2,
    lexical_l2: best.lexicalL2,
    lexical_terms: next,
    l2_grid: grid,
    held_out: heldOut,
  }
  return weights
}

/**
 * The ranking head's turn calibration (`RankWeights.turnCalibration`): Platt scaling of its raw
 * score, on the calibration split only, against "the next turn after message p includes an image"
 * (the turn-semantics hit positions), the label Decide's probability estimates. Run on the weights
 * as shipped (rounded), so refitting it alone (`--recalibrate-rank`) gives what a full fit gives.
 */
export const fitRankTurnCalibration = (decide: DecideModel, rank: RankWeights, samples: RankSample[], seed: number): { a: number; b: number } => {
  const model = createRankModel(rank)
  const scores: number[] = []
  const labels: number[] = []
  samples.forEach((sample) => {
    if (assignSplit(sample.group, seed) !== 'calibration') return
    const turn = turnProbabilities(decide, sample.dialogue).map((best) => best.probability)
    const golden = new Set(sample.turn.flat())
    sample.dialogue.forEach((_, position) => {
      scores.push(model.score(sample.dialogue, position, turn))
      labels.push(golden.has(position) ? 1 : 0)
    })
  })
  const platt = fitPlatt(scores, labels)
  return { a: round(platt.a), b: round(platt.b) }
}
