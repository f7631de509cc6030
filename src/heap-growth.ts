/**
 * How far V8 lets the old generation grow past what the last full collection kept
 * (`memory.heapGrowthPercent`), set on the running process.
 *
 * Why a flag set from inside: V8 reads `--heap-growing-percent` each time it computes the next
 * collection's limit, so setting it once the config is known takes effect for every later
 * collection, whether the service was started as `node dist/server.js`, `npm start`, `driber serve`,
 * in the container or as a cluster worker; a command-line flag would have to be repeated in each of
 * those. Left alone (0), V8's adaptive factor (up to 4x, chosen from collection and allocation speed)
 * let a server that had answered 20,000 decides at full speed keep about 100 MB of old generation for
 * 38 MB of live objects; at 30% it keeps about 50 MB, for the same CPU per request within the
 * measurement's noise (bench/README.md, "Memory after a load run").
 *
 * Flags that size the young generation (`--max-semi-space-size`) are read once when the heap is
 * created, so they cannot be set this way; they stay a deployment choice (`NODE_OPTIONS`).
 */
import { setFlagsFromString } from 'node:v8'

/** Applies `percent` (0 = V8's own adaptive growth, nothing set). Returns the flag it set, if any. */
export const applyHeapGrowth = (percent: number, setFlags: (flags: string) => void = setFlagsFromString): string | undefined => {
  if (!Number.isInteger(percent) || percent < 0) throw new RangeError(`heap growth percent must be a non-negative integer, got ${percent}`)
  if (percent === 0) return undefined
  const flag = `--heap-growing-percent=${percent}`
  setFlags(flag)
  return flag
}
