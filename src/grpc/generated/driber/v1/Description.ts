// Original file: proto/driber/v1/driber.proto


/**
 * A description of an image to share.
 */
export interface Description {
  /**
   * The description.
   */
  'text'?: (string);
  /**
   * Phrases of the dialogue the image should show.
   */
  'salient'?: (string)[];
}

/**
 * A description of an image to share.
 */
export interface Description__Output {
  /**
   * The description.
   */
  'text': (string);
  /**
   * Phrases of the dialogue the image should show.
   */
  'salient': (string)[];
}
