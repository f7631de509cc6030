/**
 * One attempt at an upstream call: a per-attempt timer combined with the request's signal, and the
 * error mapping applied to whatever escapes. Chat and embeddings share it so both time out and
 * cancel the same way.
 */
import { mapOpenAIError } from './openai-error-mapper.js'

/** setTimeout's ceiling: larger delays fire at once, which would turn "no limit" into "no time". */
const MAX_TIMER_MS = 2_147_483_647

/**
 * A budget both a timer and the SDK accept: a whole number of milliseconds in [1, MAX_TIMER_MS]. The
 * core computes budgets from remaining deadlines, which are fractional; the SDK rejects non-integers.
 */
export const attemptBudget = (timeoutMs: number): number =>
  Number.isNaN(timeoutMs) ? MAX_TIMER_MS : Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(timeoutMs)))

/**
 * Runs `call(signal, budgetMs)`, where `signal` aborts when the request's signal does or the budget
 * passes, and converts any failure with `mapOpenAIError`. The timer and the listener on the
 * request's signal are always removed, so nothing outlives the call.
 *
 * One AbortController per attempt, fed by a listener, rather than `AbortSignal.any`: the composite
 * signals it makes (and their weak-reference bookkeeping) showed up in profiles under load, and the
 * request's signal would otherwise collect one dependant per attempt until the request ends.
 */
export const withAttempt = async <T>(
  options: { model: string; timeoutMs: number; requestSignal: AbortSignal },
  call: (signal: AbortSignal, budgetMs: number) => Promise<T>,
): Promise<T> => {
  const budgetMs = attemptBudget(options.timeoutMs)
  const attempt = new AbortController()
  const timer = setTimeout(() => attempt.abort(), budgetMs)
  const requestSignal = options.requestSignal
  const onRequestAbort = (): void => attempt.abort(requestSignal.reason)
  if (requestSignal.aborted) onRequestAbort()
  else requestSignal.addEventListener('abort', onRequestAbort, { once: true })
  try {
    return await call(attempt.signal, budgetMs)
  } catch (error) {
    // The mapper looks at the request's signal first, so an aborted attempt signal with a live
    // request signal can only mean the timer fired.
    throw mapOpenAIError(error, { model: options.model, requestSignal, attemptSignal: attempt.signal, timeoutMs: budgetMs })
  } finally {
    clearTimeout(timer)
    requestSignal.removeEventListener('abort', onRequestAbort)
  }
}
