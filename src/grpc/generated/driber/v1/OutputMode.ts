// Original file: proto/driber/v1/driber.proto

/**
 * What structured output a model's backend supports.
 */
export const OutputMode = {
  /**
   * Never sent by the server.
   */
  OUTPUT_MODE_UNSPECIFIED: 'OUTPUT_MODE_UNSPECIFIED',
  /**
   * "json_schema": strict JSON schema.
   */
  OUTPUT_MODE_JSON_SCHEMA: 'OUTPUT_MODE_JSON_SCHEMA',
  /**
   * "json_object": JSON without a schema.
   */
  OUTPUT_MODE_JSON_OBJECT: 'OUTPUT_MODE_JSON_OBJECT',
  /**
   * "text": plain text, parsed tolerantly.
   */
  OUTPUT_MODE_TEXT: 'OUTPUT_MODE_TEXT',
} as const;

/**
 * What structured output a model's backend supports.
 */
export type OutputMode =
  /**
   * Never sent by the server.
   */
  | 'OUTPUT_MODE_UNSPECIFIED'
  | 0
  /**
   * "json_schema": strict JSON schema.
   */
  | 'OUTPUT_MODE_JSON_SCHEMA'
  | 1
  /**
   * "json_object": JSON without a schema.
   */
  | 'OUTPUT_MODE_JSON_OBJECT'
  | 2
  /**
   * "text": plain text, parsed tolerantly.
   */
  | 'OUTPUT_MODE_TEXT'
  | 3

/**
 * What structured output a model's backend supports.
 */
export type OutputMode__Output = typeof OutputMode[keyof typeof OutputMode]
