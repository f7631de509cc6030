// Original file: proto/driber/v1/driber.proto

import type { ImageResult as _driber_v1_ImageResult, ImageResult__Output as _driber_v1_ImageResult__Output } from '../../driber/v1/ImageResult.js';

/**
 * Retrieve's response.
 */
export interface RetrieveResponse {
  /**
   * Images, best first.
   */
  'results'?: (_driber_v1_ImageResult)[];
  /**
   * The index searched.
   */
  'index'?: (string);
}

/**
 * Retrieve's response.
 */
export interface RetrieveResponse__Output {
  /**
   * Images, best first.
   */
  'results': (_driber_v1_ImageResult__Output)[];
  /**
   * The index searched.
   */
  'index': (string);
}
