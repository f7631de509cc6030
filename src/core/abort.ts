/**
 * Turning a request's abort into the right typed error, and waiting in ways that stop when the
 * request does. Nothing in the core waits on a timer or a promise that the request's signal cannot end.
 */
import { DriberError, isDriberError } from '../errors.js'
import type { RequestContext } from './request-context.js'

/**
 * The error for an aborted request. The abort reason decides when it is one of ours (CANCELLED,
 * DEADLINE_EXCEEDED, SHUTTING_DOWN) or a timeout signal; otherwise the clock does: past the
 * deadline means DEADLINE_EXCEEDED, before it means the client went away (CANCELLED).
 */
export const abortError = (signal: AbortSignal, deadline: number): DriberError => {
  const reason: unknown = signal.reason
  if (isDriberError(reason) && (reason.kind === 'CANCELLED' || reason.kind === 'DEADLINE_EXCEEDED' || reason.kind === 'SHUTTING_DOWN')) {
    return reason
  }
  if (reason instanceof Error && reason.name === 'TimeoutError') return new DriberError('DEADLINE_EXCEEDED', { cause: reason })
  if (Date.now() >= deadline) return new DriberError('DEADLINE_EXCEEDED')
  return new DriberError('CANCELLED', { cause: reason })
}

/** Throws the abort error if the request is already over (aborted or past its deadline). */
export const throwIfOver = (signal: AbortSignal, deadline: number): void => {
  if (signal.aborted) throw abortError(signal, deadline)
  if (Date.now() >= deadline) throw new DriberError('DEADLINE_EXCEEDED')
}

/**
 * Settles with `work`, unless the signal aborts first (then rejects with the abort error). The
 * listener is removed either way; a late rejection of `work` is swallowed, because nobody waits for it.
 */
export const raceAbort = <T>(work: Promise<T>, signal: AbortSignal, deadline: number): Promise<T> => {
  if (signal.aborted) {
    work.catch(() => {})
    return Promise.reject(abortError(signal, deadline))
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      work.catch(() => {})
      reject(abortError(signal, deadline))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

/** Waits `ms`, or rejects with the abort error as soon as the signal aborts; the timer never outlives the wait. */
export const sleep = (ms: number, signal: AbortSignal, deadline: number): Promise<void> => {
  if (ms <= 0) return signal.aborted ? Promise.reject(abortError(signal, deadline)) : Promise.resolve()
  let timer: NodeJS.Timeout | undefined
  const wait = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms)
  })
  return raceAbort(wait, signal, deadline).finally(() => clearTimeout(timer))
}

const REQUEST_ENDINGS = new Set(['CANCELLED', 'DEADLINE_EXCEEDED', 'SHUTTING_DOWN'])

/**
 * The error a transport answers with: when the request ended (deadline, client gone, shutdown)
 * while model calls were made, the error carries those calls as `details.attempts`, like every
 * other stage error; otherwise `error` unchanged.
 */
export const withRequestAttempts = (error: unknown, context: Pick<RequestContext, 'attempts'>): unknown => {
  const attempts = context.attempts
  if (!isDriberError(error) || !REQUEST_ENDINGS.has(error.kind) || attempts === undefined || attempts.length === 0) return error
  if (Array.isArray(error.details?.attempts)) return error
  return new DriberError(error.kind, {
    message: error.message,
    details: { ...error.details, attempts: attempts.map((attempt) => ({ ...attempt })) },
    cause: error.cause ?? error,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  })
}
