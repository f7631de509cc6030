// Original file: proto/driber/v1/driber.proto


/**
 * One embedder of the registry, without secrets.
 */
export interface EmbedderInfo {
  /**
   * Registry id.
   */
  'id'?: (string);
  /**
   * "openai" or "embedded".
   */
  'provider'?: (string);
  /**
   * Vector size, when known.
   */
  'dimension'?: (number);
  /**
   * What it embeds: "text", "image".
   */
  'modalities'?: (string)[];
  '_dimension'?: "dimension";
}

/**
 * One embedder of the registry, without secrets.
 */
export interface EmbedderInfo__Output {
  /**
   * Registry id.
   */
  'id': (string);
  /**
   * "openai" or "embedded".
   */
  'provider': (string);
  /**
   * Vector size, when known.
   */
  'dimension'?: (number);
  /**
   * What it embeds: "text", "image".
   */
  'modalities': (string)[];
  '_dimension'?: "dimension";
}
