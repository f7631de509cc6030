/**
 * What each sharing intent means, in the words prompts use. One entry per intent in `INTENTS`
 * (the type makes a missing or extra entry a compile error).
 */
import type { Intent } from '../types.js'

export const INTENT_GLOSSARY: Readonly<Record<Intent, string>> = {
  information_dissemination: 'to pass on facts or news, such as what something looks like or where it is',
  social_bonding: 'to feel closer, for instance by sharing a moment, a memory or something in common',
  humor_entertainment: 'to amuse or entertain the others',
  visual_clarification: 'to make clear with a picture what words describe poorly',
  topic_transition: 'to open or steer towards a new subject',
  expression_of_emotion_opinion: 'to show a feeling, a reaction or a point of view',
}

// Rendered once: the glossary never changes, and Decide renders it on every request.
const RENDERED_GLOSSARY = Object.entries(INTENT_GLOSSARY)
  .map(([intent, meaning]) => `"${intent}" (${meaning})`)
  .join('; ')

/** `"key" (meaning); "key" (meaning); ...` for a restriction line. */
export const renderIntentGlossary = (): string => RENDERED_GLOSSARY
