// Original file: proto/driber/v1/driber.proto

import type { Turn as _driber_v1_Turn, Turn__Output as _driber_v1_Turn__Output } from '../../driber/v1/Turn.js';

/**
 * Rank's request: Decide's request without the mode.
 */
export interface RankRequest {
  /**
   * The chat so far, one item per message, oldest first.
   */
  'dialogue'?: (_driber_v1_Turn)[];
  /**
   * Checked as in DecideRequest (a valid name; with `participants`, one of them or a dialogue
   * speaker); ranking judges the whole dialogue.
   */
  'speaker'?: (string);
  /**
   * A model id, alias or scale; absent means the route's primary model.
   */
  'model'?: (string);
  /**
   * The chat's members, as in DecideRequest.
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
 * Rank's request: Decide's request without the mode.
 */
export interface RankRequest__Output {
  /**
   * The chat so far, one item per message, oldest first.
   */
  'dialogue': (_driber_v1_Turn__Output)[];
  /**
   * Checked as in DecideRequest (a valid name; with `participants`, one of them or a dialogue
   * speaker); ranking judges the whole dialogue.
   */
  'speaker'?: (string);
  /**
   * A model id, alias or scale; absent means the route's primary model.
   */
  'model'?: (string);
  /**
   * The chat's members, as in DecideRequest.
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
