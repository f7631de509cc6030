/**
 * Fits the embedded Decide weights from labelled prefixes: split dialogues into train /
 * calibration / test (by a seeded hash of the dialogue id, so a dialogue never straddles splits),
 * standardise the dense features, build the lexical vocabulary from the training split, choose the
 * two L2 penalties (dense, lexical) on the calibration split, fit, Platt-calibrate, pick the
 * decision threshold on the calibration split, and score the untouched test split. Deterministic for a given input and seed.
 */
import type { Dialogue } from '../../core/types.js'
import { decideFeatures, featureNames } from './decide-features.js'
import { WEIGHTS_FORMAT, type DecideWeights } from './decide-model.js'
import type { GloveVocabulary } from './glove-vocabulary.js'
import { LEXICAL_SLOTS, runStart, visitLexicalTerms } from './lexical-features.js'
import { fitPlatt, fitSparseLogistic, logLoss, scoreSparseLogistic, sigmoid, type SparseLogisticModel, type SparseRow } from './logistic-regression.js'

/** One training example: after `dialogue`, does `speaker` share an image in the next turn? */
export interface DecideSample {
  dialogue: Dialogue
  speaker: string
  label: 0 | 1
  /** The dialogue it comes from (splits and the balanced set group by it). */
  group: string
  /** How much it counts in the fit (default 1). */
  weight?: number
}

export interface FitDecideOptions {
  seed: number
  /** Dense-feature penalties tried; the pair with the best calibration-split log loss wins. */
  l2Grid?: number[]
  /** Lexical-term penalties tried (crossed with `l2Grid`). */
  lexicalL2Grid?: number[]
  /** A term enters the vocabulary when seen in at least this many training prefixes (per slot). */
  minTermCount?: number
  /** At most this many terms per slot, the most frequent. */
  maxTermsPerSlot?: number
  /** Weight of each training prefix's copy as just its last two turns (default 0.15; 0: no copies). */
  shortContextWeight?: number
  /** What a positive label means, recorded in the weights file. */
  label?: string
  /** Fractions of dialogues for calibration and test; the rest trains. */
  calibrationFraction?: number
  testFraction?: number
  /** Recorded in the weights file. */
  source?: string
}

/** A 32-bit FNV-1a hash mixed with the seed: a stable, platform-independent split assignment. */
export const seededHash = (text: string, seed: number): number => {
  let hash = (2166136261 ^ seed) >>> 0
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 16777619) >>> 0
  }
  hash ^= hash >>> 15
  hash = Math.imul(hash, 2246822519) >>> 0
  hash ^= hash >>> 13
  return hash >>> 0
}

export type Split = 'train' | 'calibration' | 'test'

/** Which split a dialogue belongs to (stable for a seed; the fit script exports the test split with it). */
export const assignSplit = (group: string, seed: number, calibrationFraction = 0.2, testFraction = 0.2): Split => {
  const bucket = (seededHash(group, seed) % 1000) / 1000
  return bucket < testFraction ? 'test' : bucket < testFraction + calibrationFraction ? 'calibration' : 'train'
}

const round = (value: number, digits = 6): number => {
  const factor = 10 ** digits
  const rounded = Math.round(value * factor) / factor
  return Object.is(rounded, -0) ? 0 : rounded
}

const macroF1 = (predictions: boolean[], labels: number[]): number => {
  let f1Sum = 0
  for (const positive of [true, false]) {
    let truePositive = 0
    let falsePositive = 0
    let falseNegative = 0
    for (let i = 0; i < labels.length; i++) {
      const actual = labels[i] === 1
      if (predictions[i] === positive && actual === positive) truePositive++
      else if (predictions[i] === positive) falsePositive++
      else if (actual === positive) falseNegative++
    }
    const precision = truePositive + falsePositive === 0 ? 0 : truePositive / (truePositive + falsePositive)
    const recall = truePositive + falseNegative === 0 ? 0 : truePositive / (truePositive + falseNegative)
    f1Sum += precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
  }
  return f1Sum / 2
}

/** Area under the ROC curve (ties count half). */
const areaUnderCurve = (scores: number[], labels: number[]): number => {
  const order = scores.map((score, index) => ({ score, label: labels[index] as number })).sort((left, right) => left.score - right.score)
  let rankSum = 0
  let positives = 0
  for (let i = 0; i < order.length; ) {
    let j = i
    while (j < order.length && (order[j] as { score: number }).score === (order[i] as { score: number }).score) j++
    const averageRank = (i + j + 1) / 2
    for (let k = i; k < j; k++) {
      if ((order[k] as { label: number }).label === 1) {
        rankSum += averageRank
        positives++
      }
    }
    i = j
  }
  const negatives = order.length - positives
  return positives === 0 || negatives === 0 ? 0.5 : (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
}

/** Expected calibration error over 10 equal-width probability bins. */
const calibrationError = (probabilities: number[], labels: number[]): number => {
  const bins = Array.from({ length: 10 }, () => ({ count: 0, probability: 0, positives: 0 }))
  probabilities.forEach((probability, index) => {
    const bin = bins[Math.min(9, Math.floor(probability * 10))] as { count: number; probability: number; positives: number }
    bin.count++
    bin.probability += probability
    bin.positives += labels[index] as number
  })
  return bins.reduce((sum, bin) => sum + (bin.count === 0 ? 0 : (bin.count / probabilities.length) * Math.abs(bin.probability / bin.count - bin.positives / bin.count)), 0)
}

/**
 * The balanced set of a split: per dialogue one positive prefix (a seeded pick when the sharer's
 * turn spans several) plus one seeded-random negative prefix.
 */
const balancedIndices = (samples: DecideSample[], indices: number[], seed: number): number[] => {
  const byGroup = new Map<string, { positives: number[]; negatives: number[] }>()
  for (const index of indices) {
    const sample = samples[index] as DecideSample
    const entry = byGroup.get(sample.group) ?? { positives: [], negatives: [] }
    ;(sample.label === 1 ? entry.positives : entry.negatives).push(index)
    byGroup.set(sample.group, entry)
  }
  const chosen: number[] = []
  for (const [group, entry] of byGroup) {
    if (entry.positives.length === 0 || entry.negatives.length === 0) continue
    chosen.push(entry.positives[seededHash(group, seed + 2) % entry.positives.length] as number)
    chosen.push(entry.negatives[seededHash(group, seed + 1) % entry.negatives.length] as number)
  }
  return chosen
}

export interface FitDecideResult {
  weights: DecideWeights
  /** Held-out (test split) figures, also recorded in `weights.training`. */
  heldOut: Record<string, number>
}

const positiveScores = (predictions: boolean[], labels: number[]): { precision: number; recall: number; f1: number } => {
  let truePositive = 0
  let predicted = 0
  let actual = 0
  for (let i = 0; i < labels.length; i++) {
    if (predictions[i] === true) predicted++
    if (labels[i] === 1) actual++
    if (predictions[i] === true && labels[i] === 1) truePositive++
  }
  const precision = predicted === 0 ? 0 : truePositive / predicted
  const recall = actual === 0 ? 0 : truePositive / actual
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) }
}

/**
 * The lexical vocabulary, from the training split only: per slot, the terms seen in at least
 * `minCount` training prefixes, the most frequent `maxTerms` of them (ties by term, so the list is
 * stable). Rare terms would only memorise dialogues and bloat the weights file.
 */
const lexicalVocabulary = (samples: DecideSample[], train: number[], minCount: number, maxTerms: number): Array<Map<string, number>> => {
  const counts = LEXICAL_SLOTS.map(() => new Map<string, number>())
  for (const index of train) {
    const sample = samples[index] as DecideSample
    visitLexicalTerms(sample.dialogue, sample.speaker, (slot, term) => {
      const slotCounts = counts[slot] as Map<string, number>
      slotCounts.set(term, (slotCounts.get(term) ?? 0) + 1)
    })
  }
  let next = 0
  return counts.map((slotCounts) => {
    const kept = [...slotCounts]
      .filter(([, count]) => count >= minCount)
      .sort((left, right) => right[1] - left[1] || (left[0] < right[0] ? -1 : left[0] > right[0] ? 1 : 0))
      .slice(0, maxTerms)
      .map(([term]) => term)
      .sort()
    return new Map(kept.map((term) => [term, next++]))
  })
}

/** Fits weights from samples; see the module comment for the procedure. */
export const fitDecideWeights = (vocabulary: GloveVocabulary, givenSamples: DecideSample[], options: FitDecideOptions): FitDecideResult => {
  let samples = givenSamples
  const calibrationFraction = options.calibrationFraction ?? 0.2
  const testFraction = options.testFraction ?? 0.2
  const l2Grid = options.l2Grid ?? [30, 100, 300]
  const lexicalL2Grid = options.lexicalL2Grid ?? [10, 30, 100]
  const minTermCount = options.minTermCount ?? 5
  const maxTermsPerSlot = options.maxTermsPerSlot ?? 3000
  const names = featureNames(vocabulary.dimension)
  const dimension = names.length
  const given = samples.length
  // Short-context copies (training split only): each training prefix again as just its last two
  // turns, same label. PhotoChat photos come mid-dialogue, so without them the model learns that a
  // two-message chat never shares, and "Can I see him?" as the second message gets a no.
  const copyWeight = options.shortContextWeight ?? 0.15
  if (copyWeight > 0) {
    samples = [
      ...samples,
      ...samples.flatMap((sample) => {
        if (assignSplit(sample.group, options.seed, calibrationFraction, testFraction) !== 'train' || sample.dialogue.length === 0) return []
        const last = sample.dialogue.length - 1
        const previousEnd = runStart(sample.dialogue, last) - 1
        const from = previousEnd < 0 ? 0 : runStart(sample.dialogue, previousEnd)
        return from === 0 ? [] : [{ ...sample, dialogue: sample.dialogue.slice(from), weight: copyWeight }]
      }),
    ]
  }
  const rows = samples.map((sample) => decideFeatures(vocabulary, sample.dialogue, sample.speaker).values)
  const labels = samples.map((sample) => sample.label as number)
  const split = samples.map((sample) => assignSplit(sample.group, options.seed, calibrationFraction, testFraction))
  const indicesOf = (name: string): number[] => split.flatMap((value, index) => (value === name ? [index] : []))
  const train = indicesOf('train')
  const calibration = indicesOf('calibration')
  const test = indicesOf('test')

  // Standardise on the training split so one penalty suits every dense feature.
  const mean = new Float64Array(dimension)
  const scale = new Float64Array(dimension)
  for (const index of train) for (let i = 0; i < dimension; i++) mean[i] = (mean[i] as number) + ((rows[index] as Float64Array)[i] as number) / train.length
  for (const index of train) for (let i = 0; i < dimension; i++) scale[i] = (scale[i] as number) + (((rows[index] as Float64Array)[i] as number) - (mean[i] as number)) ** 2 / train.length
  for (let i = 0; i < dimension; i++) {
    const deviation = Math.sqrt(scale[i] as number)
    scale[i] = deviation > 1e-9 ? deviation : 1
  }
  const terms = lexicalVocabulary(samples, train, minTermCount, maxTermsPerSlot)
  const termCount = terms.reduce((sum, slotTerms) => sum + slotTerms.size, 0)
  const sparseRows: SparseRow[] = samples.map((sample, index) => {
    const found: number[] = []
    visitLexicalTerms(sample.dialogue, sample.speaker, (slot, term) => {
      const at = (terms[slot] as Map<string, number>).get(term)
      if (at !== undefined) found.push(at)
    })
    return { dense: (rows[index] as Float64Array).map((value, i) => (value - (mean[i] as number)) / (scale[i] as number)), terms: Int32Array.from(found), weight: sample.weight ?? 1 }
  })
  const pick = (indices: number[]): { x: SparseRow[]; y: number[] } => ({ x: indices.map((index) => sparseRows[index] as SparseRow), y: indices.map((index) => labels[index] as number) })
  const trainSet = pick(train)
  const calibrationSet = pick(calibration)

  let best: { l2: number; lexicalL2: number; loss: number; model: SparseLogisticModel } | undefined
  const grid: Array<{ l2: number; lexical_l2: number; calibration_log_loss: number }> = []
  for (const l2 of l2Grid) {
    for (const lexicalL2 of lexicalL2Grid) {
      const model = fitSparseLogistic(trainSet.x, trainSet.y, dimension, termCount, { l2Dense: l2, l2Sparse: lexicalL2 })
      const loss = logLoss(calibrationSet.x.map((row) => sigmoid(scoreSparseLogistic(model, row))), calibrationSet.y)
      grid.push({ l2, lexical_l2: lexicalL2, calibration_log_loss: round(loss) })
      if (best === undefined || loss < best.loss) best = { l2, lexicalL2, loss, model }
    }
  }
  if (best === undefined) throw new Error('empty L2 grid')
  const model = best.model
  const calibrationScores = calibrationSet.x.map((row) => scoreSparseLogistic(model, row))
  const platt = fitPlatt(calibrationScores, calibrationSet.y)
  const calibrated = (score: number): number => sigmoid(platt.a * score + platt.b)

  // Threshold: the two figures a product (and issue 11) judges Decide by, weighed equally on the
  // calibration split: macro F1 on the balanced set (one yes and one no per dialogue) and the F1 of
  // "share" over every prefix (how a live chat asks). Every-prefix macro F1 alone is dominated by
  // the many early "no" prefixes and pushes the threshold so high that half the sharer's turns are missed.
  const calibrationProbabilities = calibrationScores.map(calibrated)
  const calibrationBalanced = balancedIndices(samples, calibration, options.seed).map((index) => calibration.indexOf(index))
  const calibrationBalancedLabels = calibrationBalanced.map((at) => calibrationSet.y[at] as number)
  const candidates = [...new Set(calibrationProbabilities.map((probability) => round(probability, 3)))].sort((left, right) => left - right)
  let threshold = 0.5
  let bestCriterion = -1
  for (const candidate of candidates) {
    const predictions = calibrationProbabilities.map((probability) => probability >= candidate)
    const balancedF1 = macroF1(
      calibrationBalanced.map((at) => predictions[at] as boolean),
      calibrationBalancedLabels,
    )
    const criterion = (balancedF1 + positiveScores(predictions, calibrationSet.y).f1) / 2
    if (criterion > bestCriterion) {
      bestCriterion = criterion
      threshold = candidate
    }
  }

  const testSet = pick(test)
  const testProbabilities = testSet.x.map((row) => calibrated(scoreSparseLogistic(model, row)))
  const balanced = balancedIndices(samples, test, options.seed)
  const balancedProbabilities = balanced.map((index) => calibrated(scoreSparseLogistic(model, sparseRows[index] as SparseRow)))
  const balancedLabels = balanced.map((index) => labels[index] as number)
  const everyPositive = positiveScores(testProbabilities.map((probability) => probability >= threshold), testSet.y)
  const heldOut = {
    test_dialogues: new Set(test.map((index) => (samples[index] as DecideSample).group)).size,
    test_prefixes: test.length,
    test_positives: testSet.y.filter((label) => label === 1).length,
    log_loss: round(logLoss(testProbabilities, testSet.y), 4),
    base_rate_log_loss: round(logLoss(testProbabilities.map(() => trainSet.y.reduce((sum, label) => sum + label, 0) / trainSet.y.length), testSet.y), 4),
    auc: round(areaUnderCurve(testProbabilities, testSet.y), 4),
    expected_calibration_error: round(calibrationError(testProbabilities, testSet.y), 4),
    every_prefix_macro_f1: round(macroF1(testProbabilities.map((probability) => probability >= threshold), testSet.y), 4),
    every_prefix_share_precision: round(everyPositive.precision, 4),
    every_prefix_share_recall: round(everyPositive.recall, 4),
    every_prefix_share_f1: round(everyPositive.f1, 4),
    balanced_macro_f1: round(macroF1(balancedProbabilities.map((probability) => probability >= threshold), balancedLabels), 4),
    balanced_items: balanced.length,
  }
  const lexical = Object.fromEntries(
    LEXICAL_SLOTS.map((slot, slotIndex) => [
      slot,
      Object.fromEntries([...(terms[slotIndex] as Map<string, number>)].map(([term, at]) => [term, round(model.sparse[at] as number, 4)])),
    ]),
  ) as DecideWeights['lexical']
  const weights: DecideWeights = {
    format: WEIGHTS_FORMAT,
    features: names,
    mean: [...mean].map((value) => round(value)),
    scale: [...scale].map((value) => round(value)),
    weights: [...model.dense].map((value) => round(value)),
    bias: round(model.bias),
    lexical,
    calibration: { a: round(platt.a), b: round(platt.b) },
    threshold: round(threshold, 4),
    training: {
      source: options.source ?? 'unknown',
      seed: options.seed,
      label: options.label ?? 'prefix ending before message t, asked for the speaker of message t; 1 when messages t..(first photo) are all by the photo sender (turn semantics)',
      dialogues: new Set(samples.map((sample) => sample.group)).size,
      short_context_copies: samples.length - given,
      splits: { train: train.length, calibration: calibration.length, test: test.length },
      l2: best.l2,
      lexical_l2: best.lexicalL2,
      lexical_terms: termCount,
      min_term_count: minTermCount,
      l2_grid: grid,
      held_out: heldOut,
    },
  }
  return { weights, heldOut }
}
