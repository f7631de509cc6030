/**
 * One circuit breaker per model (cockatiel), created on first use and kept for the life of the core.
 * A breaker opens when more than `failureRatio` of the last `windowSize` calls failed (once at least
 * `minimumCalls` were made), lets one probe through after `halfOpenAfterMs`, and closes again when
 * the probe succeeds. Only failures the policy table blames on the model count.
 */
import { CircuitBreakerPolicy, CircuitState, CountBreaker, circuitBreaker, handleWhen } from 'cockatiel'
import type { DriberError } from '../errors.js'
import { policyFor, type ResilienceSettings } from './retry-policy.js'

export type BreakerState = 'closed' | 'half_open' | 'open'

interface ModelBreaker {
  readonly policy: CircuitBreakerPolicy
  openedAt: number
}

/**
 * Probes the caller's deadline (or departure) cut short: the backend never answered, so the probe
 * proves nothing. Counting it as a failure re-opens the breaker for another cool-down; cockatiel
 * would otherwise count any error it does not handle as a success and close the breaker.
 */
const unansweredProbes = new WeakSet<object>()

export const markUnansweredProbe = <E extends object>(error: E): E => {
  unansweredProbes.add(error)
  return error
}

const countsAgainstModel = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (unansweredProbes.has(error) || ((error as { name?: unknown }).name === 'DriberError' && policyFor(error as DriberError).countsAgainstModel))

export class CircuitBreakers {
  private readonly breakers = new Map<string, ModelBreaker>()

  constructor(private readonly settings: ResilienceSettings['breaker']) {}

  /** The breaker of a model, created once. */
  get(model: string): CircuitBreakerPolicy {
    return this.entry(model).policy
  }

  private entry(model: string): ModelBreaker {
    let entry = this.breakers.get(model)
    if (entry === undefined) {
      const windowSize = Math.max(this.settings.windowSize, 1)
      const policy = circuitBreaker(handleWhen(countsAgainstModel), {
        halfOpenAfter: this.settings.halfOpenAfterMs,
        breaker: new CountBreaker({
          threshold: this.settings.failureRatio,
          size: windowSize,
          minimumNumberOfCalls: Math.min(this.settings.minimumCalls, windowSize),
        }),
      })
      const created: ModelBreaker = { policy, openedAt: 0 }
      policy.onStateChange((state) => {
        if (state === CircuitState.Open) created.openedAt = Date.now()
      })
      this.breakers.set(model, created)
      entry = created
    }
    return entry
  }

  /**
   * Whether routing should skip the model now: open and still cooling down, or half-open with its
   * one probe in flight (cockatiel would make this call wait for the probe's verdict).
   */
  shouldSkip(model: string): boolean {
    const entry = this.breakers.get(model)
    if (entry === undefined) return false
    const state = entry.policy.state
    if (state === CircuitState.HalfOpen || state === CircuitState.Isolated) return true
    if (state === CircuitState.Open) return Date.now() - entry.openedAt < this.settings.halfOpenAfterMs
    return false
  }

  /** Time until an open breaker lets a probe through (0 when it is not open), for Retry-After. */
  retryAfterMs(model: string): number {
    const entry = this.breakers.get(model)
    if (entry === undefined || entry.policy.state !== CircuitState.Open) return 0
    return Math.max(0, this.settings.halfOpenAfterMs - (Date.now() - entry.openedAt))
  }

  /** Current state of one model (closed when it was never called). */
  state(model: string): BreakerState {
    const entry = this.breakers.get(model)
    if (entry === undefined) return 'closed'
    switch (entry.policy.state) {
      case CircuitState.Closed:
        return 'closed'
      case CircuitState.HalfOpen:
        return 'half_open'
      default:
        return 'open'
    }
  }

  /** Every model seen so far plus `known`, each with its state, sorted by id. */
  states(known: readonly string[] = []): Array<{ model: string; state: BreakerState }> {
    const ids = new Set([...known, ...this.breakers.keys()])
    return [...ids].sort().map((model) => ({ model, state: this.state(model) }))
  }
}
