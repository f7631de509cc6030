/**
 * `driber eval retrieve`: how well an index finds the gold image for a query, as the paper scores
 * retrieval: Recall@1/5/10 and mean reciprocal rank over (query, gold id) pairs. The metric
 * arithmetic is the evaluation package's (`src/evaluation/retrieval-metrics.ts`), shared with
 * `driber eval --tasks retrieve`; this module turns queries into gold ranks.
 */
import { readFileSync } from 'node:fs'
import { DriberError } from '../errors.js'
import { retrievalScores, type RetrievalScores } from '../evaluation/retrieval-metrics.js'
import type { ImageResult } from '../core/types.js'
import type { ImageIndex } from './image-index.js'

export interface RetrievalQuery {
  /** One description, or several (fused like a Retrieve call with several descriptions). */
  query: string | string[]
  gold_id: string
}

export interface RetrievalEvaluation {
  scores: RetrievalScores
  /** Queries evaluated. */
  queries: number
  /** How deep each search looked (ranks beyond it count as misses). */
  k: number
  index: string
}

/** 1-based rank of the gold image in results, or null when it is not there. */
export const goldRank = (results: ReadonlyArray<Pick<ImageResult, 'id'>>, goldId: string): number | null => {
  const position = results.findIndex((result) => result.id === goldId)
  return position === -1 ? null : position + 1
}

/** Reads `{query, gold_id}` lines; problems name the line. */
export const readRetrievalQueries = (file: string): RetrievalQuery[] => {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new DriberError('INVALID_ARGUMENT', { message: `Cannot read queries file ${file}`, cause: error })
  }
  const queries: RetrievalQuery[] = []
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (line.length === 0) return
    let value: { query?: unknown; gold_id?: unknown }
    try {
      value = JSON.parse(line) as typeof value
    } catch {
      throw new DriberError('INVALID_ARGUMENT', { message: `${file} line ${index + 1}: not valid JSON` })
    }
    const query = value.query
    const validQuery = (typeof query === 'string' && query.trim().length > 0) || (Array.isArray(query) && query.length > 0 && query.every((item) => typeof item === 'string'))
    const gold = typeof value.gold_id === 'number' ? String(value.gold_id) : value.gold_id
    if (!validQuery || typeof gold !== 'string' || gold.length === 0) {
      throw new DriberError('INVALID_ARGUMENT', { message: `${file} line ${index + 1}: expected {"query": string or [string], "gold_id": string}` })
    }
    queries.push({ query: query as string | string[], gold_id: gold })
  })
  return queries
}

export interface EvaluateRetrievalOptions {
  /** Search depth; 10 is enough for Recall@10 and makes MRR count ranks up to 10 (MRR@10). */
  k?: number
  ef?: number
  onProgress?: (done: number, total: number) => void
  signal?: AbortSignal
}

/** Runs every query through the index and scores the gold ranks. */
export const evaluateRetrieval = async (index: ImageIndex, queries: RetrievalQuery[], options: EvaluateRetrievalOptions = {}): Promise<RetrievalEvaluation> => {
  const k = options.k ?? 10
  const signal = options.signal ?? new AbortController().signal
  const ranks: Array<number | null> = []
  for (const [position, item] of queries.entries()) {
    const descriptions = typeof item.query === 'string' ? [item.query] : item.query
    const results = await index.search(descriptions, { k, signal, requestId: `eval-retrieve-${position}`, ...(options.ef === undefined ? {} : { ef: options.ef }) })
    ranks.push(goldRank(results, item.gold_id))
    options.onProgress?.(position + 1, queries.length)
  }
  return { scores: retrievalScores(ranks), queries: queries.length, k, index: index.name }
}
