// Original file: proto/driber/v1/driber.proto

import type { AttemptOutcome as _driber_v1_AttemptOutcome, AttemptOutcome__Output as _driber_v1_AttemptOutcome__Output } from '../../driber/v1/AttemptOutcome.js';
import type { ParseFailureReason as _driber_v1_ParseFailureReason, ParseFailureReason__Output as _driber_v1_ParseFailureReason__Output } from '../../driber/v1/ParseFailureReason.js';

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
  '_reason'?: "reason";
  '_code'?: "code";
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
  '_reason'?: "reason";
  '_code'?: "code";
}
