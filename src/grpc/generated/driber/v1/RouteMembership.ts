// Original file: proto/driber/v1/driber.proto


/**
 * A stage route a model belongs to.
 */
export interface RouteMembership {
  /**
   * The stage: "decide", "rank" or "describe".
   */
  'stage'?: (string);
  /**
   * Position in the route: 0 is the primary, the rest are fallbacks in order.
   */
  'position'?: (number);
}

/**
 * A stage route a model belongs to.
 */
export interface RouteMembership__Output {
  /**
   * The stage: "decide", "rank" or "describe".
   */
  'stage': (string);
  /**
   * Position in the route: 0 is the primary, the rest are fallbacks in order.
   */
  'position': (number);
}
