/**
 * Fits the embedded Decide weights from labelled prefixes: split dialogues into train /
 * calibration / test (by a seeded hash of the dialogue id, so a dialogue never straddles splits),
 * standardise, choose the L2 penalty on the calibration split, fit, Platt-calibrate, pick the
 * decision threshold, and score the untouched test split. Deterministic for a given input and seed.
 */
import type { Dialogue } from '../../core/types.js'
import { decideFeatures, featureNames } from './decide-features.js'
import { WEIGHTS_FORMAT, type DecideWeights } from './decide-model.js'
import type { GloveVocabulary } from './glove-vocabulary.js'
import { fitLogistic, fitPlatt, logLoss, scoreLogistic, sigmoid } from './logistic-regression.js'

/** One training example: after `dialogue`, does `speaker` share an image in the next turn? */
export interface DecideSample {
  dialogue: Dialogue
  speaker: string
  label: 0 | 1
  /** The dialogue it comes from (splits and the balanced set group by it). */
  group: string
}

export interface FitDecideOptions {
  seed: number
  /** Penalties tried; the one with the best calibration-split log loss wins. */
  l2Grid?: number[]
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

/** The balanced set of a split: each dialogue's positive prefix plus one seeded-random negative prefix. */
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
    chosen.push(...entry.positives)
    chosen.push(entry.negatives[seededHash(group, seed + 1) % entry.negatives.length] as number)
  }
  return chosen
}

export interface FitDecideResult {
  weights: DecideWeights
  /** Held-out (test split) figures, also recorded in `weights.training`. */
  heldOut: Record<string, number>
}

/** Fits weights from samples; see the module comment for the procedure. */
export const fitDecideWeights = (vocabulary: GloveVocabulary, samples: DecideSample[], options: FitDecideOptions): FitDecideResult => {
  const calibrationFraction = options.calibrationFraction ?? 0.2
  const testFraction = options.testFraction ?? 0.2
  const l2Grid = options.l2Grid ?? [1, 10, 100, 1000]
  const names = featureNames(vocabulary.dimension)
  const dimension = names.length
  const rows = samples.map((sample) => decideFeatures(vocabulary, sample.dialogue, sample.speaker).values)
  const labels = samples.map((sample) => sample.label as number)
  const split = samples.map((sample) => assignSplit(sample.group, options.seed, calibrationFraction, testFraction))
  const indicesOf = (name: string): number[] => split.flatMap((value, index) => (value === name ? [index] : []))
  const train = indicesOf('train')
  const calibration = indicesOf('calibration')
  const test = indicesOf('test')

  // Standardise on the training split so one penalty suits every feature.
  const mean = new Float64Array(dimension)
  const scale = new Float64Array(dimension)
  for (const index of train) for (let i = 0; i < dimension; i++) mean[i] = (mean[i] as number) + ((rows[index] as Float64Array)[i] as number) / train.length
  for (const index of train) for (let i = 0; i < dimension; i++) scale[i] = (scale[i] as number) + (((rows[index] as Float64Array)[i] as number) - (mean[i] as number)) ** 2 / train.length
  for (let i = 0; i < dimension; i++) {
    const deviation = Math.sqrt(scale[i] as number)
    scale[i] = deviation > 1e-9 ? deviation : 1
  }
  const standardised = rows.map((row) => row.map((value, i) => (value - (mean[i] as number)) / (scale[i] as number)))
  const pick = (indices: number[]): { x: Float64Array[]; y: number[] } => ({ x: indices.map((index) => standardised[index] as Float64Array), y: indices.map((index) => labels[index] as number) })
  const trainSet = pick(train)
  const calibrationSet = pick(calibration)

  let best: { l2: number; loss: number; model: ReturnType<typeof fitLogistic> } | undefined
  const grid: Array<{ l2: number; calibration_log_loss: number }> = []
  for (const l2 of l2Grid) {
    const model = fitLogistic(trainSet.x, trainSet.y, dimension, { l2 })
    const loss = logLoss(calibrationSet.x.map((row) => sigmoid(scoreLogistic(model, row))), calibrationSet.y)
    grid.push({ l2, calibration_log_loss: round(loss) })
    if (best === undefined || loss < best.loss) best = { l2, loss, model }
  }
  if (best === undefined) throw new Error('empty L2 grid')
  const model = best.model
  const calibrationScores = calibrationSet.x.map((row) => scoreLogistic(model, row))
  const platt = fitPlatt(calibrationScores, calibrationSet.y)
  const calibrated = (score: number): number => sigmoid(platt.a * score + platt.b)

  // Threshold: best macro F1 over every calibration prefix (the distribution a live chat has).
  const calibrationProbabilities = calibrationScores.map(calibrated)
  const candidates = [...new Set(calibrationProbabilities.map((probability) => round(probability, 4)))].sort((left, right) => left - right)
  let threshold = 0.5
  let bestF1 = -1
  for (const candidate of candidates) {
    const f1 = macroF1(calibrationProbabilities.map((probability) => probability >= candidate), calibrationSet.y)
    if (f1 > bestF1) {
      bestF1 = f1
      threshold = candidate
    }
  }

  const testSet = pick(test)
  const testProbabilities = testSet.x.map((row) => calibrated(scoreLogistic(model, row)))
  const balanced = balancedIndices(samples, test, options.seed)
  const balancedProbabilities = balanced.map((index) => calibrated(scoreLogistic(model, standardised[index] as Float64Array)))
  const balancedLabels = balanced.map((index) => labels[index] as number)
  const heldOut = {
    test_dialogues: new Set(test.map((index) => (samples[index] as DecideSample).group)).size,
    test_prefixes: test.length,
    test_positives: testSet.y.filter((label) => label === 1).length,
    log_loss: round(logLoss(testProbabilities, testSet.y), 4),
    base_rate_log_loss: round(logLoss(testProbabilities.map(() => trainSet.y.reduce((sum, label) => sum + label, 0) / trainSet.y.length), testSet.y), 4),
    auc: round(areaUnderCurve(testProbabilities, testSet.y), 4),
    expected_calibration_error: round(calibrationError(testProbabilities, testSet.y), 4),
    every_prefix_macro_f1: round(macroF1(testProbabilities.map((probability) => probability >= threshold), testSet.y), 4),
    balanced_macro_f1: round(macroF1(balancedProbabilities.map((probability) => probability >= threshold), balancedLabels), 4),
    balanced_items: balanced.length,
  }
  const weights: DecideWeights = {
    format: WEIGHTS_FORMAT,
    features: names,
    mean: [...mean].map((value) => round(value)),
    scale: [...scale].map((value) => round(value)),
    weights: [...model.weights].map((value) => round(value)),
    bias: round(model.bias),
    calibration: { a: round(platt.a), b: round(platt.b) },
    threshold: round(threshold, 4),
    training: {
      source: options.source ?? 'unknown',
      seed: options.seed,
      label: 'prefix ending before turn t, speaker of turn t; 1 when turn t is a photo share',
      dialogues: new Set(samples.map((sample) => sample.group)).size,
      splits: { train: train.length, calibration: calibration.length, test: test.length },
      l2: best.l2,
      l2_grid: grid,
      held_out: heldOut,
    },
  }
  return { weights, heldOut }
}
