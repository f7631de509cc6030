/**
 * Renders user-supplied dialogue into a prompt so that it can only ever be read as quoted data.
 *
 * Two layers keep user text from posing as instructions:
 * 1. Structure: every turn is one line that *we* start, `[turn N] "speaker": "text"`, with speaker
 *    and text JSON-escaped. A newline, a quote or a fence marker inside user text cannot end the
 *    line, start a new turn or close the fence; the fence lines are always ours.
 * 2. Look-alikes: markers a model might still be fooled by (our fence markers, section headings
 *    such as "Restrictions:", chat-template role tokens, code fences, `[turn N]` labels) are
 *    rewritten into harmless forms before escaping.
 */
import type { Dialogue } from '../types.js'

/** Opening and closing lines of the dialogue fence. Neutralisation guarantees user text never contains them. */
export const FENCE_OPEN = '<<<DIALOGUE'
export const FENCE_CLOSE = 'DIALOGUE>>>'

/** Headings our templates use; user text must not be able to imitate them (nor common role labels). */
const HEADING_WORDS = ['task', 'dialogue', 'conversation', 'question', 'restrictions?', 'rules?', 'instructions?', 'system', 'assistant', 'user', 'developer', 'speakers?', 'answer', 'output']

/** Rewrites, applied in order, after Unicode normalisation. Each turns a marker into a look-alike-free form. */
const NEUTRALISERS: ReadonlyArray<readonly [RegExp, string | ((match: string, ...groups: string[]) => string)]> = [
  // Invisible format characters (zero-width spaces, joiners, bidi overrides) can hide a marker inside a word.
  [/\p{Cf}/gu, ''],
  // Runs of angle brackets: our fence markers are built from them.
  [/<{3,}/g, '\u2039\u2039'],
  [/>{3,}/g, '\u203A\u203A'],
  // Chat-template tokens: <|im_start|>, <|eot_id|>, [INST], <<SYS>>.
  [/<\|/g, '\u2039|'],
  [/\|>/g, '|\u203A'],
  [/\[\s*(\/?)\s*INST\s*\]/gi, '($1INST)'],
  [/<<\s*(\/?)\s*SYS\s*>>/gi, '($1SYS)'],
  // Code fences and markdown headings.
  [/`{3,}/g, "'''"],
  [/~{3,}/g, '~~'],
  [/(^|\n)[ \t]*#{1,6}[ \t]*/g, '$1'],
  // Our turn labels.
  [/\[\s*turn\s*(\d*)\s*\]/gi, '(turn $1)'],
  // "Restrictions:", "System:", "Question -" and the like become plain words.
  [new RegExp(`\\b(${HEADING_WORDS.join('|')})\\s*[:\uFF1A]`, 'gi'), (_match, word: string) => `${word} -`],
]

const NON_ASCII = /[^\u0000-\u007F]/
/** Every neutraliser below needs at least one of these (after normalisation; format characters are non-ASCII). */
const MARKER_CHARACTER = /[<>|[`~#:]/

/**
 * Makes one piece of user text safe to place in a prompt: NFKC-normalised (so full-width and other
 * compatibility look-alikes become plain letters the rules below can see), invisible format
 * characters removed, and every marker look-alike rewritten. Deterministic, so a speaker name
 * always renders the same way.
 */
export const neutralise = (text: string): string => {
  let out = NON_ASCII.test(text) ? text.normalize('NFKC') : text
  // Most chat text holds none of the characters any marker needs; it is returned as it is.
  if (!NON_ASCII.test(out) && !MARKER_CHARACTER.test(out)) return out
  for (const [pattern, replacement] of NEUTRALISERS) {
    out = typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement as (match: string, ...groups: string[]) => string)
  }
  return out
}

/** A speaker name as prompts show it (neutralised), used both to render and to map answers back. */
export const promptName = (speaker: string): string => neutralise(speaker)

/** A string literal for the prompt: neutralised, then JSON-escaped onto one line. */
export const quote = (text: string): string => JSON.stringify(neutralise(text))

/** The fenced dialogue block: the open marker, one `[turn N] "speaker": "text"` line per turn, the close marker. */
export const renderDialogue = (dialogue: Dialogue): string => {
  const lines = new Array<string>(dialogue.length + 2)
  lines[0] = FENCE_OPEN
  for (let index = 0; index < dialogue.length; index++) {
    const turn = dialogue[index] as Dialogue[number]
    lines[index + 1] = `[turn ${index}] ${quote(turn.speaker)}: ${quote(turn.text)}`
  }
  lines[dialogue.length + 1] = FENCE_CLOSE
  return lines.join('\n')
}

/** The speakers, quoted as the dialogue shows them, comma-separated, in order of first appearance. */
export const renderSpeakers = (speakers: readonly string[]): string => speakers.map((speaker) => quote(speaker)).join(', ')
