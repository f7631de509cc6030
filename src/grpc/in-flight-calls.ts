/**
 * Counts the ImageSharing calls that have been accepted and not yet answered, so draining can
 * wait for exactly those (health Watch streams never end on their own and must not hold it up).
 */
export class InFlightCalls {
  #count = 0
  #waiters: Array<() => void> = []

  get count(): number {
    return this.#count
  }

  enter(): void {
    this.#count++
  }

  leave(): void {
    this.#count = Math.max(0, this.#count - 1)
    if (this.#count === 0) for (const wake of this.#waiters.splice(0)) wake()
  }

  /** Resolves true once no call is in flight, or false when `timeoutMs` passes first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.#count === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer)
        resolve(true)
      }
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== wake)
        resolve(false)
      }, timeoutMs)
      this.#waiters.push(wake)
    })
  }
}
