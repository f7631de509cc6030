/**
 * Reads a command-line option that must be a whole number of at least 1.
 * Returns `fallback` when the option was not given; throws an Error naming the option otherwise,
 * which the commands print above their usage text (exit code 2).
 */
export function positiveIntegerOption(name: string, raw: string | undefined, fallback: number): number
export function positiveIntegerOption(name: string, raw: string | undefined): number | undefined
export function positiveIntegerOption(name: string, raw: string | undefined, fallback?: number): number | undefined {
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`--${name} must be a positive integer, got "${raw}"`)
  return Number(raw)
}
