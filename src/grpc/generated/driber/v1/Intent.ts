// Original file: proto/driber/v1/driber.proto

/**
 * Why a person shares an image: the six intents of the DribeR taxonomy.
 */
export const Intent = {
  /**
   * Never sent by the server.
   */
  INTENT_UNSPECIFIED: 'INTENT_UNSPECIFIED',
  /**
   * "information_dissemination": show facts or news.
   */
  INTENT_INFORMATION_DISSEMINATION: 'INTENT_INFORMATION_DISSEMINATION',
  /**
   * "social_bonding": share a moment with the other person.
   */
  INTENT_SOCIAL_BONDING: 'INTENT_SOCIAL_BONDING',
  /**
   * "humor_entertainment": amuse.
   */
  INTENT_HUMOR_ENTERTAINMENT: 'INTENT_HUMOR_ENTERTAINMENT',
  /**
   * "visual_clarification": show what words describe poorly.
   */
  INTENT_VISUAL_CLARIFICATION: 'INTENT_VISUAL_CLARIFICATION',
  /**
   * "topic_transition": move the conversation on.
   */
  INTENT_TOPIC_TRANSITION: 'INTENT_TOPIC_TRANSITION',
  /**
   * "expression_of_emotion_opinion": show a feeling or a view.
   */
  INTENT_EXPRESSION_OF_EMOTION_OPINION: 'INTENT_EXPRESSION_OF_EMOTION_OPINION',
} as const;

/**
 * Why a person shares an image: the six intents of the DribeR taxonomy.
 */
export type Intent =
  /**
   * Never sent by the server.
   */
  | 'INTENT_UNSPECIFIED'
  | 0
  /**
   * "information_dissemination": show facts or news.
   */
  | 'INTENT_INFORMATION_DISSEMINATION'
  | 1
  /**
   * "social_bonding": share a moment with the other person.
   */
  | 'INTENT_SOCIAL_BONDING'
  | 2
  /**
   * "humor_entertainment": amuse.
   */
  | 'INTENT_HUMOR_ENTERTAINMENT'
  | 3
  /**
   * "visual_clarification": show what words describe poorly.
   */
  | 'INTENT_VISUAL_CLARIFICATION'
  | 4
  /**
   * "topic_transition": move the conversation on.
   */
  | 'INTENT_TOPIC_TRANSITION'
  | 5
  /**
   * "expression_of_emotion_opinion": show a feeling or a view.
   */
  | 'INTENT_EXPRESSION_OF_EMOTION_OPINION'
  | 6

/**
 * Why a person shares an image: the six intents of the DribeR taxonomy.
 */
export type Intent__Output = typeof Intent[keyof typeof Intent]
