import t from 'tap'
import { LEXICAL_SLOTS, messageTerms, runStart, visitLexicalTerms } from '../../../src/providers/embedded/lexical-features.js'

const termsBySlot = (dialogue: Array<{ speaker: string; text: string }>, speaker: string): Record<string, string[]> => {
  const found: Record<string, string[]> = {}
  visitLexicalTerms(dialogue, speaker, (slot, term) => {
    const name = LEXICAL_SLOTS[slot] as string
    ;(found[name] ??= []).push(term)
  })
  return found
}

t.test('a message gives its words, "?" and "!", and adjacent pairs', async (t) => {
  t.same(messageTerms("Can I see him? He's cute!"), ['can', 'i', 'see', 'him', '?', "he's", 'cute', '!', 'can i', 'i see', 'see him', 'him ?', "? he's", "he's cute", 'cute !'])
  t.same(messageTerms(''), [])
  t.equal(messageTerms('Same text'), messageTerms('Same text'), 'cached: the same array')
})

t.test('terms of the last two turns, by whose turn they are', async (t) => {
  const dialogue = [
    { speaker: 'Ana', text: 'hi' },
    { speaker: 'Ana', text: 'I adopted a puppy' },
    { speaker: 'Ben', text: 'no way' },
    { speaker: 'Ben', text: 'can I see?' },
  ]
  t.equal(runStart(dialogue, 3), 2, "Ben's run starts at his first consecutive message")
  t.equal(runStart(dialogue, 1), 0)
  // Asked for Ana: Ben's run (both messages) is the other person's last turn, Ana's run her previous turn.
  const forAna = termsBySlot(dialogue, 'Ana')
  t.same(Object.keys(forAna).sort(), ['last_turn_by_other', 'previous_turn_by_speaker'])
  t.ok(forAna.last_turn_by_other?.includes('see') && forAna.last_turn_by_other.includes('no way'))
  t.ok(forAna.previous_turn_by_speaker?.includes('puppy') && forAna.previous_turn_by_speaker.includes('hi'))
  // Asked for Ben, the same words sit in the other slots: "can I see" is his own.
  const forBen = termsBySlot(dialogue, 'Ben')
  t.same(Object.keys(forBen).sort(), ['last_turn_by_speaker', 'previous_turn_by_other'])
  t.same(termsBySlot([], 'Ana'), {}, 'an empty dialogue has no terms')
  // A speaker who has not spoken: every turn is the other person's.
  t.same(Object.keys(termsBySlot(dialogue, 'Cleo')).sort(), ['last_turn_by_other', 'previous_turn_by_other'])
})
