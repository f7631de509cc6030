// Original file: proto/driber/v1/driber.proto


/**
 * The sentence that calls for an image.
 */
export interface Trigger {
  /**
   * Index of the turn in `dialogue`.
   */
  'turn'?: (number);
  /**
   * The triggering sentence, taken from that turn.
   */
  'text'?: (string);
}

/**
 * The sentence that calls for an image.
 */
export interface Trigger__Output {
  /**
   * Index of the turn in `dialogue`.
   */
  'turn': (number);
  /**
   * The triggering sentence, taken from that turn.
   */
  'text': (string);
}
