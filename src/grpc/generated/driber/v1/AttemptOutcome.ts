// Original file: proto/driber/v1/driber.proto

/**
 * How one call to one model ended.
 */
export const AttemptOutcome = {
  /**
   * Never sent by the server.
   */
  ATTEMPT_OUTCOME_UNSPECIFIED: 'ATTEMPT_OUTCOME_UNSPECIFIED',
  /**
   * "ok": the answer was accepted.
   */
  ATTEMPT_OUTCOME_OK: 'ATTEMPT_OUTCOME_OK',
  /**
   * "parse_failure": the model answered but the answer was unusable (see `reason`).
   */
  ATTEMPT_OUTCOME_PARSE_FAILURE: 'ATTEMPT_OUTCOME_PARSE_FAILURE',
  /**
   * "error": the call failed (see `code`).
   */
  ATTEMPT_OUTCOME_ERROR: 'ATTEMPT_OUTCOME_ERROR',
  /**
   * "skipped": the model was not called (circuit open, at its concurrency limit).
   */
  ATTEMPT_OUTCOME_SKIPPED: 'ATTEMPT_OUTCOME_SKIPPED',
  /**
   * "escalated": a valid answer below the cascade's min_confidence for that model, so the next
   * model of the route was asked.
   */
  ATTEMPT_OUTCOME_ESCALATED: 'ATTEMPT_OUTCOME_ESCALATED',
} as const;

/**
 * How one call to one model ended.
 */
export type AttemptOutcome =
  /**
   * Never sent by the server.
   */
  | 'ATTEMPT_OUTCOME_UNSPECIFIED'
  | 0
  /**
   * "ok": the answer was accepted.
   */
  | 'ATTEMPT_OUTCOME_OK'
  | 1
  /**
   * "parse_failure": the model answered but the answer was unusable (see `reason`).
   */
  | 'ATTEMPT_OUTCOME_PARSE_FAILURE'
  | 2
  /**
   * "error": the call failed (see `code`).
   */
  | 'ATTEMPT_OUTCOME_ERROR'
  | 3
  /**
   * "skipped": the model was not called (circuit open, at its concurrency limit).
   */
  | 'ATTEMPT_OUTCOME_SKIPPED'
  | 4
  /**
   * "escalated": a valid answer below the cascade's min_confidence for that model, so the next
   * model of the route was asked.
   */
  | 'ATTEMPT_OUTCOME_ESCALATED'
  | 5

/**
 * How one call to one model ended.
 */
export type AttemptOutcome__Output = typeof AttemptOutcome[keyof typeof AttemptOutcome]
