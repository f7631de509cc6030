/**
 * The embedded chat model: answers Decide, rank and Describe from the structured stage input
 * (`request.task`), never from the prompt text, and returns the same JSON text a remote model
 * would, so the core parses and validates it on the one path every model takes.
 *
 * Usage is counted in words (whitespace-separated), not tokens: there is no tokenizer here.
 */
import type { Dialogue } from '../../core/types.js'
import { DriberError } from '../../errors.js'
import type { ChatModel, ChatRequest, ChatResponse, StageTask } from '../provider.js'
import { intentsFrom, rationaleFrom, triggerTurn, type Prediction } from './decide-model.js'
import { describe } from './describer.js'
import type { EmbeddedRuntime } from './embedded-runtime.js'

const countWords = (text: string): number => text.split(/\s+/).filter((word) => word.length > 0).length

const speakersOf = (dialogue: Dialogue): string[] => [...new Set(dialogue.map((turn) => turn.speaker))]

const round = (value: number): number => Math.round(value * 10_000) / 10_000

/** The `topic_shift` feature's value (looked up by name so the feature layout stays in one place). */
const topicShiftOf = (runtime: EmbeddedRuntime, values: Float64Array): number => {
  const index = runtime.decide.weights.features.indexOf('topic_shift')
  return index < 0 ? 0 : (values[index] as number)
}

/**
 * The `driber_decide` answer: the given speaker, or the one most likely to share next among those the
 * core allows (participants who have not spoken included; the features work from the dialogue, so a
 * silent participant is scored like any speaker who did not write the last message).
 */
export const answerDecide = (runtime: EmbeddedRuntime, task: Extract<StageTask, { stage: 'decide' }>): Record<string, unknown> => {
  const candidates = task.speaker !== undefined ? [task.speaker] : [...(task.speakers ?? speakersOf(task.dialogue))]
  if (candidates.length === 0) candidates.push('user')
  let best: { speaker: string; prediction: Prediction } | undefined
  for (const speaker of candidates) {
    const prediction = runtime.decide.predict(task.dialogue, speaker)
    if (best === undefined || prediction.probability > best.prediction.probability) best = { speaker, prediction }
  }
  const { speaker, prediction } = best as NonNullable<typeof best>
  const topicShift = topicShiftOf(runtime, prediction.values)
  return {
    share: prediction.share,
    speaker,
    // The prompt contract: confidence is how sure the answer is, so a "no" reports 1 - P(share).
    confidence: round(prediction.share ? prediction.probability : 1 - prediction.probability),
    intents: prediction.share ? intentsFrom(prediction.cues, topicShift) : [],
    trigger_turn: prediction.share ? triggerTurn(prediction.cues, runtime.decide.weights) : null,
    rationale: rationaleFrom(prediction, runtime.decide.weights.features),
  }
}

/** The `driber_rank` answer: every turn, scored as P(an image follows it) for its likeliest sharer. */
export const answerRank = (runtime: EmbeddedRuntime, task: Extract<StageTask, { stage: 'rank' }>): Record<string, unknown> => {
  const speakers = speakersOf(task.dialogue)
  const candidates = task.dialogue.map((_, turn) => {
    const prefix = task.dialogue.slice(0, turn + 1)
    let probability = 0
    let chosen = speakers[0] ?? 'user'
    for (const speaker of speakers) {
      const candidate = runtime.decide.predict(prefix, speaker).probability
      if (candidate > probability) {
        probability = candidate
        chosen = speaker
      }
    }
    return { turn, confidence: round(probability), rationale: `Estimated ${Math.round(probability * 100)}% chance that ${chosen} shares an image after this turn.` }
  })
  return { candidates }
}

/** The `driber_describe` answer: exactly `n` distinct extractive descriptions. */
export const answerDescribe = (runtime: EmbeddedRuntime, task: Extract<StageTask, { stage: 'describe' }>): Record<string, unknown> => ({
  descriptions: describe(task.dialogue, {
    restrictions: task.restrictions,
    n: task.n,
    ...(task.speaker === undefined ? {} : { speaker: task.speaker }),
    // Words GloVe has never seen are typos or slang: not things to put in a picture.
    isKnownWord: (word) => runtime.vocabulary.rank(word) !== undefined,
  }),
})

/** The embedded tier's `ChatModel` (one per registry entry; they share the process's runtime). */
export class EmbeddedChatModel implements ChatModel {
  readonly provider = 'embedded'

  constructor(
    readonly id: string,
    private readonly runtime: () => EmbeddedRuntime,
  ) {}

  async chat(request: ChatRequest): Promise<ChatResponse> {
    // Yield once so a burst of requests interleaves instead of monopolising the event loop.
    await new Promise((resolve) => setImmediate(resolve))
    if (request.signal.aborted) throw new DriberError('CANCELLED')
    const task = request.task
    let answer: Record<string, unknown>
    try {
      const runtime = this.runtime()
      answer = task.stage === 'decide' ? answerDecide(runtime, task) : task.stage === 'rank' ? answerRank(runtime, task) : answerDescribe(runtime, task)
    } catch (error) {
      throw error instanceof DriberError ? error : new DriberError('UPSTREAM_UNAVAILABLE', { message: `The embedded model "${this.id}" failed`, cause: error })
    }
    const content = JSON.stringify(answer)
    const input = task.dialogue.reduce((sum, turn) => sum + countWords(turn.text), 0)
    const output = countWords(content)
    return { content, finishReason: 'stop', refusal: null, usage: { input_tokens: input, output_tokens: output, total_tokens: input + output } }
  }
}
