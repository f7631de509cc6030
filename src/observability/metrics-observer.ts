/**
 * How the core's events become metrics. The core reports through `StageObserver` and knows no
 * metric names; this is the one place that maps its events onto `Metrics`.
 */
import type { StageObserver } from '../core/stage-observer.js'
import type { Metrics } from './metrics.js'

/** A `StageObserver` that records every core event in `metrics`. Never throws: a metrics bug must not fail a request. */
export const createMetricsObserver = (metrics: Metrics): StageObserver => {
  const guard =
    <Event>(record: (event: Event) => void) =>
    (event: Event): void => {
      try {
        record(event)
      } catch {
        // Metrics are best effort; the request goes on.
      }
    }

  return {
    upstreamCall: guard((event) => {
      metrics.observeUpstream('chat', event.provider, event.model, event.errorCode ?? '', event.durationSeconds)
      if (event.usage !== undefined) {
        metrics.observeTokens('chat', event.provider, event.model, event.usage.input_tokens, event.usage.output_tokens)
        metrics.countTokensByScale(event.stage, event.scale, event.usage.input_tokens, event.usage.output_tokens)
      }
    }),
    parseFailure: guard((event) => metrics.countParseFailure(event.stage, event.model, event.reason)),
    retry: guard((event) => metrics.countRetry(event.stage, event.model, event.errorCode)),
    fallback: guard((event) => metrics.countFallback(event.stage, event.from, event.to, event.reason)),
    escalation: guard((event) => metrics.countEscalation(event.stage, event.from, event.to, event.reason)),
    answered: guard((event) => metrics.countAnswer(event.stage, event.scale)),
    stageDone: guard((event) => metrics.observeStage(event.stage, event.model, event.outcome, event.durationSeconds)),
    decideConfidence: guard((event) => metrics.observeDecideConfidence(event.model, event.share, event.confidence)),
  }
}
