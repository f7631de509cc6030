// Original file: proto/driber/v1/driber.proto


/**
 * One message of a chat (consecutive messages from one speaker form that speaker's turn).
 */
export interface Turn {
  /**
   * Who sent it: a free name, kept verbatim in prompts.
   */
  'speaker'?: (string);
  /**
   * What they wrote.
   */
  'text'?: (string);
}

/**
 * One message of a chat (consecutive messages from one speaker form that speaker's turn).
 */
export interface Turn__Output {
  /**
   * Who sent it: a free name, kept verbatim in prompts.
   */
  'speaker': (string);
  /**
   * What they wrote.
   */
  'text': (string);
}
