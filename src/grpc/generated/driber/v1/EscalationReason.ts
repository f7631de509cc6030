// Original file: proto/driber/v1/driber.proto

/**
 * Why a cascade asked the next model although the answer was valid.
 */
export const EscalationReason = {
  /**
   * Never sent by the server.
   */
  ESCALATION_REASON_UNSPECIFIED: 'ESCALATION_REASON_UNSPECIFIED',
  /**
   * "low_confidence": the answer's confidence was below the model's min_confidence.
   */
  ESCALATION_REASON_LOW_CONFIDENCE: 'ESCALATION_REASON_LOW_CONFIDENCE',
} as const;

/**
 * Why a cascade asked the next model although the answer was valid.
 */
export type EscalationReason =
  /**
   * Never sent by the server.
   */
  | 'ESCALATION_REASON_UNSPECIFIED'
  | 0
  /**
   * "low_confidence": the answer's confidence was below the model's min_confidence.
   */
  | 'ESCALATION_REASON_LOW_CONFIDENCE'
  | 1

/**
 * Why a cascade asked the next model although the answer was valid.
 */
export type EscalationReason__Output = typeof EscalationReason[keyof typeof EscalationReason]
