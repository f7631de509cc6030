// Original file: proto/driber/v1/driber.proto

import type { Intent as _driber_v1_Intent, Intent__Output as _driber_v1_Intent__Output } from '../../driber/v1/Intent.js';
import type { Trigger as _driber_v1_Trigger, Trigger__Output as _driber_v1_Trigger__Output } from '../../driber/v1/Trigger.js';
import type { Attempt as _driber_v1_Attempt, Attempt__Output as _driber_v1_Attempt__Output } from '../../driber/v1/Attempt.js';
import type { Usage as _driber_v1_Usage, Usage__Output as _driber_v1_Usage__Output } from '../../driber/v1/Usage.js';

/**
 * Decide's answer in NEXT mode.
 */
export interface DecideNextResult {
  /**
   * Whether the speaker's next turn (or the rest of their current one) should include an image,
   * with or without words.
   */
  'share'?: (boolean);
  /**
   * Whose turn it is about (the request's speaker, or the model's choice among speakers and
   * participants).
   */
  'speaker'?: (string);
  /**
   * Confidence in `share`, in [0, 1].
   */
  'confidence'?: (number | string);
  /**
   * Why an image would be shared; may be empty when `share` is false.
   */
  'intents'?: (_driber_v1_Intent)[];
  /**
   * The message that calls for an image; absent when none does (HTTP null).
   */
  'trigger'?: (_driber_v1_Trigger | null);
  /**
   * A short reason, in the model's words.
   */
  'rationale'?: (string);
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
 * Decide's answer in NEXT mode.
 */
export interface DecideNextResult__Output {
  /**
   * Whether the speaker's next turn (or the rest of their current one) should include an image,
   * with or without words.
   */
  'share': (boolean);
  /**
   * Whose turn it is about (the request's speaker, or the model's choice among speakers and
   * participants).
   */
  'speaker': (string);
  /**
   * Confidence in `share`, in [0, 1].
   */
  'confidence': (number);
  /**
   * Why an image would be shared; may be empty when `share` is false.
   */
  'intents': (_driber_v1_Intent__Output)[];
  /**
   * The message that calls for an image; absent when none does (HTTP null).
   */
  'trigger': (_driber_v1_Trigger__Output | null);
  /**
   * A short reason, in the model's words.
   */
  'rationale': (string);
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
