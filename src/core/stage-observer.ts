/**
 * What the core reports while it works. Observability (metrics, logs) implements it; the core
 * never imports prom-client or knows label names. All methods must be cheap and never throw.
 */
import type { ErrorCode } from '../errors.js'
import type { EscalationReason, ParseFailureReason, Scale, Stage, Usage } from './types.js'

export type FallbackReason = 'parse_failure' | 'error' | 'circuit_open' | 'overloaded'

export interface StageObserver {
  /** One upstream call finished (successfully or not). `errorCode` absent on success. */
  upstreamCall(event: { stage: Stage; model: string; provider: string; scale: Scale; durationSeconds: number; errorCode?: ErrorCode; usage?: Usage }): void
  parseFailure(event: { stage: Stage; model: string; reason: ParseFailureReason }): void
  retry(event: { stage: Stage; model: string; errorCode: ErrorCode }): void
  fallback(event: { stage: Stage; from: string; to: string; reason: FallbackReason }): void
  /** A cascade asked the next model although `from` answered validly. */
  escalation(event: { stage: Stage; from: string; to: string; reason: EscalationReason }): void
  /** A model stage produced its answer; `model` and `scale` are the answering model's. */
  answered(event: { stage: Stage; model: string; scale: Scale }): void
  /** A whole stage finished; `model` is the one that answered, or the last tried. */
  stageDone(event: { stage: Stage | 'retrieve' | 'share'; model: string; outcome: 'ok' | 'error'; durationSeconds: number; errorCode?: ErrorCode }): void
  decideConfidence(event: { model: string; share: boolean; confidence: number }): void
}

export const noopObserver: StageObserver = {
  upstreamCall: () => {},
  parseFailure: () => {},
  retry: () => {},
  fallback: () => {},
  escalation: () => {},
  answered: () => {},
  stageDone: () => {},
  decideConfidence: () => {},
}
