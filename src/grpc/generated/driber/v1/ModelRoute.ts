// Original file: proto/driber/v1/driber.proto


/**
 * The ordered models of one stage's route.
 */
export interface ModelRoute {
  /**
   * Model ids, primary first.
   */
  'models'?: (string)[];
}

/**
 * The ordered models of one stage's route.
 */
export interface ModelRoute__Output {
  /**
   * Model ids, primary first.
   */
  'models': (string)[];
}
