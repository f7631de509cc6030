/**
 * The input checks of each operation, in the order its stage runs them, without running anything.
 * Transports whose own schema refuses a request first (HTTP's JSON schema) ask here, so the same
 * bad input gets the same message and `details.reason` from the core whichever transport carried
 * it; only what the core does not judge (unknown fields, JSON types) keeps the transport's wording.
 */
import { validateCount, validateDescriptions, validateDialogue, validateParticipants, validateRestrictions, validateSpeaker, type Limits } from './dialogue.js'
import type { Dialogue } from './types.js'
import { DEFAULT_K, validateSearchTuning } from './retrieve.js'
import { validateName } from './stage-support.js'

export const CHECKED_OPERATIONS = ['decide', 'rank', 'describe', 'retrieve', 'share'] as const
export type CheckedOperation = (typeof CHECKED_OPERATIONS)[number]

/** Throws the catalog error the operation's stage would throw for `input`, or returns when the core would accept it. */
export const checkInput = (operation: CheckedOperation, input: Record<string, unknown>, limits: Limits): void => {
  if (operation === 'retrieve') {
    validateDescriptions(input.descriptions, limits)
    validateCount(input.k, 'k', limits.maxK, DEFAULT_K)
    validateSearchTuning(input.filter, input.ef)
    validateName(input.index, 'index')
    return
  }
  validateDialogue(input.dialogue, limits)
  // Describe takes no participants: any valid speaker name is accepted there.
  const participants = operation === 'describe' ? undefined : validateParticipants(input.participants, limits)
  validateSpeaker(input.speaker, { dialogue: input.dialogue as Dialogue, participants, limits })
  if (operation === 'describe' || operation === 'share') {
    validateRestrictions(input.restrictions)
    validateCount(input.n, 'n', limits.maxN, 1)
  }
  if (operation === 'share') validateCount(input.k, 'k', limits.maxK, DEFAULT_K)
  validateName(input.model, 'model')
  if (operation === 'share') validateName(input.index, 'index')
}
