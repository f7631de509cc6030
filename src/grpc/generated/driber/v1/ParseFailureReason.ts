// Original file: proto/driber/v1/driber.proto

/**
 * Why a model answer failed to parse or validate.
 */
export const ParseFailureReason = {
  /**
   * Never sent by the server.
   */
  PARSE_FAILURE_REASON_UNSPECIFIED: 'PARSE_FAILURE_REASON_UNSPECIFIED',
  /**
   * "invalid_json": the answer is not JSON even after tolerant repair.
   */
  PARSE_FAILURE_REASON_INVALID_JSON: 'PARSE_FAILURE_REASON_INVALID_JSON',
  /**
   * "schema_violation": JSON that does not match the expected schema.
   */
  PARSE_FAILURE_REASON_SCHEMA_VIOLATION: 'PARSE_FAILURE_REASON_SCHEMA_VIOLATION',
  /**
   * "refusal": the model refused.
   */
  PARSE_FAILURE_REASON_REFUSAL: 'PARSE_FAILURE_REASON_REFUSAL',
  /**
   * "truncated": the answer was cut off at the token limit.
   */
  PARSE_FAILURE_REASON_TRUNCATED: 'PARSE_FAILURE_REASON_TRUNCATED',
  /**
   * "empty": the model answered nothing.
   */
  PARSE_FAILURE_REASON_EMPTY: 'PARSE_FAILURE_REASON_EMPTY',
} as const;

/**
 * Why a model answer failed to parse or validate.
 */
export type ParseFailureReason =
  /**
   * Never sent by the server.
   */
  | 'PARSE_FAILURE_REASON_UNSPECIFIED'
  | 0
  /**
   * "invalid_json": the answer is not JSON even after tolerant repair.
   */
  | 'PARSE_FAILURE_REASON_INVALID_JSON'
  | 1
  /**
   * "schema_violation": JSON that does not match the expected schema.
   */
  | 'PARSE_FAILURE_REASON_SCHEMA_VIOLATION'
  | 2
  /**
   * "refusal": the model refused.
   */
  | 'PARSE_FAILURE_REASON_REFUSAL'
  | 3
  /**
   * "truncated": the answer was cut off at the token limit.
   */
  | 'PARSE_FAILURE_REASON_TRUNCATED'
  | 4
  /**
   * "empty": the model answered nothing.
   */
  | 'PARSE_FAILURE_REASON_EMPTY'
  | 5

/**
 * Why a model answer failed to parse or validate.
 */
export type ParseFailureReason__Output = typeof ParseFailureReason[keyof typeof ParseFailureReason]
