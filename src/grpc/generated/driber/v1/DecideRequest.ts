// Original file: proto/driber/v1/driber.proto

import type { Turn as _driber_v1_Turn, Turn__Output as _driber_v1_Turn__Output } from '../../driber/v1/Turn.js';
import type { DecideMode as _driber_v1_DecideMode, DecideMode__Output as _driber_v1_DecideMode__Output } from '../../driber/v1/DecideMode.js';

/**
 * Decide's request (HTTP POST /v1/decide).
 */
export interface DecideRequest {
  /**
   * The chat so far, one item per message, oldest first.
   */
  'dialogue'?: (_driber_v1_Turn)[];
  /**
   * Whose next turn is asked about (when the dialogue ends with their own message: the rest of
   * their current turn). They need not have spoken yet; when `participants` is set, they must be
   * one of them or a dialogue speaker. When absent the model also says who should share, among
   * the dialogue's speakers and the participants.
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
   * The chat's members, including any who have not written yet (duplicates ignored, at most the
   * configured maximum). Empty means not given: then any `speaker` name is accepted.
   */
  'participants'?: (string)[];
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
   * The chat so far, one item per message, oldest first.
   */
  'dialogue': (_driber_v1_Turn__Output)[];
  /**
   * Whose next turn is asked about (when the dialogue ends with their own message: the rest of
   * their current turn). They need not have spoken yet; when `participants` is set, they must be
   * one of them or a dialogue speaker. When absent the model also says who should share, among
   * the dialogue's speakers and the participants.
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
   * The chat's members, including any who have not written yet (duplicates ignored, at most the
   * configured maximum). Empty means not given: then any `speaker` name is accepted.
   */
  'participants': (string)[];
  /**
   * False: accept the route's first valid answer even where the route is a cascade (no
   * escalation on low confidence). Absent or true: the registry's cascade applies.
   */
  'cascade'?: (boolean);
  '_speaker'?: "speaker";
  '_model'?: "model";
  '_cascade'?: "cascade";
}
