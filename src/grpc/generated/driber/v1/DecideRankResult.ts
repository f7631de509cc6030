// Original file: proto/driber/v1/driber.proto

import type { RankCandidate as _driber_v1_RankCandidate, RankCandidate__Output as _driber_v1_RankCandidate__Output } from '../../driber/v1/RankCandidate.js';
import type { Attempt as _driber_v1_Attempt, Attempt__Output as _driber_v1_Attempt__Output } from '../../driber/v1/Attempt.js';
import type { Usage as _driber_v1_Usage, Usage__Output as _driber_v1_Usage__Output } from '../../driber/v1/Usage.js';

/**
 * Decide's answer in RANK mode, and Rank's response.
 */
export interface DecideRankResult {
  /**
   * Places where an image fits, best first.
   */
  'candidates'?: (_driber_v1_RankCandidate)[];
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
 * Decide's answer in RANK mode, and Rank's response.
 */
export interface DecideRankResult__Output {
  /**
   * Places where an image fits, best first.
   */
  'candidates': (_driber_v1_RankCandidate__Output)[];
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
