// Original file: proto/driber/v1/driber.proto


/**
 * The message that calls for an image.
 */
export interface Trigger {
  /**
   * Position of the message in `dialogue`.
   */
  'turn'?: (number);
  /**
   * That message's text, as sent.
   */
  'text'?: (string);
}

/**
 * The message that calls for an image.
 */
export interface Trigger__Output {
  /**
   * Position of the message in `dialogue`.
   */
  'turn': (number);
  /**
   * That message's text, as sent.
   */
  'text': (string);
}
