// Original file: proto/driber/v1/driber.proto


/**
 * One image found.
 */
export interface ImageResult {
  /**
   * The image's id in the index.
   */
  'id'?: (string);
  /**
   * Where the image is: its own http(s) URL, or for a local file indexed with
   * `driber index build --images` the path /v1/images/{index}/{id} on this service's HTTP port.
   */
  'url'?: (string);
  /**
   * The index's caption for it.
   */
  'caption'?: (string);
  /**
   * Similarity to the descriptions; higher is better.
   */
  'score'?: (number | string);
}

/**
 * One image found.
 */
export interface ImageResult__Output {
  /**
   * The image's id in the index.
   */
  'id': (string);
  /**
   * Where the image is: its own http(s) URL, or for a local file indexed with
   * `driber index build --images` the path /v1/images/{index}/{id} on this service's HTTP port.
   */
  'url': (string);
  /**
   * The index's caption for it.
   */
  'caption': (string);
  /**
   * Similarity to the descriptions; higher is better.
   */
  'score': (number);
}
