/**
 * L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least
 * squares), and Platt scaling. Deterministic: no random initialisation, no sampling, fixed
 * iteration order, so the same data gives the same weights bit for bit on the same platform.
 */

export const sigmoid = (value: number): number => (value >= 0 ? 1 / (1 + Math.exp(-value)) : Math.exp(value) / (1 + Math.exp(value)))

/** Solves `matrix * x = vector` for a symmetric positive-definite matrix (row-major, n x n) by Cholesky. */
export const solveSymmetric = (matrix: Float64Array, vector: Float64Array, n: number): Float64Array => {
  const lower = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * n + j] as number
      for (let k = 0; k < j; k++) sum -= (lower[i * n + k] as number) * (lower[j * n + k] as number)
      if (i === j) lower[i * n + i] = Math.sqrt(Math.max(sum, 1e-12))
      else lower[i * n + j] = sum / (lower[j * n + j] as number)
    }
  }
  const forward = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let sum = vector[i] as number
    for (let k = 0; k < i; k++) sum -= (lower[i * n + k] as number) * (forward[k] as number)
    forward[i] = sum / (lower[i * n + i] as number)
  }
  const solution = new Float64Array(n)
  for (let i = n - 1; i >= 0; i--) {
    let sum = forward[i] as number
    for (let k = i + 1; k < n; k++) sum -= (lower[k * n + i] as number) * (solution[k] as number)
    solution[i] = sum / (lower[i * n + i] as number)
  }
  return solution
}

export interface LogisticModel {
  weights: Float64Array
  bias: number
}

export interface FitOptions {
  /** L2 penalty on the weights (not the bias), in units of the summed log loss. */
  l2: number
  iterations?: number
  tolerance?: number
}

/** Fits `P(y=1|x) = sigmoid(w.x + b)` to rows `x` (each of length `dimension`) and labels `y`. */
export const fitLogistic = (rows: Float64Array[], labels: number[], dimension: number, options: FitOptions): LogisticModel => {
  const n = dimension + 1 // the last coordinate is the bias
  const parameters = new Float64Array(n)
  const iterations = options.iterations ?? 50
  const tolerance = options.tolerance ?? 1e-9
  const row = new Float64Array(n)
  for (let iteration = 0; iteration < iterations; iteration++) {
    const hessian = new Float64Array(n * n)
    const gradient = new Float64Array(n)
    for (let s = 0; s < rows.length; s++) {
      const features = rows[s] as Float64Array
      row.set(features)
      row[dimension] = 1
      let score = 0
      for (let i = 0; i < n; i++) score += (parameters[i] as number) * (row[i] as number)
      const probability = sigmoid(score)
      const residual = probability - (labels[s] as number)
      const weight = Math.max(probability * (1 - probability), 1e-10)
      for (let i = 0; i < n; i++) {
        const ri = row[i] as number
        if (ri === 0) continue
        gradient[i] = (gradient[i] as number) + residual * ri
        const scaled = weight * ri
        for (let j = 0; j <= i; j++) hessian[i * n + j] = (hessian[i * n + j] as number) + scaled * (row[j] as number)
      }
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) hessian[j * n + i] = hessian[i * n + j] as number
    for (let i = 0; i < dimension; i++) {
      gradient[i] = (gradient[i] as number) + options.l2 * (parameters[i] as number)
      hessian[i * n + i] = (hessian[i * n + i] as number) + options.l2
    }
    hessian[dimension * n + dimension] = (hessian[dimension * n + dimension] as number) + 1e-6
    const step = solveSymmetric(hessian, gradient, n)
    let change = 0
    for (let i = 0; i < n; i++) {
      parameters[i] = (parameters[i] as number) - (step[i] as number)
      change = Math.max(change, Math.abs(step[i] as number))
    }
    if (change < tolerance) break
  }
  return { weights: parameters.slice(0, dimension), bias: parameters[dimension] as number }
}

export const scoreLogistic = (model: LogisticModel, features: Float64Array): number => {
  let score = model.bias
  for (let i = 0; i < model.weights.length; i++) score += (model.weights[i] as number) * (features[i] as number)
  return score
}

/** Platt scaling: fits `P = sigmoid(a * score + b)` on held-out scores (with Platt's label smoothing). */
export const fitPlatt = (scores: number[], labels: number[]): { a: number; b: number } => {
  const positives = labels.filter((label) => label === 1).length
  const negatives = labels.length - positives
  const high = (positives + 1) / (positives + 2)
  const low = 1 / (negatives + 2)
  const targets = labels.map((label) => (label === 1 ? high : low))
  const rows = scores.map((score) => Float64Array.of(score))
  const model = fitLogistic(rows, targets, 1, { l2: 1e-6 })
  return { a: model.weights[0] as number, b: model.bias }
}

/** Mean negative log-likelihood. */
export const logLoss = (probabilities: number[], labels: number[]): number => {
  let sum = 0
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, probabilities[i] as number))
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p)
  }
  return labels.length === 0 ? 0 : sum / labels.length
}

/** One example for `fitSparseLogistic`: dense (standardised) values and the indices of its sparse terms. */
export interface SparseRow {
  dense: Float64Array
  /** Indices into the sparse block, once per occurrence (value 1 each). */
  terms: Int32Array
  /** How much the example counts in the loss (default 1). */
  weight?: number
}

export interface SparseFitOptions {
  /** L2 penalty on the dense weights. */
  l2Dense: number
  /** L2 penalty on the sparse weights (counts are not standardised, so they get their own). */
  l2Sparse: number
  iterations?: number
  /** Stop when the gradient's largest component falls below this (per example). */
  tolerance?: number
}

export interface SparseLogisticModel {
  dense: Float64Array
  sparse: Float64Array
  bias: number
}

/**
 * Minimises a smooth convex function by L-BFGS (memory 10) with a backtracking line search,
 * starting from zero. `evaluate` writes the gradient and returns the value. Deterministic.
 */
export const minimiseLbfgs = (n: number, evaluate: (parameters: Float64Array, gradient: Float64Array) => number, options: { iterations: number; tolerance: number }): Float64Array => {
  const memory = 10
  const steps: Float64Array[] = []
  const changes: Float64Array[] = []
  const rhos: number[] = []
  let parameters = new Float64Array(n)
  let gradient = new Float64Array(n)
  let loss = evaluate(parameters, gradient)
  const direction = new Float64Array(n)
  const alphas = new Float64Array(memory)
  const candidate = new Float64Array(n)
  const candidateGradient = new Float64Array(n)
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    let largest = 0
    for (const value of gradient) largest = Math.max(largest, Math.abs(value))
    if (largest < options.tolerance) break
    // Two-loop recursion: direction = -H * gradient.
    for (let i = 0; i < n; i++) direction[i] = -(gradient[i] as number)
    for (let k = steps.length - 1; k >= 0; k--) {
      let dot = 0
      const step = steps[k] as Float64Array
      for (let i = 0; i < n; i++) dot += (step[i] as number) * (direction[i] as number)
      const alpha = (rhos[k] as number) * dot
      alphas[k] = alpha
      const change = changes[k] as Float64Array
      for (let i = 0; i < n; i++) direction[i] = (direction[i] as number) - alpha * (change[i] as number)
    }
    if (steps.length > 0) {
      const step = steps[steps.length - 1] as Float64Array
      const change = changes[changes.length - 1] as Float64Array
      let stepChange = 0
      let changeChange = 0
      for (let i = 0; i < n; i++) {
        stepChange += (step[i] as number) * (change[i] as number)
        changeChange += (change[i] as number) * (change[i] as number)
      }
      const gamma = stepChange / changeChange
      for (let i = 0; i < n; i++) direction[i] = (direction[i] as number) * gamma
    } else {
      // First step: a gradient step scaled to a unit-sized move.
      let norm = 0
      for (const value of direction) norm += value * value
      const scale = 1 / Math.max(1, Math.sqrt(norm))
      for (let i = 0; i < n; i++) direction[i] = (direction[i] as number) * scale
    }
    for (let k = 0; k < steps.length; k++) {
      let dot = 0
      const change = changes[k] as Float64Array
      for (let i = 0; i < n; i++) dot += (change[i] as number) * (direction[i] as number)
      const beta = (rhos[k] as number) * dot
      const step = steps[k] as Float64Array
      for (let i = 0; i < n; i++) direction[i] = (direction[i] as number) + (step[i] as number) * ((alphas[k] as number) - beta)
    }
    let slope = 0
    for (let i = 0; i < n; i++) slope += (direction[i] as number) * (gradient[i] as number)
    if (slope >= 0) {
      // Not a descent direction (curvature went wrong): restart from steepest descent.
      steps.length = 0
      changes.length = 0
      rhos.length = 0
      continue
    }
    let size = 1
    let candidateLoss = Number.POSITIVE_INFINITY
    for (let trial = 0; trial < 40; trial++) {
      for (let i = 0; i < n; i++) candidate[i] = (parameters[i] as number) + size * (direction[i] as number)
      candidateLoss = evaluate(candidate, candidateGradient)
      if (candidateLoss <= loss + 1e-4 * size * slope) break
      size *= 0.5
    }
    if (!(candidateLoss < loss)) break
    const step = new Float64Array(n)
    const change = new Float64Array(n)
    let curvature = 0
    for (let i = 0; i < n; i++) {
      step[i] = (candidate[i] as number) - (parameters[i] as number)
      change[i] = (candidateGradient[i] as number) - (gradient[i] as number)
      curvature += (step[i] as number) * (change[i] as number)
    }
    const improvement = loss - candidateLoss
    parameters = Float64Array.from(candidate)
    gradient = Float64Array.from(candidateGradient)
    loss = candidateLoss
    if (curvature > 1e-12) {
      if (steps.length === memory) {
        steps.shift()
        changes.shift()
        rhos.shift()
      }
      steps.push(step)
      changes.push(change)
      rhos.push(1 / curvature)
    }
    if (improvement < 1e-10 * Math.max(1, Math.abs(loss))) break
  }
  return parameters
}

/** Adds the L2 penalties of the dense block [0, denseDimension) and the sparse block after it (the bias, last, is free). */
const addPenalty = (parameters: Float64Array, gradient: Float64Array, denseDimension: number, options: SparseFitOptions): number => {
  let penalty = 0
  for (let i = 0; i < parameters.length - 1; i++) {
    const l2 = i < denseDimension ? options.l2Dense : options.l2Sparse
    const value = parameters[i] as number
    penalty += 0.5 * l2 * value * value
    gradient[i] = (gradient[i] as number) + l2 * value
  }
  return penalty
}

const rowScore = (parameters: Float64Array, row: SparseRow, denseDimension: number): number => {
  let score = parameters[parameters.length - 1] as number
  for (let i = 0; i < denseDimension; i++) score += (parameters[i] as number) * (row.dense[i] as number)
  for (const term of row.terms) score += parameters[denseDimension + term] as number
  return score
}

const addRowGradient = (gradient: Float64Array, row: SparseRow, denseDimension: number, amount: number): void => {
  for (let i = 0; i < denseDimension; i++) gradient[i] = (gradient[i] as number) + amount * (row.dense[i] as number)
  for (const term of row.terms) gradient[denseDimension + term] = (gradient[denseDimension + term] as number) + amount
  gradient[gradient.length - 1] = (gradient[gradient.length - 1] as number) + amount
}

const toModel = (parameters: Float64Array, denseDimension: number): SparseLogisticModel => ({
  dense: parameters.slice(0, denseDimension),
  sparse: parameters.slice(denseDimension, parameters.length - 1),
  bias: parameters[parameters.length - 1] as number,
})

/**
 * Fits `P(y=1|x) = sigmoid(w.dense + sum of sparse weights + b)` by L-BFGS: Newton's method would
 * need a Hessian over every term of the vocabulary.
 */
export const fitSparseLogistic = (rows: SparseRow[], labels: number[], denseDimension: number, sparseDimension: number, options: SparseFitOptions): SparseLogisticModel => {
  const evaluate = (parameters: Float64Array, gradient: Float64Array): number => {
    gradient.fill(0)
    let loss = 0
    for (let s = 0; s < rows.length; s++) {
      const row = rows[s] as SparseRow
      const score = rowScore(parameters, row, denseDimension)
      const label = labels[s] as number
      const weight = row.weight ?? 1
      // log(1 + e^-z) for y=1, log(1 + e^z) for y=0, computed without overflow.
      const margin = label === 1 ? score : -score
      loss += weight * (margin > 0 ? Math.log1p(Math.exp(-margin)) : -margin + Math.log1p(Math.exp(margin)))
      addRowGradient(gradient, row, denseDimension, weight * (sigmoid(score) - label))
    }
    return loss + addPenalty(parameters, gradient, denseDimension, options)
  }
  const parameters = minimiseLbfgs(denseDimension + sparseDimension + 1, evaluate, { iterations: options.iterations ?? 500, tolerance: (options.tolerance ?? 1e-6) * Math.max(1, rows.length) })
  return toModel(parameters, denseDimension)
}

/**
 * Fits a listwise model: within each group (a dialogue's positions), P(row i) = softmax of the
 * scores, and the loss is -log of the probability mass on the group's positive rows. It learns
 * which position of a dialogue comes first, which is what Recall@1 asks. The bias cancels out.
 */
export const fitListwise = (groups: Array<{ rows: SparseRow[]; labels: number[] }>, denseDimension: number, sparseDimension: number, options: SparseFitOptions): SparseLogisticModel => {
  let largest = 0
  for (const group of groups) largest = Math.max(largest, group.rows.length)
  const scores = new Float64Array(largest)
  const evaluate = (parameters: Float64Array, gradient: Float64Array): number => {
    gradient.fill(0)
    let loss = 0
    for (const group of groups) {
      let maximum = Number.NEGATIVE_INFINITY
      group.rows.forEach((row, i) => {
        scores[i] = rowScore(parameters, row, denseDimension)
        maximum = Math.max(maximum, scores[i] as number)
      })
      let total = 0
      let positive = 0
      group.rows.forEach((_, i) => {
        const value = Math.exp((scores[i] as number) - maximum)
        total += value
        if (group.labels[i] === 1) positive += value
      })
      if (positive === 0) continue
      loss -= Math.log(positive / total)
      // d/ds_i = softmax_i - (positive ? s_i share of the positive mass : 0)
      group.rows.forEach((row, i) => {
        const value = Math.exp((scores[i] as number) - maximum)
        const amount = value / total - (group.labels[i] === 1 ? value / positive : 0)
        addRowGradient(gradient, row, denseDimension, amount)
      })
    }
    return loss + addPenalty(parameters, gradient, denseDimension, options)
  }
  const parameters = minimiseLbfgs(denseDimension + sparseDimension + 1, evaluate, { iterations: options.iterations ?? 500, tolerance: (options.tolerance ?? 1e-6) * Math.max(1, groups.length) })
  return toModel(parameters, denseDimension)
}

/** The raw score of one row under a sparse model. */
export const scoreSparseLogistic = (model: SparseLogisticModel, row: SparseRow): number => {
  let score = model.bias
  for (let i = 0; i < model.dense.length; i++) score += (model.dense[i] as number) * (row.dense[i] as number)
  for (const term of row.terms) score += model.sparse[term] as number
  return score
}
