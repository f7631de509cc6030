/**
 * Share: the whole chain. Decide (next mode); when the answer is no, stop there with empty
 * descriptions and results; otherwise Describe for the decided speaker and Retrieve with the
 * descriptions. Every input, including `k`, the restrictions and the index, is checked before the
 * first model call, so a bad request spends no tokens.
 */
import { validateCount, validateDialogue, validateParticipants, validateRestrictions, validateSpeaker, characterCount } from './dialogue.js'
import { decideNext } from './decide.js'
import { describe } from './describe.js'
import type { RequestContext } from './request-context.js'
import { DEFAULT_K, resolveIndex, searchIndex } from './retrieve.js'
import { observeStage, validateName, type StageDependencies } from './stage-support.js'
import type { ShareInput, ShareResult, Usage } from './types.js'

/** Fits model-written descriptions to the retrieval limits (the client did not write them, so they are trimmed, not refused). */
const fitDescriptions = (texts: string[], limits: StageDependencies['limits']): string[] =>
  texts.slice(0, limits.maxDescriptions).map((text) => {
    if (characterCount(text, limits.maxDescriptionChars) <= limits.maxDescriptionChars) return text
    return [...text].slice(0, limits.maxDescriptionChars).join('')
  })

/** Tokens of several stages together: what the whole request cost. */
const sumUsage = (usages: Usage[]): Usage =>
  usages.reduce(
    (total, usage) => ({
      input_tokens: total.input_tokens + usage.input_tokens,
      output_tokens: total.output_tokens + usage.output_tokens,
      total_tokens: total.total_tokens + usage.total_tokens,
    }),
    { input_tokens: 0, output_tokens: 0, total_tokens: 0 },
  )

/**
 * Decide, then (when the answer is yes) Describe and Retrieve. The answer carries the Describe
 * stage's model, attempts and usage beside the decision's, and the request's total usage, because
 * callers bill and debug by them.
 */
export const share = (dependencies: StageDependencies, input: ShareInput, context: RequestContext): Promise<ShareResult> =>
  observeStage(
    dependencies.observer,
    'share',
    async () => {
      const { limits } = dependencies
      validateDialogue(input.dialogue, limits)
      const participants = validateParticipants(input.participants, limits)
      const speaker = validateSpeaker(input.speaker, { dialogue: input.dialogue, participants, limits })
      const restrictions = validateRestrictions(input.restrictions)
      const n = validateCount(input.n, 'n', limits.maxN, 1)
      const k = validateCount(input.k, 'k', limits.maxK, DEFAULT_K)
      const model = validateName(input.model, 'model')
      const index = resolveIndex(dependencies, validateName(input.index, 'index'))

      const decision = await decideNext(
        dependencies,
        {
          dialogue: input.dialogue,
          ...(speaker === undefined ? {} : { speaker }),
          ...(model === undefined ? {} : { model }),
          ...(input.cascade === false ? { cascade: false } : {}),
          ...(participants === undefined ? {} : { participants }),
          ...(model === undefined ? {} : { model }),
        },
        context,
      )
      if (!decision.share) return { decision, descriptions: [], results: [], usage: sumUsage([decision.usage]), describe: null }

      // Where configured, the model that was sure enough to decide also describes.
      const escalated = decision.attempts.some((attempt) => attempt.outcome === 'escalated')
      const prefer = escalated && dependencies.runner.describeFollowsDecide ? decision.model : undefined
      const described = await describe(
        dependencies,
        { dialogue: input.dialogue, speaker: decision.speaker, restrictions, n, ...(model === undefined ? {} : { model }) },
        context,
        prefer,
      )
      const descriptions = described.descriptions
      const found = await searchIndex(index, fitDescriptions(descriptions.map((description) => description.text), limits), k, context)
      return {
        decision,
        descriptions,
        results: found.results,
        usage: sumUsage([decision.usage, described.usage]),
        describe: { model: described.model, attempts: described.attempts, usage: described.usage },
      }
    },
    (result) => result.decision.model,
  )
