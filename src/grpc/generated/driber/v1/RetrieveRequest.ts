// Original file: proto/driber/v1/driber.proto


/**
 * Retrieve's request (HTTP POST /v1/retrieve).
 */
export interface RetrieveRequest {
  /**
   * Descriptions of the wanted image; several are fused.
   */
  'descriptions'?: (string)[];
  /**
   * How many images to return (the service default when absent).
   */
  'k'?: (number);
  /**
   * Name of the image index; the configured default when absent.
   */
  'index'?: (string);
  '_k'?: "k";
  '_index'?: "index";
}

/**
 * Retrieve's request (HTTP POST /v1/retrieve).
 */
export interface RetrieveRequest__Output {
  /**
   * Descriptions of the wanted image; several are fused.
   */
  'descriptions': (string)[];
  /**
   * How many images to return (the service default when absent).
   */
  'k'?: (number);
  /**
   * Name of the image index; the configured default when absent.
   */
  'index'?: (string);
  '_k'?: "k";
  '_index'?: "index";
}
