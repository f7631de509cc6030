// Original file: proto/driber/v1/driber.proto


/**
 * Tokens spent on a request, summed over its attempts.
 */
export interface Usage {
  /**
   * Prompt tokens.
   */
  'input_tokens'?: (number);
  /**
   * Completion tokens.
   */
  'output_tokens'?: (number);
  /**
   * input_tokens + output_tokens.
   */
  'total_tokens'?: (number);
}

/**
 * Tokens spent on a request, summed over its attempts.
 */
export interface Usage__Output {
  /**
   * Prompt tokens.
   */
  'input_tokens': (number);
  /**
   * Completion tokens.
   */
  'output_tokens': (number);
  /**
   * input_tokens + output_tokens.
   */
  'total_tokens': (number);
}
