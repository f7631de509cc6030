// Original file: proto/driber/v1/driber.proto

import type { Attempt as _driber_v1_Attempt, Attempt__Output as _driber_v1_Attempt__Output } from '../../driber/v1/Attempt.js';
import type { Usage as _driber_v1_Usage, Usage__Output as _driber_v1_Usage__Output } from '../../driber/v1/Usage.js';

/**
 * Which model answered one stage, after which attempts, at what cost.
 */
export interface ModelAnswer {
  /**
   * Registry id of the model whose answer was accepted.
   */
  'model'?: (string);
  /**
   * Every model call made for this stage, in order.
   */
  'attempts'?: (_driber_v1_Attempt)[];
  /**
   * Tokens spent by this stage.
   */
  'usage'?: (_driber_v1_Usage | null);
}

/**
 * Which model answered one stage, after which attempts, at what cost.
 */
export interface ModelAnswer__Output {
  /**
   * Registry id of the model whose answer was accepted.
   */
  'model': (string);
  /**
   * Every model call made for this stage, in order.
   */
  'attempts': (_driber_v1_Attempt__Output)[];
  /**
   * Tokens spent by this stage.
   */
  'usage': (_driber_v1_Usage__Output | null);
}
