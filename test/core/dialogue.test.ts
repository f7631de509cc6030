import t from 'tap'
import { testConfig } from '../../src/config.js'
import {
  allowedSpeakers,
  validateCount,
  validateDescriptions,
  validateDialogue,
  validateParticipants,
  validateRestrictions,
  validateSpeaker,
} from '../../src/core/dialogue.js'
import { DriberError } from '../../src/errors.js'

const limits = testConfig({ limits: { maxTurns: 3, maxTurnChars: 10, maxTotalChars: 20, maxSpeakerChars: 5, maxParticipants: 3 } }).limits

/** The DriberError `action` throws; anything else (or nothing) fails the test. */
const caught = (action: () => unknown): DriberError => {
  try {
    action()
  } catch (error) {
    if (error instanceof DriberError) return error
    throw error
  }
  throw new Error('expected a DriberError')
}

t.test('a dialogue within every limit passes', async (t) => {
  t.doesNotThrow(() => validateDialogue([{ speaker: 'Ann', text: 'hi\tthere\n' }, { speaker: 'Bo', text: '' }], limits))
  // Ten code points, though more UTF-16 units: limits count characters, not units.
  t.doesNotThrow(() => validateDialogue([{ speaker: 'Ann', text: '😀😀😀😀😀😀😀😀😀😀' }], limits))
})

t.test('shape errors are INVALID_ARGUMENT with a field path', async (t) => {
  const cases: Array<[unknown, string, string]> = [
    ['not a list', 'dialogue', 'not_an_array'],
    [[], 'dialogue', 'empty'],
    [[null], 'dialogue[0]', 'not_an_object'],
    [[{ speaker: 'A', text: 1 }], 'dialogue[0].text', 'not_a_string'],
    [[{ speaker: 'A', text: 'ok' }, { speaker: '  ', text: 'x' }], 'dialogue[1].speaker', 'empty'],
    [[{ speaker: 'A', text: 'bell\u0007' }], 'dialogue[0].text', 'control_character'],
    [[{ speaker: 'A', text: 'cr\r' }], 'dialogue[0].text', 'control_character'],
    [[{ speaker: 'A\nB', text: 'x' }], 'dialogue[0].speaker', 'control_character'],
    [[{ speaker: 'A', text: 'half \uD83D pair' }], 'dialogue[0].text', 'lone_surrogate'],
  ]
  for (const [dialogue, field, reason] of cases) {
    const error = caught(() => validateDialogue(dialogue, limits))
    t.equal(error.kind, 'INVALID_ARGUMENT', `${field} ${reason}`)
    t.same(error.details, { field, reason })
  }
})

t.test('limits give DIALOGUE_TOO_LONG with the limit', async (t) => {
  const turn = { speaker: 'A', text: 'x' }
  let error = caught(() => validateDialogue([turn, turn, turn, turn], limits))
  t.same([error.kind, error.details], ['DIALOGUE_TOO_LONG', { field: 'dialogue', reason: 'too_many_turns', limit: 3 }])
  error = caught(() => validateDialogue([turn, { speaker: 'B', text: '12345678901' }], limits))
  t.same([error.kind, error.details], ['DIALOGUE_TOO_LONG', { field: 'dialogue[1].text', reason: 'too_long', limit: 10 }])
  error = caught(() => validateDialogue([{ speaker: 'Sixchr', text: 'x' }], limits))
  t.same(error.details, { field: 'dialogue[0].speaker', reason: 'too_long', limit: 5 })
  const ten = { speaker: 'A', text: '1234567890' }
  error = caught(() => validateDialogue([ten, ten, turn], limits))
  t.same([error.kind, error.details], ['DIALOGUE_TOO_LONG', { field: 'dialogue', reason: 'total_too_long', limit: 20 }])
})

t.test('without participants, any valid name may be the speaker, including someone who has not spoken', async (t) => {
  const dialogue = [{ speaker: 'Ann', text: 'hi' }, { speaker: 'Bo', text: 'yo' }]
  const scope = { dialogue, participants: undefined, limits }
  t.equal(validateSpeaker('Bo', scope), 'Bo')
  t.equal(validateSpeaker('Cy', scope), 'Cy', 'a newcomer is accepted')
  t.equal(validateSpeaker(undefined, scope), undefined)
  const cases: Array<[unknown, string, string]> = [
    [42, 'speaker', 'not_a_string'],
    ['  ', 'speaker', 'empty'],
    ['A\tB', 'speaker', 'control_character'],
    ['\uD83D', 'speaker', 'lone_surrogate'],
  ]
  for (const [speaker, field, reason] of cases) {
    const error = caught(() => validateSpeaker(speaker, scope))
    t.same([error.kind, error.details], ['INVALID_ARGUMENT', { field, reason }], reason)
  }
  const long = caught(() => validateSpeaker('Sixchr', scope))
  t.same([long.kind, long.details], ['INVALID_ARGUMENT', { field: 'speaker', reason: 'too_long', limit: 5 }], 'the speaker-name limit holds')
})

t.test('with participants, the speaker must be a dialogue speaker or a participant', async (t) => {
  const dialogue = [{ speaker: 'Ann', text: 'hi' }, { speaker: 'Bo', text: 'yo' }]
  const scope = { dialogue, participants: ['Cy', 'Ann'], limits }
  t.equal(validateSpeaker('Cy', scope), 'Cy', 'a participant who has not spoken')
  t.equal(validateSpeaker('Bo', scope), 'Bo', 'a dialogue speaker not listed as participant')
  const error = caught(() => validateSpeaker('Dee', scope))
  t.equal(error.kind, 'INVALID_ARGUMENT')
  t.same(error.details, { field: 'speaker', reason: 'unknown_speaker', speakers: ['Ann', 'Bo', 'Cy'] }, 'names everyone allowed')
  t.equal(caught(() => validateSpeaker('cy', scope)).details?.reason, 'unknown_speaker', 'names are exact')
})

t.test('participants: valid names, de-duplicated in order, bounded', async (t) => {
  t.equal(validateParticipants(undefined, limits), undefined)
  t.same(validateParticipants(['Cy', 'Ann', 'Cy'], limits), ['Cy', 'Ann'])
  t.same(caught(() => validateParticipants('Cy', limits)).details, { field: 'participants', reason: 'not_an_array' })
  t.same(caught(() => validateParticipants([], limits)).details, { field: 'participants', reason: 'empty' })
  t.same(caught(() => validateParticipants(['A', 'B', 'C', 'D'], limits)).details, { field: 'participants', reason: 'too_many', limit: 3 })
  t.same(caught(() => validateParticipants(['A', ''], limits)).details, { field: 'participants[1]', reason: 'empty' })
  t.same(caught(() => validateParticipants(['A', 7], limits)).details, { field: 'participants[1]', reason: 'not_a_string' })
  t.same(caught(() => validateParticipants(['A\nB'], limits)).details, { field: 'participants[0]', reason: 'control_character' })
  t.same(caught(() => validateParticipants(['Sixchr'], limits)).details, { field: 'participants[0]', reason: 'too_long', limit: 5 })
})

t.test('allowed speakers: dialogue speakers first, then silent participants, then a newcomer speaker', async (t) => {
  const dialogue = [{ speaker: 'Bo', text: 'hi' }, { speaker: 'Ann', text: 'yo' }, { speaker: 'Bo', text: '!' }]
  t.same(allowedSpeakers(dialogue), ['Bo', 'Ann'])
  t.same(allowedSpeakers(dialogue, ['Ann', 'Cy']), ['Bo', 'Ann', 'Cy'])
  t.same(allowedSpeakers(dialogue, ['Cy'], 'Dee'), ['Bo', 'Ann', 'Cy', 'Dee'])
  t.same(allowedSpeakers(dialogue, [], 'Ann'), ['Bo', 'Ann'])
})

t.test('restrictions: known, de-duplicated, exclusive pairs rejected', async (t) => {
  t.same(validateRestrictions(['concise', 'prefix', 'prefix']), ['prefix', 'concise'])
  t.same(validateRestrictions(undefined), [])
  t.match(caught(() => validateRestrictions(['generic', 'specific'])).details, { reason: 'conflicting_restrictions' })
  t.match(caught(() => validateRestrictions(['concise', 'detailed'])).details, { reason: 'conflicting_restrictions' })
  t.match(caught(() => validateRestrictions(['shiny'])).details, { field: 'restrictions[0]', reason: 'unknown_restriction' })
})

t.test('counts and descriptions', async (t) => {
  t.equal(validateCount(undefined, 'n', 5, 1), 1)
  t.equal(validateCount(5, 'n', 5, 1), 5)
  t.match(caught(() => validateCount(6, 'n', 5, 1)).details, { field: 'n', reason: 'too_large', limit: 5 })
  t.match(caught(() => validateCount(0, 'k', 5, 1)).details, { field: 'k', reason: 'too_small' })
  t.match(caught(() => validateCount(1.5, 'k', 5, 1)).details, { reason: 'not_an_integer' })
  const descriptionLimits = testConfig({ limits: { maxDescriptions: 2, maxDescriptionChars: 5 } }).limits
  t.same(validateDescriptions(['a dog'], descriptionLimits), ['a dog'])
  t.match(caught(() => validateDescriptions([], descriptionLimits)).details, { reason: 'empty' })
  t.match(caught(() => validateDescriptions(['a', 'b', 'c'], descriptionLimits)).details, { reason: 'too_many', limit: 2 })
  t.match(caught(() => validateDescriptions(['toolong'], descriptionLimits)).details, { field: 'descriptions[0]', reason: 'too_long' })
  t.match(caught(() => validateDescriptions([' '], descriptionLimits)).details, { reason: 'empty' })
})
