/** Percentiles over latency samples, in milliseconds, rounded to microseconds. */

export interface LatencyStats {
  count: number
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
}

/** Nearest-rank percentile of an ascending array (`q` in [0, 1]). */
export const percentile = (sorted: ArrayLike<number>, q: number): number =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number)

const round = (value: number): number => Math.round(value * 1000) / 1000

/** Summary of `samples` (ms); the input is not modified. */
export const latencyStats = (samples: readonly number[]): LatencyStats => {
  const sorted = Float64Array.from(samples).sort()
  let sum = 0
  for (const value of sorted) sum += value
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p90: round(percentile(sorted, 0.9)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted.length === 0 ? 0 : (sorted[sorted.length - 1] as number)),
    mean: round(sorted.length === 0 ? 0 : sum / sorted.length),
  }
}

/** The median of a few numbers (per-round medians). */
export const median = (values: readonly number[]): number => round(percentile(Float64Array.from(values).sort(), 0.5))
