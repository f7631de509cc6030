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
import { confidenceOfShare, decisionConfidence, intentsFrom, rationaleFrom, triggerTurn, type Prediction } from './decide-model.js'
import { describe } from './describer.js'
import type { EmbeddedRuntime } from './embedded-runtime.js'
import { turnProbabilities } from './rank-model.js'

const countWords = (text: string): number => text.split(/\s+/).filter((word) => word.length > 0).length

const speakersOf = (dialogue: Dialogue): string[] => [...new Set(dialogue.map((turn) => turn.speaker))]

const round = (value: number): number => Math.round(value * 10_000) / 10_000

/** The `topic_shift` feature's value (looked up by name so the feature layout stays in one place). */
const topicShiftOf = (runtime: Pick<EmbeddedRuntime, 'decide'>, values: Float64Array): number => {
  const index = runtime.decide.weights.features.indexOf('topic_shift')
  return index < 0 ? 0 : (values[index] as number)
}

/**
 * The `driber_decide` answer: the given speaker, or the one most likely to share next among those the
 * core allows (participants who have not spoken included; the features work from the dialogue, so a
 * silent participant is scored like any speaker who did not write the last message).
 */
export const answerDecide = (runtime: Pick<EmbeddedRuntime, 'vocabulary' | 'decide'>, task: Extract<StageTask, { stage: 'decide' }>): Record<string, unknown> => {
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
    // How sure the answer is of `share` (0.5 at the threshold, see confidenceOfShare); the
    // calibrated probability itself is in the rationale.
    confidence: round(decisionConfidence(prediction, runtime.decide.weights.threshold)),
    intents: prediction.share ? intentsFrom(prediction.cues, topicShift) : [],
    trigger_turn: prediction.share ? triggerTurn(prediction.cues, runtime.decide.weights) : null,
    rationale: rationaleFrom(prediction, runtime.decide.weights.features, task.dialogue, speaker),
  }
}

/**
 * The `driber_rank` answer: every position, scored on Decide's footing. The next-turn model gives
 * each prefix's likeliest sharer and probability; the ranking head, which also reads the messages
 * around the position, rescores it, calibrated to the probability that the next turn after the
 * position includes an image (what Decide estimates for that prefix; see rank-model.ts). The
 * confidence is that probability through Decide's `confidenceOfShare`, so a position where Decide
 * would say yes ranks at 0.5 or above and the two answers read alike.
 */
export const answerRank = (runtime: Pick<EmbeddedRuntime, 'vocabulary' | 'decide' | 'rank'>, task: Extract<StageTask, { stage: 'rank' }>): Record<string, unknown> => {
  const turns = turnProbabilities(runtime.decide, task.dialogue)
  const probabilities = turns.map((turn) => turn.probability)
  const rank = runtime.rank
  const threshold = runtime.decide.weights.threshold
  const candidates = turns.map((turn, position) => {
    // Always the head (Decide's probability after the last message instead cut R@1 from 46.5 to 11
    // on the held-out split: full PhotoChat dialogues end in goodbyes that Decide alone scores high).
    const probability = rank === undefined ? turn.probability : rank.turnProbability(task.dialogue, position, probabilities)
    return {
      turn: position,
      confidence: round(confidenceOfShare(probability, threshold)),
      rationale: `Estimated ${Math.round(probability * 100)}% chance that the next turn after this message includes an image (most likely from ${turn.speaker}).`,
    }
  })
  return { candidates }
}

/** The `driber_describe` answer: exactly `n` distinct extractive descriptions. */
export const answerDescribe = (runtime: EmbeddedRuntime, task: Extract<StageTask, { stage: 'describe' }>): Record<string, unknown> => ({
  descriptions: describe(task.dialogue, {
    restrictions: task.restrictions,
    n: task.n,
    lexicon: runtime.describe,
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
