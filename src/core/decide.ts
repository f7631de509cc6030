/**
 * Decide: whether the next turn should share an image (next mode), and after which turns an image
 * would fit (rank mode). Inputs are checked before any model is called; the model's answer is
 * checked against the dialogue (real turns, real speakers) and completed from it.
 */
import { allowedSpeakers, validateDialogue, validateParticipants, validateSpeaker } from './dialogue.js'
import { decideContractFor, rankContractFor, type DecideOutput, type RankOutput } from './output-schemas.js'
import type { SemanticCheck } from './output-parser.js'
import { renderDecideNextPrompt } from './prompts/decide-next-prompt.js'
import { renderDecideRankPrompt } from './prompts/decide-rank-prompt.js'
import { quote } from './prompts/render-dialogue.js'
import type { RequestContext } from './request-context.js'
import { resolveSpeaker } from './resolve-speaker.js'
import { observeStage, validateName, type StageDependencies } from './stage-support.js'
import type { DecideInput, DecideNextResult, DecideRankResult, Dialogue, Intent, RankCandidate, Trigger } from './types.js'

type DecideValue = Omit<DecideNextResult, 'model' | 'attempts' | 'usage'>

const turnProblem = (field: string, turn: number, dialogue: Dialogue): string =>
  `"${field}" is ${turn}, but the turns are numbered 0 to ${dialogue.length - 1}`

/** The checks that give a `driber_decide` answer meaning; exported for tests. */
export const interpretDecide =
  (dialogue: Dialogue, speakers: readonly string[], requested: string | undefined): SemanticCheck<DecideOutput, DecideValue> =>
  (raw) => {
    const speaker = resolveSpeaker(raw.speaker, speakers)
    if (speaker === undefined) return { ok: false, problem: `"speaker" must be one of the Speakers list, copied exactly` }
    if (requested !== undefined && speaker !== requested) return { ok: false, problem: `"speaker" must be ${quote(requested)}` }
    let trigger: Trigger | null = null
    if (raw.trigger_turn !== null) {
      const turn = dialogue[raw.trigger_turn]
      if (raw.trigger_turn < 0 || turn === undefined) return { ok: false, problem: turnProblem('trigger_turn', raw.trigger_turn, dialogue) }
      trigger = { turn: raw.trigger_turn, text: turn.text }
    }
    const intents = [...new Set<Intent>(raw.intents)]
    return { ok: true, value: { share: raw.share, speaker, confidence: raw.confidence, intents, trigger, rationale: raw.rationale.trim() } }
  }

/** The checks that give a `driber_rank` answer meaning; candidates come back best first. */
export const interpretRank =
  (dialogue: Dialogue): SemanticCheck<RankOutput, RankCandidate[]> =>
  (raw) => {
    const seen = new Set<number>()
    const candidates: RankCandidate[] = []
    for (const candidate of raw.candidates) {
      const turn = dialogue[candidate.turn]
      if (candidate.turn < 0 || turn === undefined) return { ok: false, problem: turnProblem('turn', candidate.turn, dialogue) }
      if (seen.has(candidate.turn)) return { ok: false, problem: `turn ${candidate.turn} is listed more than once` }
      seen.add(candidate.turn)
      candidates.push({
        turn: candidate.turn,
        utterance: turn.text,
        speaker: turn.speaker,
        confidence: candidate.confidence,
        rationale: candidate.rationale.trim(),
      })
    }
    candidates.sort((first, second) => second.confidence - first.confidence || first.turn - second.turn)
    return { ok: true, value: candidates }
  }

/** Decide, next-turn mode. */
export const decideNext = (dependencies: StageDependencies, input: DecideInput, context: RequestContext): Promise<DecideNextResult> =>
  observeStage(
    dependencies.observer,
    'decide',
    async () => {
      validateDialogue(input.dialogue, dependencies.limits)
      const dialogue = input.dialogue
      const participants = validateParticipants(input.participants, dependencies.limits)
      const requested = validateSpeaker(input.speaker, { dialogue, participants, limits: dependencies.limits })
      const model = validateName(input.model, 'model')
      const speakers = allowedSpeakers(dialogue, participants, requested)
      const outcome = await dependencies.runner.run(
        {
          stage: 'decide',
          task: requested === undefined ? { stage: 'decide', dialogue, speakers } : { stage: 'decide', dialogue, speakers, speaker: requested },
          messages: renderDecideNextPrompt(requested === undefined ? { dialogue, speakers } : { dialogue, speakers, speaker: requested }),
          contract: decideContractFor(requested === undefined ? { speakers, turns: dialogue.length } : { speakers, speaker: requested, turns: dialogue.length }),
          interpret: interpretDecide(dialogue, speakers, requested),
          confidence: (value) => value.confidence,
          ...(model === undefined ? {} : { model }),
          ...(input.cascade === false ? { cascade: false } : {}),
        },
        context,
      )
      dependencies.observer.decideConfidence({ model: outcome.answer.model, share: outcome.value.share, confidence: outcome.value.confidence })
      return { ...outcome.value, ...outcome.answer }
    },
    (result) => result.model,
  )

/** Decide, ranking mode. */
export const decideRank = (dependencies: StageDependencies, input: DecideInput, context: RequestContext): Promise<DecideRankResult> =>
  observeStage(
    dependencies.observer,
    'rank',
    async () => {
      validateDialogue(input.dialogue, dependencies.limits)
      const dialogue = input.dialogue
      // Rank judges the whole dialogue; a speaker, when given, is held to the same rules as in next mode.
      const participants = validateParticipants(input.participants, dependencies.limits)
      const requested = validateSpeaker(input.speaker, { dialogue, participants, limits: dependencies.limits })
      const model = validateName(input.model, 'model')
      const outcome = await dependencies.runner.run(
        {
          stage: 'rank',
          task: { stage: 'rank', dialogue },
          messages: renderDecideRankPrompt({ dialogue, speakers: allowedSpeakers(dialogue, participants, requested) }),
          contract: rankContractFor({ turns: dialogue.length }),
          interpret: interpretRank(dialogue),
          // An empty list is a confident "nowhere": nothing to escalate.
          confidence: (candidates) => candidates[0]?.confidence,
          ...(model === undefined ? {} : { model }),
          ...(input.cascade === false ? { cascade: false } : {}),
        },
        context,
      )
      return { candidates: outcome.value, ...outcome.answer }
    },
    (result) => result.model,
  )
