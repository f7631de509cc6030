// Original file: proto/driber/v1/driber.proto

/**
 * What Retrieve compares the descriptions with (HTTP `by`).
 */
export const SearchBy = {
  /**
   * The index's default: BOTH for image indexes with captions, IMAGE for image indexes without
   * captions, CAPTION for indexes built from captions.
   */
  SEARCH_BY_UNSPECIFIED: 'SEARCH_BY_UNSPECIFIED',
  /**
   * "image": the pictures' own vectors (indexes built with `driber index build --images`).
   */
  SEARCH_BY_IMAGE: 'SEARCH_BY_IMAGE',
  /**
   * "caption": the captions' text vectors.
   */
  SEARCH_BY_CAPTION: 'SEARCH_BY_CAPTION',
  /**
   * "both": image and caption lists fused by reciprocal rank; scores are then RRF scores.
   */
  SEARCH_BY_BOTH: 'SEARCH_BY_BOTH',
} as const;

/**
 * What Retrieve compares the descriptions with (HTTP `by`).
 */
export type SearchBy =
  /**
   * The index's default: BOTH for image indexes with captions, IMAGE for image indexes without
   * captions, CAPTION for indexes built from captions.
   */
  | 'SEARCH_BY_UNSPECIFIED'
  | 0
  /**
   * "image": the pictures' own vectors (indexes built with `driber index build --images`).
   */
  | 'SEARCH_BY_IMAGE'
  | 1
  /**
   * "caption": the captions' text vectors.
   */
  | 'SEARCH_BY_CAPTION'
  | 2
  /**
   * "both": image and caption lists fused by reciprocal rank; scores are then RRF scores.
   */
  | 'SEARCH_BY_BOTH'
  | 3

/**
 * What Retrieve compares the descriptions with (HTTP `by`).
 */
export type SearchBy__Output = typeof SearchBy[keyof typeof SearchBy]
