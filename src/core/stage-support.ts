/**
 * What every stage function receives, and the small helpers they share: input checks that are not
 * about dialogues, and stage-level observation.
 */
import type { ConfigData } from '../config.js'
import { DriberError, isDriberError, type ErrorCode } from '../errors.js'
import type { ImageIndexes } from '../retrieval/image-index.js'
import type { StageObserver } from './stage-observer.js'
import type { StageRunner } from './stage-runner.js'
import type { Attempt, Stage } from './types.js'

export interface StageDependencies {
  readonly limits: ConfigData['limits']
  readonly runner: StageRunner
  readonly indexes: ImageIndexes
  readonly observer: StageObserver
}

/** Longest model or index name a request may give (the HTTP schema documents the same bound). */
export const MAX_NAME_LENGTH = 128

/** An optional name from the request (model, index): absent, or a non-empty string of at most MAX_NAME_LENGTH. */
export const validateName = (value: unknown, field: string): string | undefined => {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_NAME_LENGTH) {
    throw new DriberError('INVALID_ARGUMENT', { message: `${field} must be a non-empty name`, details: { field, reason: 'invalid_name' } })
  }
  return value
}

const lastModel = (error: unknown): string => {
  if (!isDriberError(error)) return ''
  const attempts = error.details?.attempts
  if (!Array.isArray(attempts) || attempts.length === 0) return ''
  return (attempts[attempts.length - 1] as Attempt).model
}

/** Runs a whole stage and reports it to the observer (`stageDone`), success or failure. */
export const observeStage = async <T>(
  observer: StageObserver,
  stage: Stage | 'retrieve' | 'share',
  work: () => Promise<T>,
  modelOf: (result: T) => string,
): Promise<T> => {
  const started = performance.now()
  try {
    const result = await work()
    observer.stageDone({ stage, model: modelOf(result), outcome: 'ok', durationSeconds: (performance.now() - started) / 1000 })
    return result
  } catch (error) {
    const errorCode: ErrorCode = isDriberError(error) ? error.code : 'DRIBER_INTERNAL'
    observer.stageDone({ stage, model: lastModel(error), outcome: 'error', durationSeconds: (performance.now() - started) / 1000, errorCode })
    throw error
  }
}
