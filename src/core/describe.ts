/**
 * Describe: the image to share next, as `n` descriptions under the requested restrictions, each
 * with salient phrases. The answer is held to the count and the prefix rule before it is accepted.
 */
import { allowedSpeakers, validateCount, validateDialogue, validateRestrictions, validateSpeaker } from './dialogue.js'
import { describeContractFor, type DescribeOutput } from './output-schemas.js'
import type { SemanticCheck } from './output-parser.js'
import { DESCRIPTION_PREFIX, renderDescribePrompt } from './prompts/describe-prompt.js'
import type { RequestContext } from './request-context.js'
import { observeStage, validateName, type StageDependencies } from './stage-support.js'
import type { DescribeInput, DescribeResult, Description, Restriction } from './types.js'

/** The checks that give a `driber_describe` answer meaning; exported for tests. */
export const interpretDescribe =
  (n: number, restrictions: readonly Restriction[]): SemanticCheck<DescribeOutput, Description[]> =>
  (raw) => {
    if (raw.descriptions.length < n) {
      return { ok: false, problem: `"descriptions" holds ${raw.descriptions.length} items but exactly ${n} are required` }
    }
    const prefix = restrictions.includes('prefix')
    const descriptions: Description[] = []
    // Extra descriptions are dropped rather than rejected: the first n answer the question.
    for (const [index, description] of raw.descriptions.slice(0, n).entries()) {
      let text = description.text.trim()
      if (text === '') return { ok: false, problem: `description ${index} has an empty "text"` }
      if (prefix) {
        if (!text.toLowerCase().startsWith(DESCRIPTION_PREFIX.toLowerCase())) {
          return { ok: false, problem: `description ${index} does not start with "${DESCRIPTION_PREFIX}"` }
        }
        text = DESCRIPTION_PREFIX + text.slice(DESCRIPTION_PREFIX.length)
      }
      const salient = [...new Set(description.salient.map((phrase) => phrase.trim()).filter((phrase) => phrase !== ''))]
      descriptions.push({ text, salient })
    }
    return { ok: true, value: descriptions }
  }

/** Describe the image to share. */
export const describe = (
  dependencies: StageDependencies,
  input: DescribeInput,
  context: RequestContext,
  /** A model to ask first (Share: the model that answered Decide after a cascade escalation). */
  prefer?: string,
): Promise<DescribeResult> =>
  observeStage(
    dependencies.observer,
    'describe',
    async () => {
      validateDialogue(input.dialogue, dependencies.limits)
      const dialogue = input.dialogue
      // Describe takes no participants: the one who shares may be anyone, including someone who has not spoken yet.
      const speaker = validateSpeaker(input.speaker, { dialogue, participants: undefined, limits: dependencies.limits })
      const restrictions = validateRestrictions(input.restrictions)
      const n = validateCount(input.n, 'n', dependencies.limits.maxN, 1)
      const model = validateName(input.model, 'model')
      const outcome = await dependencies.runner.run(
        {
          stage: 'describe',
          task:
            speaker === undefined
              ? { stage: 'describe', dialogue, restrictions, n }
              : { stage: 'describe', dialogue, speaker, restrictions, n },
          messages: renderDescribePrompt({
            dialogue,
            speakers: allowedSpeakers(dialogue, [], speaker),
            restrictions,
            n,
            ...(speaker === undefined ? {} : { speaker }),
          }),
          contract: describeContractFor({ n, prefix: restrictions.includes('prefix') }),
          interpret: interpretDescribe(n, restrictions),
          ...(model === undefined ? {} : { model }),
          ...(prefer === undefined ? {} : { prefer }),
        },
        context,
      )
      return { descriptions: outcome.value, ...outcome.answer }
    },
    (result) => result.model,
  )
