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
