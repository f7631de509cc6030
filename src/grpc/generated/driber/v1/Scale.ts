// Original file: proto/driber/v1/driber.proto

/**
 * Model size classes; a request may name a scale instead of a model.
 */
export const Scale = {
  /**
   * Never sent by the server.
   */
  SCALE_UNSPECIFIED: 'SCALE_UNSPECIFIED',
  /**
   * "tiny"
   */
  SCALE_TINY: 'SCALE_TINY',
  /**
   * "small"
   */
  SCALE_SMALL: 'SCALE_SMALL',
  /**
   * "medium"
   */
  SCALE_MEDIUM: 'SCALE_MEDIUM',
  /**
   * "large"
   */
  SCALE_LARGE: 'SCALE_LARGE',
  /**
   * "xl"
   */
  SCALE_XL: 'SCALE_XL',
} as const;

/**
 * Model size classes; a request may name a scale instead of a model.
 */
export type Scale =
  /**
   * Never sent by the server.
   */
  | 'SCALE_UNSPECIFIED'
  | 0
  /**
   * "tiny"
   */
  | 'SCALE_TINY'
  | 1
  /**
   * "small"
   */
  | 'SCALE_SMALL'
  | 2
  /**
   * "medium"
   */
  | 'SCALE_MEDIUM'
  | 3
  /**
   * "large"
   */
  | 'SCALE_LARGE'
  | 4
  /**
   * "xl"
   */
  | 'SCALE_XL'
  | 5

/**
 * Model size classes; a request may name a scale instead of a model.
 */
export type Scale__Output = typeof Scale[keyof typeof Scale]
