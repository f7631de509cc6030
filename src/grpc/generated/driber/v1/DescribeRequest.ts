// Original file: proto/driber/v1/driber.proto

import type { Turn as _driber_v1_Turn, Turn__Output as _driber_v1_Turn__Output } from '../../driber/v1/Turn.js';
import type { Restriction as _driber_v1_Restriction, Restriction__Output as _driber_v1_Restriction__Output } from '../../driber/v1/Restriction.js';

/**
 * Describe's request (HTTP POST /v1/describe).
 */
export interface DescribeRequest {
  /**
   * The chat so far, one item per message, oldest first.
   */
  'dialogue'?: (_driber_v1_Turn)[];
  /**
   * Whose turn would include the image (they need not have spoken yet); when absent the model decides.
   */
  'speaker'?: (string);
  /**
   * Restrictions on the descriptions; none means the service's defaults.
   */
  'restrictions'?: (_driber_v1_Restriction)[];
  /**
   * How many descriptions to produce (1 when absent; at most the configured maximum).
   */
  'n'?: (number);
  /**
   * A model id, alias or scale; absent means the route's primary model.
   */
  'model'?: (string);
  '_speaker'?: "speaker";
  '_n'?: "n";
  '_model'?: "model";
}

/**
 * Describe's request (HTTP POST /v1/describe).
 */
export interface DescribeRequest__Output {
  /**
   * The chat so far, one item per message, oldest first.
   */
  'dialogue': (_driber_v1_Turn__Output)[];
  /**
   * Whose turn would include the image (they need not have spoken yet); when absent the model decides.
   */
  'speaker'?: (string);
  /**
   * Restrictions on the descriptions; none means the service's defaults.
   */
  'restrictions': (_driber_v1_Restriction__Output)[];
  /**
   * How many descriptions to produce (1 when absent; at most the configured maximum).
   */
  'n'?: (number);
  /**
   * A model id, alias or scale; absent means the route's primary model.
   */
  'model'?: (string);
  '_speaker'?: "speaker";
  '_n'?: "n";
  '_model'?: "model";
}
