// Original file: proto/driber/v1/driber.proto

import type { AttemptOutcome as _driber_v1_AttemptOutcome, AttemptOutcome__Output as _driber_v1_AttemptOutcome__Output } from '../../driber/v1/AttemptOutcome.js';
import type { ParseFailureReason as _driber_v1_ParseFailureReason, ParseFailureReason__Output as _driber_v1_ParseFailureReason__Output } from '../../driber/v1/ParseFailureReason.js';
import type { EscalationReason as _driber_v1_EscalationReason, EscalationReason__Output as _driber_v1_EscalationReason__Output } from '../../driber/v1/EscalationReason.js';

/**
 * One call to one model: enough to see retries, re-asks and fallbacks.
 */
export interface Attempt {
  /**
   * Registry id of the model called.
   */
  'model'?: (string);
  /**
   * How the call ended.
   */
  'outcome'?: (_driber_v1_AttemptOutcome);
  /**
   * Set when outcome is PARSE_FAILURE.
   */
  'reason'?: (_driber_v1_ParseFailureReason);
  /**
   * Catalog code (DRIBER_*) when outcome is ERROR or SKIPPED.
   */
  'code'?: (string);
  /**
   * Wall time of the call in milliseconds.
   */
  'duration_ms'?: (number | string);
  /**
   * Set when outcome is ESCALATED: why the answer was not accepted.
   */
  'escalation_reason'?: (_driber_v1_EscalationReason);
  /**
   * Set when outcome is ESCALATED: the answer's confidence.
   */
  'confidence'?: (number | string);
  /**
   * Set when outcome is ESCALATED: the confidence the cascade required of that model.
   */
  'min_confidence'?: (number | string);
  '_reason'?: "reason";
  '_code'?: "code";
  '_escalation_reason'?: "escalation_reason";
  '_confidence'?: "confidence";
  '_min_confidence'?: "min_confidence";
}

/**
 * One call to one model: enough to see retries, re-asks and fallbacks.
 */
export interface Attempt__Output {
  /**
   * Registry id of the model called.
   */
  'model': (string);
  /**
   * How the call ended.
   */
  'outcome': (_driber_v1_AttemptOutcome__Output);
  /**
   * Set when outcome is PARSE_FAILURE.
   */
  'reason'?: (_driber_v1_ParseFailureReason__Output);
  /**
   * Catalog code (DRIBER_*) when outcome is ERROR or SKIPPED.
   */
  'code'?: (string);
  /**
   * Wall time of the call in milliseconds.
   */
  'duration_ms': (number);
  /**
   * Set when outcome is ESCALATED: why the answer was not accepted.
   */
  'escalation_reason'?: (_driber_v1_EscalationReason__Output);
  /**
   * Set when outcome is ESCALATED: the answer's confidence.
   */
  'confidence'?: (number);
  /**
   * Set when outcome is ESCALATED: the confidence the cascade required of that model.
   */
  'min_confidence'?: (number);
  '_reason'?: "reason";
  '_code'?: "code";
  '_escalation_reason'?: "escalation_reason";
  '_confidence'?: "confidence";
  '_min_confidence'?: "min_confidence";
}
