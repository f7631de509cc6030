// Original file: proto/driber/v1/driber.proto

import type { DecideNextResult as _driber_v1_DecideNextResult, DecideNextResult__Output as _driber_v1_DecideNextResult__Output } from '../../driber/v1/DecideNextResult.js';
import type { DecideRankResult as _driber_v1_DecideRankResult, DecideRankResult__Output as _driber_v1_DecideRankResult__Output } from '../../driber/v1/DecideRankResult.js';

/**
 * Decide's response: exactly one result, the one the request's mode asked for.
 */
export interface DecideResponse {
  /**
   * Set for mode NEXT (and UNSPECIFIED).
   */
  'next'?: (_driber_v1_DecideNextResult | null);
  /**
   * Set for mode RANK.
   */
  'rank'?: (_driber_v1_DecideRankResult | null);
  /**
   * The answer.
   */
  'result'?: "next"|"rank";
}

/**
 * Decide's response: exactly one result, the one the request's mode asked for.
 */
export interface DecideResponse__Output {
  /**
   * Set for mode NEXT (and UNSPECIFIED).
   */
  'next'?: (_driber_v1_DecideNextResult__Output | null);
  /**
   * Set for mode RANK.
   */
  'rank'?: (_driber_v1_DecideRankResult__Output | null);
  /**
   * The answer.
   */
  'result'?: "next"|"rank";
}
