// Original file: proto/driber/v1/driber.proto


/**
 * One place in the dialogue where an image fits.
 */
export interface RankCandidate {
  /**
   * Index of the turn after which the image fits.
   */
  'turn'?: (number);
  /**
   * That turn's text.
   */
  'utterance'?: (string);
  /**
   * Who would share.
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
   * Index of the turn after which the image fits.
   */
  'turn': (number);
  /**
   * That turn's text.
   */
  'utterance': (string);
  /**
   * Who would share.
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
