// Original file: proto/driber/v1/driber.proto

import type { DecideNextResult as _driber_v1_DecideNextResult, DecideNextResult__Output as _driber_v1_DecideNextResult__Output } from '../../driber/v1/DecideNextResult.js';
import type { Description as _driber_v1_Description, Description__Output as _driber_v1_Description__Output } from '../../driber/v1/Description.js';
import type { ImageResult as _driber_v1_ImageResult, ImageResult__Output as _driber_v1_ImageResult__Output } from '../../driber/v1/ImageResult.js';

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
}
