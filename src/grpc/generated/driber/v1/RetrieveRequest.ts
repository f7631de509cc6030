// Original file: proto/driber/v1/driber.proto

import type { SearchBy as _driber_v1_SearchBy, SearchBy__Output as _driber_v1_SearchBy__Output } from '../../driber/v1/SearchBy.js';

/**
 * Retrieve's request (HTTP POST /v1/retrieve).
 */
export interface RetrieveRequest {
  /**
   * Descriptions of the wanted image; several are fused.
   */
  'descriptions'?: (string)[];
  /**
   * How many images to return (the service default when absent).
   */
  'k'?: (number);
  /**
   * Name of the image index; the configured default when absent.
   */
  'index'?: (string);
  /**
   * Exact-match metadata filter, all of which must hold: "labels" (or "label") keeps images whose
   * labels include the value, "id" and "url" match the field; any other key is INVALID_ARGUMENT.
   * Empty means no filter.
   */
  'filter'?: ({[key: string]: string});
  /**
   * HNSW search breadth for this request, 1 to the index's `maxEf` (its `efSearch` when absent);
   * raised to `k` when smaller. Exact (memory) indexes ignore it.
   */
  'ef'?: (number);
  /**
   * Which vectors to search; a mode the index does not offer is INVALID_ARGUMENT.
   */
  'by'?: (_driber_v1_SearchBy);
  '_k'?: "k";
  '_index'?: "index";
  '_ef'?: "ef";
}

/**
 * Retrieve's request (HTTP POST /v1/retrieve).
 */
export interface RetrieveRequest__Output {
  /**
   * Descriptions of the wanted image; several are fused.
   */
  'descriptions': (string)[];
  /**
   * How many images to return (the service default when absent).
   */
  'k'?: (number);
  /**
   * Name of the image index; the configured default when absent.
   */
  'index'?: (string);
  /**
   * Exact-match metadata filter, all of which must hold: "labels" (or "label") keeps images whose
   * labels include the value, "id" and "url" match the field; any other key is INVALID_ARGUMENT.
   * Empty means no filter.
   */
  'filter': ({[key: string]: string});
  /**
   * HNSW search breadth for this request, 1 to the index's `maxEf` (its `efSearch` when absent);
   * raised to `k` when smaller. Exact (memory) indexes ignore it.
   */
  'ef'?: (number);
  /**
   * Which vectors to search; a mode the index does not offer is INVALID_ARGUMENT.
   */
  'by': (_driber_v1_SearchBy__Output);
  '_k'?: "k";
  '_index'?: "index";
  '_ef'?: "ef";
}
