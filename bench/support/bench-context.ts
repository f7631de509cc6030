/** What `bench/main.ts` hands every benchmark module, and what each hands back. */
import type { DriberRuntime, UpstreamProcess } from './bench-processes.js'

export interface BenchContext {
  /** Smoke mode: a few requests and seconds, enough to prove the harness works. */
  quick: boolean
  /** How driber runs under test. */
  runtime: DriberRuntime
  /** The zero-latency fake upstream (its own process), shared by the benchmarks that need it. */
  upstream: UpstreamProcess
  log(line: string): void
}

/** One line of the summary table: a measure, driber's figure, and the target or peers' figure. */
export interface SummaryRow {
  bench: string
  measure: string
  value: string
  target?: string
  /** Whether the target was met; undefined when there is no target. */
  met?: boolean
}

export interface BenchOutcome {
  /** Written to `bench/results/<name>.json` with the machine facts. */
  result: Record<string, unknown>
  summary: SummaryRow[]
}

/** Milliseconds with three decimals, for tables. */
export const ms = (value: number): string => `${value.toFixed(3)} ms`
