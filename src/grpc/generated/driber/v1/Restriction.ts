// Original file: proto/driber/v1/driber.proto

/**
 * Restrictions a caller may put on descriptions. GENERIC and SPECIFIC exclude each other, as do
 * CONCISE and DETAILED.
 */
export const Restriction = {
  /**
   * Rejected with INVALID_ARGUMENT.
   */
  RESTRICTION_UNSPECIFIED: 'RESTRICTION_UNSPECIFIED',
  /**
   * "prefix": each description starts with "An image of".
   */
  RESTRICTION_PREFIX: 'RESTRICTION_PREFIX',
  /**
   * "generic": general terms rather than names.
   */
  RESTRICTION_GENERIC: 'RESTRICTION_GENERIC',
  /**
   * "specific": specific terms and names.
   */
  RESTRICTION_SPECIFIC: 'RESTRICTION_SPECIFIC',
  /**
   * "concise": short descriptions.
   */
  RESTRICTION_CONCISE: 'RESTRICTION_CONCISE',
  /**
   * "detailed": detailed descriptions.
   */
  RESTRICTION_DETAILED: 'RESTRICTION_DETAILED',
} as const;

/**
 * Restrictions a caller may put on descriptions. GENERIC and SPECIFIC exclude each other, as do
 * CONCISE and DETAILED.
 */
export type Restriction =
  /**
   * Rejected with INVALID_ARGUMENT.
   */
  | 'RESTRICTION_UNSPECIFIED'
  | 0
  /**
   * "prefix": each description starts with "An image of".
   */
  | 'RESTRICTION_PREFIX'
  | 1
  /**
   * "generic": general terms rather than names.
   */
  | 'RESTRICTION_GENERIC'
  | 2
  /**
   * "specific": specific terms and names.
   */
  | 'RESTRICTION_SPECIFIC'
  | 3
  /**
   * "concise": short descriptions.
   */
  | 'RESTRICTION_CONCISE'
  | 4
  /**
   * "detailed": detailed descriptions.
   */
  | 'RESTRICTION_DETAILED'
  | 5

/**
 * Restrictions a caller may put on descriptions. GENERIC and SPECIFIC exclude each other, as do
 * CONCISE and DETAILED.
 */
export type Restriction__Output = typeof Restriction[keyof typeof Restriction]
