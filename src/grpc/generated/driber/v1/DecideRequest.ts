// Original file: proto/driber/v1/driber.proto

import type { Turn as _driber_v1_Turn, Turn__Output as _driber_v1_Turn__Output } from '../../driber/v1/Turn.js';
import type { DecideMode as _driber_v1_DecideMode, DecideMode__Output as _driber_v1_DecideMode__Output } from '../../driber/v1/DecideMode.js';

/**
 * Decide's request (HTTP POST /v1/decide).
 */
export interface DecideRequest {
  /**
   * The chat so far, oldest turn first.
   */
  'dialogue'?: (_driber_v1_Turn)[];
  /**
   * Who would share next; when absent the model also says which speaker should share.
   */
  'speaker'?: (string);
  /**
   * NEXT (default) or RANK.
   */
  'mode'?: (_driber_v1_DecideMode);
  /**
   * A model id, alias or scale; absent means the route's primary model.
   */
  'model'?: (string);
  /**
   * False: accept the route's first valid answer even where the route is a cascade (no
   * escalation on low confidence). Absent or true: the registry's cascade applies.
   */
  'cascade'?: (boolean);
  '_speaker'?: "speaker";
  '_model'?: "model";
  '_cascade'?: "cascade";
}

/**
 * Decide's request (HTTP POST /v1/decide).
 */
export interface DecideRequest__Output {
  /**
   * The chat so far, oldest turn first.
   */
  'dialogue': (_driber_v1_Turn__Output)[];
  /**
   * Who would share next; when absent the model also says which speaker should share.
   */
  'speaker'?: (string);
  /**
   * NEXT (default) or RANK.
   */
  'mode': (_driber_v1_DecideMode__Output);
  /**
   * A model id, alias or scale; absent means the route's primary model.
   */
  'model'?: (string);
  /**
   * False: accept the route's first valid answer even where the route is a cascade (no
   * escalation on low confidence). Absent or true: the registry's cascade applies.
   */
  'cascade'?: (boolean);
  '_speaker'?: "speaker";
  '_model'?: "model";
  '_cascade'?: "cascade";
}
