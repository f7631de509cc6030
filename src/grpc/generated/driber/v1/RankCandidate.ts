// Original file: proto/driber/v1/driber.proto


/**
 * One place in the dialogue where an image fits.
 */
export interface RankCandidate {
  /**
   * Position in `dialogue` of the message after which the image fits.
   */
  'turn'?: (number);
  /**
   * That message's text.
   */
  'utterance'?: (string);
  /**
   * That message's speaker.
   */
  'speaker'?: (string);
  /**
   * Confidence in [0, 1]; candidates are sorted by it, best first.
   */
  'confidence'?: (number | string);
  /**
   * A short reason, in the model's words.
   */
  'rationale'?: (string);
}

/**
 * One place in the dialogue where an image fits.
 */
export interface RankCandidate__Output {
  /**
   * Position in `dialogue` of the message after which the image fits.
   */
  'turn': (number);
  /**
   * That message's text.
   */
  'utterance': (string);
  /**
   * That message's speaker.
   */
  'speaker': (string);
  /**
   * Confidence in [0, 1]; candidates are sorted by it, best first.
   */
  'confidence': (number);
  /**
   * A short reason, in the model's words.
   */
  'rationale': (string);
}
