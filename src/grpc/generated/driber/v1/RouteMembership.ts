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
  /**
   * Set when the route is a cascade and this model's answers below it go to the next model.
   */
  'min_confidence'?: (number | string);
  '_min_confidence'?: "min_confidence";
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
  /**
   * Set when the route is a cascade and this model's answers below it go to the next model.
   */
  'min_confidence'?: (number);
  '_min_confidence'?: "min_confidence";
}
