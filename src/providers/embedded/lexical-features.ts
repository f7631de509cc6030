/**
 * The Decide model's lexical features: words and word pairs of the last two turns, kept apart by
 * who said them. A turn is one speaker's run of consecutive messages, so "can I see him?" from
 * the other person and "here he is" from the asked speaker land in different slots and get their
 * own weights: the same words mean different things depending on whose turn comes next.
 *
 * Terms are counted, not standardised: the fit gives them their own L2 penalty.
 */
import type { Dialogue } from '../../core/types.js'

/** Which turn a term comes from and whether the asked speaker said it. */
export const LEXICAL_SLOTS = ['last_turn_by_speaker', 'last_turn_by_other', 'previous_turn_by_speaker', 'previous_turn_by_other'] as const
export type LexicalSlot = (typeof LEXICAL_SLOTS)[number]

const termCache = new Map<string, readonly string[]>()

/** Word tokens, keeping "?" and "!" (a question is evidence on its own) and in-word apostrophes. */
const TOKEN = /[a-z0-9]+(?:'[a-z]+)?|[?!]/g

/** The unigrams and adjacent bigrams of one message (cached by text, like the turn cues). */
export const messageTerms = (text: string): readonly string[] => {
  const cached = termCache.get(text)
  if (cached !== undefined) return cached
  const tokens = text.toLowerCase().match(TOKEN) ?? []
  const terms: string[] = [...tokens]
  for (let i = 0; i + 1 < tokens.length; i++) terms.push(`${tokens[i] as string} ${tokens[i + 1] as string}`)
  if (termCache.size >= 4096) termCache.delete(termCache.keys().next().value as string)
  termCache.set(text, terms)
  return terms
}

/** Forgets cached terms (benchmarks measure uncached calls with it). */
export const clearTermCache = (): void => {
  termCache.clear()
}

/** Start of the run of consecutive messages by one speaker that ends at `end` (inclusive). */
export const runStart = (dialogue: Dialogue, end: number): number => {
  const speaker = (dialogue[end] as { speaker: string }).speaker
  let start = end
  while (start > 0 && (dialogue[start - 1] as { speaker: string }).speaker === speaker) start--
  return start
}

/**
 * Calls `visit(slot, term)` for every term of the last two turns of `dialogue`, as seen by
 * `speaker` (who takes the next turn, or continues their own). Allocates nothing once the
 * messages' terms are cached.
 */
export const visitLexicalTerms = (dialogue: Dialogue, speaker: string, visit: (slot: number, term: string) => void): void => {
  let end = dialogue.length - 1
  for (let recency = 0; recency < 2 && end >= 0; recency++) {
    const start = runStart(dialogue, end)
    const bySpeaker = (dialogue[end] as { speaker: string }).speaker === speaker
    const slot = recency * 2 + (bySpeaker ? 0 : 1)
    for (let i = start; i <= end; i++) for (const term of messageTerms((dialogue[i] as { text: string }).text)) visit(slot, term)
    end = start - 1
  }
}
