/**
 * Maps a speaker name written by a model back to a real speaker of the dialogue. Models see names
 * neutralised and quoted (see prompts/render-dialogue.ts) and sometimes change case or spacing, so
 * several spellings are accepted, but only when they point at exactly one real speaker.
 */
import { promptName } from './prompts/render-dialogue.js'

const loose = (name: string): string => name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase()

/** The dialogue speaker the model meant, or undefined when the name matches none (or several). */
export const resolveSpeaker = (answer: string, speakers: readonly string[]): string | undefined => {
  if (speakers.includes(answer)) return answer
  const trimmed = answer.trim().replace(/^"(.*)"$/s, '$1')
  const byPromptName = speakers.filter((speaker) => speaker === trimmed || promptName(speaker) === trimmed)
  if (byPromptName.length === 1) return byPromptName[0]
  const wanted = loose(trimmed)
  const byLooseMatch = speakers.filter((speaker) => loose(speaker) === wanted || loose(promptName(speaker)) === wanted)
  return byLooseMatch.length === 1 ? byLooseMatch[0] : undefined
}
