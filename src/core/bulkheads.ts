/**
 * One bulkhead per model (cockatiel): at most `maxConcurrency` calls in flight to its backend and
 * `maxQueue` waiting; beyond that a call is refused at once with OVERLOADED and a Retry-After hint,
 * so load never piles up in memory.
 */
import { BulkheadPolicy, bulkhead, isBulkheadRejectedError } from 'cockatiel'
import { DriberError } from '../errors.js'

export class Bulkheads {
  private readonly bulkheads = new Map<string, BulkheadPolicy>()

  constructor(private readonly overloadRetryAfterMs: number) {}

  /** The bulkhead of a model, created once with the limits the registry gives it. */
  get(model: { id: string; maxConcurrency: number; maxQueue: number }): BulkheadPolicy {
    let policy = this.bulkheads.get(model.id)
    if (policy === undefined) {
      policy = bulkhead(Math.max(1, model.maxConcurrency), Math.max(0, model.maxQueue))
      this.bulkheads.set(model.id, policy)
    }
    return policy
  }

  /** Converts cockatiel's rejection into the catalog error; anything else passes through. */
  convert(error: unknown, model: string): unknown {
    if (!isBulkheadRejectedError(error)) return error
    return new DriberError('OVERLOADED', {
      message: `Model ${model} is at its concurrency limit; retry later`,
      details: { model },
      retryAfterMs: this.overloadRetryAfterMs,
    })
  }
}
