/**
 * The optional metadata filter of a Retrieve request: exact matches, all of which must hold.
 * `labels` (or `label`) keeps images whose labels include the value; `id` and `url` match the
 * field. Anything else is refused up front, so a typo cannot silently return unfiltered images.
 */
import { DriberError } from '../errors.js'
import type { ImageRecord } from './vector-store.js'

export type MetadataFilter = Record<string, string>

export const FILTER_KEYS = ['labels', 'label', 'id', 'url'] as const
export type FilterKey = (typeof FILTER_KEYS)[number]

/** A validated filter as (field, value) pairs; `label` is folded into `labels`. */
export type FilterClauses = Array<{ field: 'labels' | 'id' | 'url'; value: string }>

/** Checks a request's filter; throws INVALID_ARGUMENT naming the unknown keys and the known ones. */
export const compileFilter = (filter: MetadataFilter | undefined): FilterClauses => {
  if (filter === undefined) return []
  const clauses: FilterClauses = []
  const unknown: string[] = []
  for (const [key, value] of Object.entries(filter)) {
    if (!(FILTER_KEYS as readonly string[]).includes(key)) {
      unknown.push(key)
      continue
    }
    if (typeof value !== 'string') throw new DriberError('INVALID_ARGUMENT', { message: `filter.${key} must be a string` })
    clauses.push({ field: key === 'label' ? 'labels' : (key as 'labels' | 'id' | 'url'), value })
  }
  if (unknown.length > 0) {
    throw new DriberError('INVALID_ARGUMENT', {
      message: `Unknown filter field(s) ${unknown.join(', ')}; filters may use ${FILTER_KEYS.join(', ')}`,
      details: { unknown, known: [...FILTER_KEYS] },
    })
  }
  return clauses
}

/** A predicate over records for in-process stores; undefined when nothing is filtered. */
export const recordPredicate = (filter: MetadataFilter | undefined): ((record: ImageRecord) => boolean) | undefined => {
  const clauses = compileFilter(filter)
  if (clauses.length === 0) return undefined
  return (record) =>
    clauses.every((clause) => (clause.field === 'labels' ? record.labels.includes(clause.value) : record[clause.field] === clause.value))
}
