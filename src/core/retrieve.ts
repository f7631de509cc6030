/**
 * Retrieve: top-k images for descriptions from a named image index. Embedding and scoring are the
 * index's business; the core checks the input, resolves the index into a typed error when it is
 * unknown or unusable, and makes sure a slow index cannot outlive the request.
 */
import { DriberError, isDriberError } from '../errors.js'
import type { ImageIndex } from '../retrieval/image-index.js'
import { abortError, raceAbort, throwIfOver } from './abort.js'
import { validateCount, validateDescriptions } from './dialogue.js'
import type { RequestContext } from './request-context.js'
import { observeStage, validateName, type StageDependencies } from './stage-support.js'
import type { RetrieveInput, RetrieveResult } from './types.js'

/** Results returned when the request gives no `k`. */
export const DEFAULT_K = 5

/**
 * The index for a request: the named one or the default. UNKNOWN_INDEX and INDEX_UNAVAILABLE come
 * from the index set; anything else it throws becomes INDEX_UNAVAILABLE rather than a crash.
 */
export const resolveIndex = (dependencies: StageDependencies, name: string | undefined): ImageIndex => {
  try {
    return dependencies.indexes.get(name)
  } catch (error) {
    if (isDriberError(error)) throw error
    throw new DriberError('INDEX_UNAVAILABLE', { details: { index: name ?? dependencies.indexes.defaultName }, cause: error })
  }
}

/** Searches an already resolved index with already checked input. */
export const searchIndex = async (
  index: ImageIndex,
  descriptions: string[],
  k: number,
  context: RequestContext,
): Promise<RetrieveResult> => {
  throwIfOver(context.signal, context.deadline)
  try {
    const search = Promise.resolve().then(() => index.search(descriptions, { k, signal: context.signal, requestId: context.requestId }))
    const results = await raceAbort(search, context.signal, context.deadline)
    return { results: results.slice(0, k), index: index.name }
  } catch (error) {
    if (context.signal.aborted) throw abortError(context.signal, context.deadline)
    throw error
  }
}

/** Retrieve images for descriptions. */
export const retrieve = (dependencies: StageDependencies, input: RetrieveInput, context: RequestContext): Promise<RetrieveResult> =>
  observeStage(
    dependencies.observer,
    'retrieve',
    async () => {
      const descriptions = validateDescriptions(input.descriptions, dependencies.limits)
      const k = validateCount(input.k, 'k', dependencies.limits.maxK, DEFAULT_K)
      const index = resolveIndex(dependencies, validateName(input.index, 'index'))
      return searchIndex(index, descriptions, k, context)
    },
    (result) => result.index,
  )
