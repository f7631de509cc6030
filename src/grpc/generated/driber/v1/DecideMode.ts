// Original file: proto/driber/v1/driber.proto

/**
 * Which question Decide answers.
 */
export const DecideMode = {
  /**
   * Same as DECIDE_MODE_NEXT.
   */
  DECIDE_MODE_UNSPECIFIED: 'DECIDE_MODE_UNSPECIFIED',
  /**
   * Should the speaker's next turn, or the rest of their current one, include an image? (HTTP "next")
   */
  DECIDE_MODE_NEXT: 'DECIDE_MODE_NEXT',
  /**
   * After which messages would an image fit, best first? (HTTP "rank")
   */
  DECIDE_MODE_RANK: 'DECIDE_MODE_RANK',
} as const;

/**
 * Which question Decide answers.
 */
export type DecideMode =
  /**
   * Same as DECIDE_MODE_NEXT.
   */
  | 'DECIDE_MODE_UNSPECIFIED'
  | 0
  /**
   * Should the speaker's next turn, or the rest of their current one, include an image? (HTTP "next")
   */
  | 'DECIDE_MODE_NEXT'
  | 1
  /**
   * After which messages would an image fit, best first? (HTTP "rank")
   */
  | 'DECIDE_MODE_RANK'
  | 2

/**
 * Which question Decide answers.
 */
export type DecideMode__Output = typeof DecideMode[keyof typeof DecideMode]
