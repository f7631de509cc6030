// Original file: proto/driber/v1/driber.proto

import type { DecideNextResult as _driber_v1_DecideNextResult, DecideNextResult__Output as _driber_v1_DecideNextResult__Output } from '../../driber/v1/DecideNextResult.js';
import type { Description as _driber_v1_Description, Description__Output as _driber_v1_Description__Output } from '../../driber/v1/Description.js';
import type { ImageResult as _driber_v1_ImageResult, ImageResult__Output as _driber_v1_ImageResult__Output } from '../../driber/v1/ImageResult.js';
import type { Usage as _driber_v1_Usage, Usage__Output as _driber_v1_Usage__Output } from '../../driber/v1/Usage.js';
import type { ModelAnswer as _driber_v1_ModelAnswer, ModelAnswer__Output as _driber_v1_ModelAnswer__Output } from '../../driber/v1/ModelAnswer.js';

/**
 * Share's response.
 */
export interface ShareResponse {
  /**
   * Decide's answer (NEXT mode).
   */
  'decision'?: (_driber_v1_DecideNextResult | null);
  /**
   * Describe's descriptions; empty when the decision is not to share.
   */
  'descriptions'?: (_driber_v1_Description)[];
  /**
   * Retrieve's images; empty when the decision is not to share.
   */
  'results'?: (_driber_v1_ImageResult)[];
  /**
   * Tokens of every model stage that ran (Decide, and Describe when the decision is to share),
   * summed: what the call cost.
   */
  'usage'?: (_driber_v1_Usage | null);
  /**
   * The Describe stage's model, attempts and tokens; absent (HTTP null) when the decision is not
   * to share. Decide's are in `decision`.
   */
  'describe'?: (_driber_v1_ModelAnswer | null);
}

/**
 * Share's response.
 */
export interface ShareResponse__Output {
  /**
   * Decide's answer (NEXT mode).
   */
  'decision': (_driber_v1_DecideNextResult__Output | null);
  /**
   * Describe's descriptions; empty when the decision is not to share.
   */
  'descriptions': (_driber_v1_Description__Output)[];
  /**
   * Retrieve's images; empty when the decision is not to share.
   */
  'results': (_driber_v1_ImageResult__Output)[];
  /**
   * Tokens of every model stage that ran (Decide, and Describe when the decision is to share),
   * summed: what the call cost.
   */
  'usage': (_driber_v1_Usage__Output | null);
  /**
   * The Describe stage's model, attempts and tokens; absent (HTTP null) when the decision is not
   * to share. Decide's are in `decision`.
   */
  'describe': (_driber_v1_ModelAnswer__Output | null);
}
