/**
 * Input checks for dialogues and the values that travel with them. Every stage runs these before
 * any model is called, so a bad request costs nothing upstream and always gets the same typed error,
 * whichever transport carried it.
 */
import type { ConfigData } from '../config.js'
import { DriberError } from '../errors.js'
import { RESTRICTIONS, type Dialogue, type Restriction } from './types.js'

export type Limits = ConfigData['limits']

/** C0 and C1 control characters except tab and newline (allowed in turn text only). */
const TEXT_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/
/** Speaker names are one line: no control characters at all. */
const NAME_CONTROL = /[\u0000-\u001F\u007F-\u009F]/
/** With the `u` flag a surrogate pair is one code point, so this matches only unpaired (lone) surrogates. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u

const invalid = (field: string, reason: string, message: string, extra: Record<string, unknown> = {}): DriberError =>
  new DriberError('INVALID_ARGUMENT', { message, details: { field, reason, ...extra } })

const tooLong = (field: string, reason: string, limit: number, message: string): DriberError =>
  new DriberError('DIALOGUE_TOO_LONG', { message, details: { field, reason, limit } })

/** Length in Unicode code points; `.length` (UTF-16 units) is an upper bound, so most texts skip the count. */
export const characterCount = (text: string, limit: number): number => {
  if (text.length <= limit) return text.length
  let count = 0
  for (const _ of text) count++
  return count
}

/**
 * Checks one free-text value: a string, well-formed UTF-16 (no lone surrogates), no control
 * characters beyond those allowed, at most `limit` characters. Returns its length in characters.
 */
const checkText = (
  value: unknown,
  field: string,
  limit: number,
  options: { allowEmpty: boolean; control: RegExp; tooLongKind: 'DIALOGUE_TOO_LONG' | 'INVALID_ARGUMENT' },
): number => {
  if (typeof value !== 'string') throw invalid(field, 'not_a_string', `${field} must be a string`)
  if (!options.allowEmpty && value.trim() === '') throw invalid(field, 'empty', `${field} must not be empty`)
  if (LONE_SURROGATE.test(value)) throw invalid(field, 'lone_surrogate', `${field} is not valid Unicode (lone surrogate)`)
  if (options.control.test(value)) throw invalid(field, 'control_character', `${field} contains a control character`)
  const count = characterCount(value, limit)
  if (count > limit) {
    const message = `${field} is longer than ${limit} characters`
    throw options.tooLongKind === 'DIALOGUE_TOO_LONG'
      ? tooLong(field, 'too_long', limit, message)
      : new DriberError('INVALID_ARGUMENT', { message, details: { field, reason: 'too_long', limit } })
  }
  return count
}

/**
 * Enforces the configured limits on a dialogue: non-empty, at most `maxTurns` turns, each text at
 * most `maxTurnChars`, all texts together at most `maxTotalChars`, speakers non-empty and at most
 * `maxSpeakerChars`, no control characters but `\n` and `\t` in text (none in names), no lone
 * surrogates. Throws `INVALID_ARGUMENT` or `DIALOGUE_TOO_LONG` with `details: {field, reason, limit?}`.
 */
export function validateDialogue(dialogue: unknown, limits: Limits): asserts dialogue is Dialogue {
  if (!Array.isArray(dialogue)) throw invalid('dialogue', 'not_an_array', 'dialogue must be an array of turns')
  if (dialogue.length === 0) throw invalid('dialogue', 'empty', 'dialogue must contain at least one turn')
  if (dialogue.length > limits.maxTurns) {
    throw tooLong('dialogue', 'too_many_turns', limits.maxTurns, `dialogue has more than ${limits.maxTurns} turns`)
  }
  let total = 0
  for (let index = 0; index < dialogue.length; index++) {
    const turn: unknown = dialogue[index]
    const field = `dialogue[${index}]`
    if (typeof turn !== 'object' || turn === null || Array.isArray(turn)) {
      throw invalid(field, 'not_an_object', `${field} must be an object with speaker and text`)
    }
    const { speaker, text } = turn as Record<string, unknown>
    checkText(speaker, `${field}.speaker`, limits.maxSpeakerChars, {
      allowEmpty: false,
      control: NAME_CONTROL,
      tooLongKind: 'DIALOGUE_TOO_LONG',
    })
    total += checkText(text, `${field}.text`, limits.maxTurnChars, {
      allowEmpty: true,
      control: TEXT_CONTROL,
      tooLongKind: 'DIALOGUE_TOO_LONG',
    })
    if (total > limits.maxTotalChars) {
      throw tooLong('dialogue', 'total_too_long', limits.maxTotalChars, `dialogue is longer than ${limits.maxTotalChars} characters in total`)
    }
  }
}

/** The distinct speakers of a dialogue, in order of first appearance. */
export const dialogueSpeakers = (dialogue: Dialogue): string[] => [...new Set(dialogue.map((turn) => turn.speaker))]

/** A speaker name outside the dialogue (`speaker`, `participants[i]`): one line, like the dialogue's names. */
const checkName = (value: unknown, field: string, limits: Limits): string => {
  checkText(value, field, limits.maxSpeakerChars, { allowEmpty: false, control: NAME_CONTROL, tooLongKind: 'INVALID_ARGUMENT' })
  return value as string
}

/**
 * The optional `participants`: the chat's members, including those who have not written yet.
 * 1..`maxParticipants` valid names; duplicates are dropped (first one kept), so the order the
 * caller gave is the order prompts show. Returns undefined when absent.
 */
export const validateParticipants = (value: unknown, limits: Limits, field = 'participants'): string[] | undefined => {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value)) throw invalid(field, 'not_an_array', `${field} must be an array of names`)
  if (value.length === 0) throw invalid(field, 'empty', `${field} must name at least one person (omit it otherwise)`)
  if (value.length > limits.maxParticipants) {
    throw invalid(field, 'too_many', `${field} may hold at most ${limits.maxParticipants} names`, { limit: limits.maxParticipants })
  }
  return [...new Set(value.map((name: unknown, index: number) => checkName(name, `${field}[${index}]`, limits)))]
}

/**
 * Everyone a Decide answer may name: the dialogue's speakers in order of first appearance, then the
 * declared participants who have not spoken, then the requested speaker when they are neither (a
 * newcomer the caller named without declaring participants). The prompts list exactly these names,
 * and model answers are resolved against them.
 */
export const allowedSpeakers = (dialogue: Dialogue, participants: readonly string[] = [], speaker?: string): string[] => {
  const names = new Set(dialogueSpeakers(dialogue))
  for (const participant of participants) names.add(participant)
  if (speaker !== undefined) names.add(speaker)
  return [...names]
}

/**
 * The requested speaker: a valid name, who may not have spoken yet (in a two-person chat the first
 * question is often whether the one who has not written should open with a photo). When the
 * request declares `participants`, the speaker must be one of them or of the dialogue's speakers;
 * otherwise any valid name is accepted. Returns undefined when none was given.
 */
export const validateSpeaker = (
  speaker: unknown,
  scope: { dialogue: Dialogue; participants: readonly string[] | undefined; limits: Limits },
  field = 'speaker',
): string | undefined => {
  if (speaker === undefined || speaker === null) return undefined
  if (typeof speaker !== 'string') throw invalid(field, 'not_a_string', `${field} must be a string`)
  checkName(speaker, field, scope.limits)
  if (scope.participants !== undefined) {
    const speakers = allowedSpeakers(scope.dialogue, scope.participants)
    if (!speakers.includes(speaker)) {
      throw invalid(field, 'unknown_speaker', `${field} must be one of the dialogue's speakers or participants`, { speakers })
    }
  }
  return speaker
}

/** Resolves the optional integer `n` (descriptions wanted): default 1, between 1 and `maxN`. */
export const validateCount = (value: unknown, field: string, limit: number, fallback: number): number => {
  if (value === undefined || value === null) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(field, 'not_an_integer', `${field} must be an integer`)
  if (value < 1) throw invalid(field, 'too_small', `${field} must be at least 1`, { limit: 1 })
  if (value > limit) throw invalid(field, 'too_large', `${field} must be at most ${limit}`, { limit })
  return value
}

/**
 * Checks description restrictions: known names only, and `generic`/`specific`, `concise`/`detailed`
 * exclude each other. Returns them de-duplicated in canonical order.
 */
export const validateRestrictions = (value: unknown, field = 'restrictions'): Restriction[] => {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw invalid(field, 'not_an_array', `${field} must be an array`)
  const chosen = new Set<Restriction>()
  value.forEach((item: unknown, index: number) => {
    if (typeof item !== 'string' || !(RESTRICTIONS as readonly string[]).includes(item)) {
      throw invalid(`${field}[${index}]`, 'unknown_restriction', `${field}[${index}] must be one of ${RESTRICTIONS.join(', ')}`, {
        allowed: [...RESTRICTIONS],
      })
    }
    chosen.add(item as Restriction)
  })
  for (const [first, second] of [['generic', 'specific'], ['concise', 'detailed']] as const) {
    if (chosen.has(first) && chosen.has(second)) {
      throw invalid(field, 'conflicting_restrictions', `${field} may not contain both ${first} and ${second}`, {
        conflict: [first, second],
      })
    }
  }
  return RESTRICTIONS.filter((restriction) => chosen.has(restriction))
}

/** Checks the descriptions given to Retrieve: 1..maxDescriptions non-empty strings of at most maxDescriptionChars. */
export const validateDescriptions = (value: unknown, limits: Limits, field = 'descriptions'): string[] => {
  if (!Array.isArray(value)) throw invalid(field, 'not_an_array', `${field} must be an array of strings`)
  if (value.length === 0) throw invalid(field, 'empty', `${field} must contain at least one description`)
  if (value.length > limits.maxDescriptions) {
    throw invalid(field, 'too_many', `${field} may hold at most ${limits.maxDescriptions} descriptions`, { limit: limits.maxDescriptions })
  }
  value.forEach((item: unknown, index: number) =>
    checkText(item, `${field}[${index}]`, limits.maxDescriptionChars, {
      allowEmpty: false,
      control: TEXT_CONTROL,
      tooLongKind: 'INVALID_ARGUMENT',
    }),
  )
  return value as string[]
}
