/**
 * A scripted core for evaluation and augmentation tests: decides "share" when the last turn
 * mentions a photo, ranks turns by that cue, describes with the last noun-ish word, and retrieves
 * a fixed gallery. Dialogues whose first turn says "broken" fail to parse (DRIBER_PARSE_FAILURE).
 */
import { DriberError } from '../../src/errors.js'
import type { EvaluationCore } from '../../src/evaluation/evaluate-model.js'

const usage = { input_tokens: 3, output_tokens: 2, total_tokens: 5 }
const answer = { model: 'fake-model', attempts: [{ model: 'fake-model', outcome: 'ok' as const, duration_ms: 1 }], usage }
const cue = (text: string): boolean => /photo|picture|look/i.test(text)

export const createFakeCore = (gallery: Array<{ id: string; url: string; caption: string }>, calls: string[] = []): EvaluationCore => ({
  async decide(input) {
    calls.push('decide')
    if (/broken/.test(input.dialogue[0]?.text ?? '')) throw new DriberError('PARSE_FAILURE')
    const last = input.dialogue[input.dialogue.length - 1]
    const share = last !== undefined && cue(last.text)
    return { ...answer, share, speaker: input.speaker ?? last?.speaker ?? 'A', confidence: 0.9, intents: share ? ['information_dissemination'] : [], trigger: null, rationale: 'scripted' }
  },
  async rank(input) {
    calls.push('rank')
    if (/broken/.test(input.dialogue[0]?.text ?? '')) throw new DriberError('PARSE_FAILURE')
    const candidates = input.dialogue
      .map((turn, index) => ({ turn: index, utterance: turn.text, speaker: turn.speaker, confidence: cue(turn.text) ? 0.9 : 0.1 / (index + 1), rationale: 'scripted' }))
      .sort((left, right) => right.confidence - left.confidence)
    return { ...answer, candidates }
  },
  async describe(input) {
    calls.push('describe')
    const words = input.dialogue.flatMap((turn) => turn.text.toLowerCase().match(/[a-z]+/g) ?? [])
    return { ...answer, descriptions: [{ text: `An image of ${words.slice(-2).join(' ')}`, salient: words.slice(-2) }] }
  },
  async retrieve(input) {
    calls.push('retrieve')
    const query = input.descriptions.join(' ').toLowerCase()
    const scored = gallery.map((image) => ({ ...image, score: image.caption.toLowerCase().split(/\W+/).filter((word) => word.length > 0 && query.includes(word)).length }))
    return { index: 'fake', results: scored.sort((left, right) => right.score - left.score).slice(0, input.k ?? 10) }
  },
})
