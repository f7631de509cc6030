/**
 * Preloaded into the server under soak (`node --expose-gc --import ./bench/gc-on-signal.ts`): a
 * full garbage collection on SIGUSR2, so the soak reads heap after collection, not whatever
 * garbage happens to be waiting. Bench-only; the service never loads this.
 */
const collect = (globalThis as { gc?: () => void }).gc
if (collect !== undefined) {
  process.on('SIGUSR2', () => {
    collect()
    collect()
  })
}
