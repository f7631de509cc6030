// Original file: proto/driber/v1/driber.proto


/**
 * One turn of a chat.
 */
export interface Turn {
  /**
   * Who spoke: a free name, kept verbatim in prompts.
   */
  'speaker'?: (string);
  /**
   * What they said.
   */
  'text'?: (string);
}

/**
 * One turn of a chat.
 */
export interface Turn__Output {
  /**
   * Who spoke: a free name, kept verbatim in prompts.
   */
  'speaker': (string);
  /**
   * What they said.
   */
  'text': (string);
}
