// Original file: proto/driber/v1/driber.proto

import type { Turn as _driber_v1_Turn, Turn__Output as _driber_v1_Turn__Output } from '../../driber/v1/Turn.js';
import type { Restriction as _driber_v1_Restriction, Restriction__Output as _driber_v1_Restriction__Output } from '../../driber/v1/Restriction.js';

/**
 * Share's request (HTTP POST /v1/share).
 */
export interface ShareRequest {
  /**
   * The chat so far, one item per message, oldest first.
   */
  'dialogue'?: (_driber_v1_Turn)[];
  /**
   * Whose next turn is asked about, as in DecideRequest; when absent the model names the speaker.
   */
  'speaker'?: (string);
  /**
   * How many images to return.
   */
  'k'?: (number);
  /**
   * A model id, alias or scale for Decide and Describe.
   */
  'model'?: (string);
  /**
   * Restrictions on the descriptions.
   */
  'restrictions'?: (_driber_v1_Restriction)[];
  /**
   * How many descriptions to produce.
   */
  'n'?: (number);
  /**
   * Name of the image index.
   */
  'index'?: (string);
  /**
   * The chat's members, as in DecideRequest.
   */
  'participants'?: (string)[];
  /**
   * False: Decide accepts the route's first valid answer even where the route is a cascade (no
   * escalation on low confidence). Absent or true: the registry's cascade applies.
   */
  'cascade'?: (boolean);
  '_speaker'?: "speaker";
  '_k'?: "k";
  '_model'?: "model";
  '_n'?: "n";
  '_index'?: "index";
  '_cascade'?: "cascade";
}

/**
 * Share's request (HTTP POST /v1/share).
 */
export interface ShareRequest__Output {
  /**
   * The chat so far, one item per message, oldest first.
   */
  'dialogue': (_driber_v1_Turn__Output)[];
  /**
   * Whose next turn is asked about, as in DecideRequest; when absent the model names the speaker.
   */
  'speaker'?: (string);
  /**
   * How many images to return.
   */
  'k'?: (number);
  /**
   * A model id, alias or scale for Decide and Describe.
   */
  'model'?: (string);
  /**
   * Restrictions on the descriptions.
   */
  'restrictions': (_driber_v1_Restriction__Output)[];
  /**
   * How many descriptions to produce.
   */
  'n'?: (number);
  /**
   * Name of the image index.
   */
  'index'?: (string);
  /**
   * The chat's members, as in DecideRequest.
   */
  'participants': (string)[];
  /**
   * False: Decide accepts the route's first valid answer even where the route is a cascade (no
   * escalation on low confidence). Absent or true: the registry's cascade applies.
   */
  'cascade'?: (boolean);
  '_speaker'?: "speaker";
  '_k'?: "k";
  '_model'?: "model";
  '_n'?: "n";
  '_index'?: "index";
  '_cascade'?: "cascade";
}
