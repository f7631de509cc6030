/**
 * Retrieve: top-k images for descriptions from a named image index. Embedding and scoring are the
 * index's business; the core checks the input, resolves the index into a typed error when it is
 * unknown or unusable, and makes sure a slow index cannot outlive the request.
 */
import { DriberError, isDriberError } from '../errors.js'
import type { ImageIndex, SearchOptions } from '../retrieval/image-index.js'
import { abortError, raceAbort, throwIfOver } from './abort.js'
import { validateCount, validateDescriptions } from './dialogue.js'
import type { RequestContext } from './request-context.js'
import { observeStage, validateName, type StageDependencies } from './stage-support.js'
import { SEARCH_BY, type RetrieveInput, type RetrieveResult, type SearchBy } from './types.js'

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

/** A request's optional search parameters, passed to the index as they came. */
export type SearchTuning = Pick<SearchOptions, 'filter' | 'ef' | 'by'>

/**
 * Checks `by` (image | caption | both) and that the index offers it, before anything is embedded or
 * any model is called. Absent means the index's default.
 */
export const validateSearchBy = (by: unknown, index: ImageIndex): SearchBy | undefined => {
  if (by === undefined || by === null) return undefined
  if (typeof by !== 'string' || !(SEARCH_BY as readonly string[]).includes(by)) {
    throw new DriberError('INVALID_ARGUMENT', { message: `by must be one of ${SEARCH_BY.join(', ')}`, details: { field: 'by', reason: 'unknown_value' } })
  }
  const offered = index.searchModes ?? ['caption']
  if (!offered.includes(by as SearchBy)) {
    throw new DriberError('INVALID_ARGUMENT', {
      message: `Index ${index.name} cannot search by ${by}; it offers: ${offered.join(', ')}`,
      details: { field: 'by', reason: 'not_offered', index: index.name, offered: [...offered] },
    })
  }
  return by as SearchBy
}

/**
 * Checks the shape of `filter` (string values) and `ef` (a positive integer). Which filter keys
 * exist and how large `ef` may be depend on the index, which checks them itself.
 */
export const validateSearchTuning = (filter: unknown, ef: unknown): SearchTuning => {
  const tuning: SearchTuning = {}
  if (filter !== undefined && filter !== null) {
    if (typeof filter !== 'object' || Array.isArray(filter)) {
      throw new DriberError('INVALID_ARGUMENT', { message: 'filter must be an object of strings', details: { field: 'filter', reason: 'not_an_object' } })
    }
    for (const [key, value] of Object.entries(filter)) {
      if (typeof value !== 'string') {
        throw new DriberError('INVALID_ARGUMENT', { message: `filter.${key} must be a string`, details: { field: `filter.${key}`, reason: 'not_a_string' } })
      }
    }
    // An empty filter (what a proto map with no entries decodes to) filters nothing.
    if (Object.keys(filter).length > 0) tuning.filter = { ...(filter as Record<string, string>) }
  }
  if (ef !== undefined && ef !== null) tuning.ef = validateCount(ef, 'ef', Number.MAX_SAFE_INTEGER, 1)
  return tuning
}

/** Searches an already resolved index with already checked input. */
export const searchIndex = async (
  index: ImageIndex,
  descriptions: string[],
  k: number,
  context: RequestContext,
  tuning: SearchTuning = {},
): Promise<RetrieveResult> => {
  throwIfOver(context.signal, context.deadline)
  try {
    const search = Promise.resolve().then(() => index.search(descriptions, { k, signal: context.signal, requestId: context.requestId, ...tuning }))
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
      const tuning = validateSearchTuning(input.filter, input.ef)
      const index = resolveIndex(dependencies, validateName(input.index, 'index'))
      const by = validateSearchBy(input.by, index)
      return searchIndex(index, descriptions, k, context, by === undefined ? tuning : { ...tuning, by })
    },
    (result) => result.index,
  )
