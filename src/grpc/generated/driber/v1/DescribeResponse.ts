// Original file: proto/driber/v1/driber.proto

import type { Description as _driber_v1_Description, Description__Output as _driber_v1_Description__Output } from '../../driber/v1/Description.js';
import type { Attempt as _driber_v1_Attempt, Attempt__Output as _driber_v1_Attempt__Output } from '../../driber/v1/Attempt.js';
import type { Usage as _driber_v1_Usage, Usage__Output as _driber_v1_Usage__Output } from '../../driber/v1/Usage.js';

/**
 * Describe's response.
 */
export interface DescribeResponse {
  /**
   * The descriptions, as many as requested.
   */
  'descriptions'?: (_driber_v1_Description)[];
  /**
   * Registry id of the model whose answer was accepted.
   */
  'model'?: (string);
  /**
   * Every model call made, in order.
   */
  'attempts'?: (_driber_v1_Attempt)[];
  /**
   * Tokens spent.
   */
  'usage'?: (_driber_v1_Usage | null);
}

/**
 * Describe's response.
 */
export interface DescribeResponse__Output {
  /**
   * The descriptions, as many as requested.
   */
  'descriptions': (_driber_v1_Description__Output)[];
  /**
   * Registry id of the model whose answer was accepted.
   */
  'model': (string);
  /**
   * Every model call made, in order.
   */
  'attempts': (_driber_v1_Attempt__Output)[];
  /**
   * Tokens spent.
   */
  'usage': (_driber_v1_Usage__Output | null);
}
